package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"connectord/provision"
)

// nightsChart is the last 30 batch days drawn on the server as two small
// SVG charts, rows by status and files per night, with the same numbers
// as a table for screen readers.
type nightsChart struct {
	Days     []chartDay
	Statuses []chartStatus // those that occur, in report order
	MaxRows  int           // the top of the rows scale
	MaxFiles int
	Empty    bool // no run in the period
}

// chartDay is one batch day: its runs' rows and files added up.
type chartDay struct {
	Day    string
	Label  string // "3 Mar", on every fifth day and the last
	Runs   int
	Files  int
	Rows   map[string]int
	Total  int
	X      float64     // left edge of its bars
	Bars   []chartSpan // rows, stacked from the bottom by status
	FilesY float64     // top of its files bar
	Cells  []int       // rows per shown status, for the table
}

type chartSpan struct {
	Y, H  float64
	Class string
}

// chartStatus is a status in the legend.
type chartStatus struct {
	Status, Class string
}

// The charts' geometry, in SVG units (viewBox).
const (
	chartDays   = 30
	chartLeft   = 48.0
	chartWidth  = 600.0
	chartBar    = 14.0
	chartStep   = (chartWidth - chartLeft - 8) / chartDays
	rowsTop     = 12.0
	rowsBottom  = 172.0
	filesTop    = 12.0
	filesBottom = 92.0
)

// Width and the others give the templates the charts' geometry.
func (nightsChart) Width() float64              { return chartWidth }
func (nightsChart) Left() float64               { return chartLeft }
func (nightsChart) RowsBottom() float64         { return rowsBottom }
func (nightsChart) RowsTop() float64            { return rowsTop }
func (nightsChart) FilesBottom() float64        { return filesBottom }
func (nightsChart) FilesTop() float64           { return filesTop }
func (nightsChart) BarWidth() float64           { return chartBar }
func (c nightsChart) RowsMid() float64          { return (rowsTop + rowsBottom) / 2 }
func (c nightsChart) FilesMid() float64         { return (filesTop + filesBottom) / 2 }
func (c nightsChart) HalfRows() string          { return half(c.MaxRows) }
func (c nightsChart) HalfFiles() string         { return half(c.MaxFiles) }
func (d chartDay) LabelX() float64              { return d.X + chartBar/2 }
func (d chartDay) FilesH() float64              { return filesBottom - d.FilesY }
func (d chartDay) NoRun() bool                  { return d.Runs == 0 }
func (nightsChart) statusClass(s string) string { return "app-chart--" + statusSlug(s) }

// statusSlug is a status as a CSS class part: PROCESSED_NEW → new.
func statusSlug(s string) string {
	switch provision.Status(s) {
	case provision.New:
		return "new"
	case provision.Updated:
		return "updated"
	case provision.NoChange:
		return "nochange"
	case provision.Contact:
		return "contact"
	case provision.Duplicate:
		return "duplicate"
	case provision.Leaver:
		return "leaver"
	case provision.Invalid:
		return "invalid"
	case provision.Denied:
		return "denied"
	}
	return "other"
}

// nightsChart adds up the runs of the 30 batch days ending with today.
func (s *Server) nightsChart(ctx context.Context, today string) (nightsChart, error) {
	last, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return nightsChart{}, fmt.Errorf("chart: %w", err)
	}
	first := last.AddDate(0, 0, -(chartDays - 1))
	runs, err := s.deps.Store.RunsFrom(ctx, first.Format(time.DateOnly))
	if err != nil {
		return nightsChart{}, err
	}
	c := nightsChart{Empty: true}
	index := map[string]int{}
	for i := range chartDays {
		d := first.AddDate(0, 0, i)
		day := chartDay{Day: d.Format(time.DateOnly), Rows: map[string]int{}, X: chartLeft + float64(i)*chartStep + (chartStep-chartBar)/2}
		if i%5 == 4 || i == chartDays-1 || i == 0 {
			day.Label = d.Format("2 Jan")
		}
		index[day.Day] = i
		c.Days = append(c.Days, day)
	}
	seen := map[string]bool{}
	for _, run := range runs {
		i, ok := index[run.BatchDay]
		if !ok {
			continue
		}
		d := &c.Days[i]
		d.Runs++
		d.Files += run.Files
		c.Empty = false
		var counts map[string]int
		if run.Counts != "" && json.Unmarshal([]byte(run.Counts), &counts) == nil {
			for st, n := range counts {
				d.Rows[st] += n
				d.Total += n
				seen[st] = seen[st] || n > 0
			}
		}
	}
	for _, st := range provision.Statuses() {
		if seen[string(st)] {
			c.Statuses = append(c.Statuses, chartStatus{string(st), c.statusClass(string(st))})
		}
	}
	for _, d := range c.Days {
		c.MaxRows, c.MaxFiles = max(c.MaxRows, d.Total), max(c.MaxFiles, d.Files)
	}
	c.MaxRows, c.MaxFiles = niceCeil(c.MaxRows), niceCeil(c.MaxFiles)
	for i := range c.Days {
		c.layOut(&c.Days[i])
	}
	return c, nil
}

// layOut places a day's bars on the scales.
func (c nightsChart) layOut(d *chartDay) {
	y := rowsBottom
	for _, st := range c.Statuses {
		n := d.Rows[st.Status]
		d.Cells = append(d.Cells, n)
		if n == 0 {
			continue
		}
		h := float64(n) / float64(c.MaxRows) * (rowsBottom - rowsTop)
		y -= h
		d.Bars = append(d.Bars, chartSpan{Y: y, H: h, Class: st.Class})
	}
	d.FilesY = filesBottom - float64(d.Files)/float64(c.MaxFiles)*(filesBottom-filesTop)
}

// half is n/2 as the axis writes it: 2.5 for 5.
func half(n int) string { return strconv.FormatFloat(float64(n)/2, 'f', -1, 64) }

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, and at least 2
// (so half of it is a whole number).
func niceCeil(n int) int {
	if n <= 2 {
		return 2
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}
