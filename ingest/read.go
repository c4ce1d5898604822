package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"

	"connectord/inspect"
	"connectord/pushfile"
)

// reading is what can be learnt of a spooled message without the
// database: its inspection and, when it carries a CSV that may be judged,
// the CSV read with the engine's reader. Readings are made in parallel
// ahead of the batch's transaction, which then only decides and writes.
type reading struct {
	ins  *inspect.Inspection
	file *fileCheck // nil when the CSV was not read (no CSV, or refused before)
}

// fileCheck is the engine reader's verdict on a CSV: file-level problems
// (unusable), or a count of its rows.
type fileCheck struct {
	problems  []string // non-nil: the file cannot be used
	rows      int
	invalid   int
	lines     []string       // "line 12: …" for the first maxReportLines invalid rows
	more      int            // invalid rows not listed
	warned    int            // valid rows with warnings
	warnings  []string       // "line 12: …" for the first maxReportLines of them
	validOrgs map[string]int // valid rows per organisation code
}

// report is the validation report for a sender: rows for organisations
// the sender may not act for are counted as denied.
func (c *fileCheck) report(mayActFor func(string) bool) *validationReport {
	rep := &validationReport{Rows: c.rows, Invalid: c.invalid, Lines: c.lines, More: c.more,
		Warned: c.warned, Warnings: c.warnings}
	for org, n := range c.validOrgs {
		if !mayActFor(org) {
			rep.Denied += n
			rep.DeniedOrgs = append(rep.DeniedOrgs, org)
		}
	}
	sort.Strings(rep.DeniedOrgs)
	return rep
}

// read inspects one spooled message, using scratch for its attachment.
func (r *Recorder) read(f Fetched, opts pushfile.Options, scratch *os.File) (*reading, error) {
	if err := scratch.Truncate(0); err != nil {
		return nil, fmt.Errorf("reset attachment scratch file: %w", err)
	}
	if _, err := scratch.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reset attachment scratch file: %w", err)
	}
	var ins *inspect.Inspection
	var err error
	if f.HeaderOnly {
		ins, err = r.Spool.InspectHeader(f.Ref, r.Rules.Policy, f.Size)
	} else {
		ins, err = r.Spool.Inspect(f.Ref, r.Rules.Policy, scratch)
	}
	if err != nil {
		return nil, err
	}
	rg := &reading{ins: ins}
	if ins.CSV == nil || ins.Automatic != "" || ins.SenderProblem != "" || ins.AuthProblem != "" || ins.AttachmentProblem != "" {
		return rg, nil // decided before the file matters
	}
	if _, err := scratch.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind attachment scratch file: %w", err)
	}
	if rg.file, err = checkFile(scratch, opts); err != nil {
		return nil, fmt.Errorf("read attachment %q: %w", ins.CSV.Filename, err)
	}
	return rg, nil
}

// checkFile reads a CSV with the engine's reader.
func checkFile(csv io.ReadSeeker, opts pushfile.Options) (*fileCheck, error) {
	rd, err := pushfile.Open(csv, opts)
	var fe *pushfile.FileError
	if errors.As(err, &fe) {
		return &fileCheck{problems: problemLines(fe)}, nil
	}
	if err != nil {
		return nil, err
	}
	c := &fileCheck{validOrgs: map[string]int{}}
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if errors.As(err, &fe) {
			return &fileCheck{problems: problemLines(fe)}, nil
		}
		if err != nil {
			return nil, err
		}
		c.rows++
		if !row.Valid() {
			c.invalid++
			if len(c.lines) < maxReportLines {
				c.lines = append(c.lines, fmt.Sprintf("line %d: %s", row.Line, row.Detail()))
			} else {
				c.more++
			}
			continue
		}
		c.validOrgs[row.Value[pushfile.Organisation]]++
		if len(row.Warnings) > 0 {
			c.warned++
			if len(c.warnings) < maxReportLines {
				c.warnings = append(c.warnings, warningLine(row))
			}
		}
	}
}

// warningLine is "line 12: MobilePhone: …; Pager: …" for a row's warnings.
func warningLine(row *pushfile.Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: ", row.Line)
	for i, w := range row.Warnings {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(w.Column + ": " + w.Message)
	}
	return b.String()
}

func problemLines(fe *pushfile.FileError) []string {
	out := make([]string, len(fe.Problems))
	for i, p := range fe.Problems {
		s := p.Message
		if p.Column != "" {
			s = p.Column + ": " + s
		}
		if p.Line > 0 {
			s = fmt.Sprintf("line %d: %s", p.Line, s)
		}
		out[i] = s
	}
	return out
}

// batchReader reads a batch's messages on GOMAXPROCS goroutines, at most a
// small window ahead of the transaction that consumes them in order, so
// memory does not grow with the batch size.
type batchReader struct {
	results []chan readResult
	window  chan struct{}
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	scratch []*os.File
}

type readResult struct {
	rg  *reading
	err error
}

// readAhead starts reading batch. The caller takes each message's reading
// in order with next and must call close.
func (r *Recorder) readAhead(ctx context.Context, batch []Fetched, opts pushfile.Options) (*batchReader, error) {
	workers := max(min(runtime.GOMAXPROCS(0), len(batch)), 1)
	ctx, cancel := context.WithCancel(ctx)
	br := &batchReader{results: make([]chan readResult, len(batch)), window: make(chan struct{}, 2*workers), cancel: cancel}
	for i := range br.results {
		br.results[i] = make(chan readResult, 1)
	}
	for range workers {
		tmp, err := r.Spool.Scratch()
		if err != nil {
			br.close()
			return nil, err
		}
		br.scratch = append(br.scratch, tmp)
	}
	jobs := make(chan int)
	br.wg.Add(1)
	go func() {
		defer br.wg.Done()
		defer close(jobs)
		for i := range batch {
			select {
			case br.window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for _, tmp := range br.scratch {
		br.wg.Add(1)
		go func() {
			defer br.wg.Done()
			for i := range jobs {
				rg, err := r.read(batch[i], opts, tmp)
				br.results[i] <- readResult{rg, err}
			}
		}()
	}
	return br, nil
}

// next waits for the reading of message i; messages are taken in order.
func (br *batchReader) next(ctx context.Context, i int) (*reading, error) {
	select {
	case res := <-br.results[i]:
		<-br.window
		return res.rg, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close stops the readers, waits for them and removes the scratch files.
func (br *batchReader) close() {
	br.cancel()
	br.wg.Wait()
	for _, f := range br.scratch {
		f.Close()
		os.Remove(f.Name())
	}
}
