package web

import (
	"fmt"
	"net/url"
	"strconv"

	"connectord/provision"
)

// rowsPerPage is how many rows a page of a file lists.
const rowsPerPage = 50

// rowsQuery is which rows of a file a page shows: a category ("" for
// every row) and a page number.
type rowsQuery struct {
	Key  string
	Page int
}

func readRowsQuery(q url.Values) rowsQuery {
	page, _ := strconv.Atoi(q.Get("page"))
	return rowsQuery{Key: q.Get("rows"), Page: max(page, 1)}
}

// rowsView is one page of a file's rows, with the counts of each
// category as links that filter the rows.
type rowsView struct {
	Future     bool // a dry run: what would happen
	Total      int
	Categories []rowCat
	Current    *rowCat // the category shown; nil for every row
	AllHref    string
	From, To   int // the rows of this page, counted among those shown
	Of         int
	LinesKnown bool
	Columns    []string // who each row is about
	Rows       []shownRow
	Nav        pageNav
}

// rowCat is a category of rows and how many there are.
type rowCat struct {
	Key, Status, Label, Meaning, Href string
	Reason                            string // why ACCESS_DENIED, in words
	N                                 int
	Current                           bool
}

// shownRow is one row: its line, its result in words, who it is about.
type shownRow struct {
	Line                       int
	Status, Tag, Words, Detail string
	Email                      string
	Who                        []string
}

// categories lists the categories in report order: the statuses, with
// ACCESS_DENIED as its two reasons.
func categories() []string {
	var out []string
	for _, st := range provision.Statuses() {
		if st == provision.Denied {
			out = append(out, deniedOrg, deniedLimit)
			continue
		}
		out = append(out, string(st))
	}
	return append(out, "other")
}

// rowsPage reads page q of the file indexed in dir; path and keep make
// the links (keep holds the page's other query parameters).
func (s *Server) rowsPage(dir string, meta indexMeta, q rowsQuery, future bool, path string, keep url.Values) (*rowsView, error) {
	v := &rowsView{Future: future, Total: meta.Total, LinesKnown: meta.LinesKnown}
	href := func(key string, page int) string {
		u := url.Values{}
		for k, vs := range keep {
			u[k] = vs
		}
		if key != "" {
			u.Set("rows", key)
		}
		if page > 1 {
			u.Set("page", strconv.Itoa(page))
		}
		if len(u) == 0 {
			return path + "#rows"
		}
		return path + "?" + u.Encode() + "#rows"
	}
	v.AllHref = href("", 1)
	for _, key := range categories() {
		n := meta.Counts[key]
		if n == 0 {
			continue
		}
		c := rowCat{Key: key, Status: categoryStatus(key), Label: categoryLabel(key), Reason: categoryReason(key), Meaning: categoryMeaning(key, future),
			Href: href(key, 1), N: n, Current: key == q.Key}
		v.Categories = append(v.Categories, c)
	}
	key, n := allRows, meta.Total
	for i := range v.Categories {
		if v.Categories[i].Current {
			v.Current, key, n = &v.Categories[i], q.Key, v.Categories[i].N
		}
	}
	pages := max((n+rowsPerPage-1)/rowsPerPage, 1)
	page := max(min(q.Page, pages), 1)
	v.Of, v.From = n, (page-1)*rowsPerPage+1
	label := "Pages of rows"
	if v.Current != nil {
		label = "Pages of " + v.Current.Label + " rows"
	}
	v.Nav = numbered(label, page, pages, func(p int) string { return href(q.Key, p) })
	refs, err := readRefs(dir, key, (page-1)*rowsPerPage, rowsPerPage)
	if err != nil {
		return nil, err
	}
	v.To = v.From + len(refs) - 1
	header, recs, err := readRows(s.resultsPath(dir, meta), meta.Comma, refs)
	if err != nil {
		return nil, err
	}
	cols := pickColumns(header)
	v.Columns = cols.names
	for i, rec := range recs {
		status, detail := cell(rec, cols.result), cell(rec, cols.detail)
		cat := rowCategory(status, detail)
		r := shownRow{Line: int(refs[i].Line), Status: status, Tag: resultTag(status), Words: rowWords(cat, future),
			Detail: detail, Email: cell(rec, cols.email)}
		if future {
			r.Detail = futureDetail(detail)
		}
		for _, c := range cols.who {
			r.Who = append(r.Who, cell(rec, c))
		}
		v.Rows = append(v.Rows, r)
	}
	return v, nil
}

// shownCols are where a results file keeps what a row page shows.
type shownCols struct {
	names                 []string
	who                   []int
	result, detail, email int
}

// pickColumns finds the columns that say who a row is about (never a
// password), and the result columns.
func pickColumns(header []string) shownCols {
	c := shownCols{result: -1, detail: -1, email: -1}
	for i, name := range header {
		switch n := normColumn(name); {
		case n == "result":
			c.result = i
		case n == "detail":
			c.detail = i
		case n == "emailaddress":
			c.email = i
		case shownColumns[n]:
			c.who = append(c.who, i)
			c.names = append(c.names, trimBOM(name))
		}
	}
	return c
}

func trimBOM(s string) string {
	if len(s) >= 3 && s[:3] == "\uFEFF" {
		return s[3:]
	}
	return s
}

// String names the page for its heading.
func (v *rowsView) String() string {
	if v.Current != nil {
		return fmt.Sprintf("%s: rows %d to %d of %d", v.Current.Label, v.From, v.To, v.Of)
	}
	return fmt.Sprintf("Every row: %d to %d of %d", v.From, v.To, v.Of)
}
