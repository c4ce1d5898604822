package web

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"connectord/provision"
	"connectord/pushfile"
)

// A results file (a night's, or a held file's dry run) is browsed through
// an index built once beside it: all.idx lists every row, and KEY.idx the
// rows of one category, each row as a fixed-size record of where it
// starts in the results file and the line it starts on in the received
// file. A page of any category is then read by seeking, whatever the
// file's size, and the database is not touched.

// rowRef is one row in an index.
type rowRef struct {
	Offset int64  // where its record starts in the results file
	Line   uint32 // its line in the received file; 0 when not known
}

const rowRefSize = 12

// indexMeta describes an index: meta.json.
type indexMeta struct {
	Made   time.Time      `json:"made"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"` // rows per category
	// LinesKnown is false when the received file could not be read again:
	// rows are numbered instead of given their lines.
	LinesKnown bool `json:"lines_known"`
	// Results is the results file in the data directory; "": results.csv
	// beside the index (a dry run's).
	Results  string             `json:"results,omitempty"`
	Comma    rune               `json:"comma"`
	Problems []pushfile.Problem `json:"problems,omitempty"` // the file cannot be used: no rows
}

const (
	resultsName = "results.csv"
	metaName    = "meta.json"
	allRows     = "all"
)

// rowCategory is the category a results row is counted and filtered in:
// its status, with ACCESS_DENIED split by its reason.
func rowCategory(status, detail string) string {
	if status == string(provision.Denied) {
		if deniedForLimit(detail) {
			return deniedLimit
		}
		return deniedOrg
	}
	for _, st := range provision.Statuses() {
		if status == string(st) {
			return status
		}
	}
	return "other"
}

// The two kinds of ACCESS_DENIED row.
const (
	deniedOrg   = "ACCESS_DENIED-organisation"
	deniedLimit = "ACCESS_DENIED-limit"
)

// buildIndex indexes the results file at path (rel in the data
// directory, or "" for dir's own results.csv) into dir; in, when not
// nil, reads the received file again to give each row its line.
func buildIndex(dir, path, rel string, in *pushfile.Reader, made time.Time) (indexMeta, error) {
	meta := indexMeta{Made: made, Counts: map[string]int{}, LinesKnown: in != nil, Results: rel}
	f, err := os.Open(path)
	if err != nil {
		return meta, err
	}
	defer f.Close()
	meta.Comma = sniffComma(f)
	cr := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = meta.Comma, -1, true, true
	header, err := cr.Read()
	if err != nil {
		return meta, fmt.Errorf("index results: %w", err)
	}
	result, detail := -1, -1
	for i, name := range header {
		switch normColumn(name) {
		case "result":
			result = i
		case "detail":
			detail = i
		}
	}
	out := map[string]*indexWriter{}
	defer func() {
		for _, w := range out {
			w.f.Close()
		}
	}()
	start := cr.InputOffset()
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return meta, fmt.Errorf("index results: %w", err)
		}
		ref := rowRef{Offset: start, Line: uint32(n + 1)}
		if in != nil {
			if row, err := in.Next(); err == nil {
				ref.Line = uint32(row.Line)
			}
		}
		cat := rowCategory(cell(rec, result), cell(rec, detail))
		for _, key := range []string{allRows, cat} {
			if out[key] == nil {
				if out[key], err = newIndexWriter(filepath.Join(dir, key+".idx")); err != nil {
					return meta, err
				}
			}
			if err := out[key].add(ref); err != nil {
				return meta, err
			}
		}
		meta.Counts[cat]++
		meta.Total++
		start = cr.InputOffset()
	}
	for _, w := range out {
		if err := w.close(); err != nil {
			return meta, err
		}
	}
	return meta, nil
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

// sniffComma reads a results file's delimiter from its header line and
// rewinds it.
func sniffComma(f io.ReadSeeker) rune {
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimPrefix(head[:n], []byte("\uFEFF"))
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	f.Seek(0, io.SeekStart)
	if bytes.Count(head, []byte{';'}) > bytes.Count(head, []byte{','}) {
		return ';'
	}
	return ','
}

func writeMeta(dir string, meta indexMeta) error {
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, metaName), b, 0o640)
}

func readMeta(dir string) (indexMeta, error) {
	var meta indexMeta
	b, err := os.ReadFile(filepath.Join(dir, metaName))
	if err != nil {
		return meta, err
	}
	return meta, json.Unmarshal(b, &meta)
}

type indexWriter struct {
	f   *os.File
	w   *bufio.Writer
	buf [rowRefSize]byte
}

func newIndexWriter(path string) (*indexWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, err
	}
	return &indexWriter{f: f, w: bufio.NewWriterSize(f, 32<<10)}, nil
}

func (w *indexWriter) add(r rowRef) error {
	binary.LittleEndian.PutUint64(w.buf[:8], uint64(r.Offset))
	binary.LittleEndian.PutUint32(w.buf[8:], r.Line)
	_, err := w.w.Write(w.buf[:])
	return err
}

func (w *indexWriter) close() error {
	if err := w.w.Flush(); err != nil {
		return err
	}
	return w.f.Close()
}

// readRefs reads up to n rows of category key from the first'th on.
func readRefs(dir, key string, first, n int) ([]rowRef, error) {
	f, err := os.Open(filepath.Join(dir, key+".idx"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n*rowRefSize)
	got, err := f.ReadAt(buf, int64(first)*rowRefSize)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	refs := make([]rowRef, 0, got/rowRefSize)
	for b := buf[:got-got%rowRefSize]; len(b) > 0; b = b[rowRefSize:] {
		refs = append(refs, rowRef{Offset: int64(binary.LittleEndian.Uint64(b)), Line: binary.LittleEndian.Uint32(b[8:])})
	}
	return refs, nil
}

// readRows reads the header and the records at refs from the results
// file at path.
func readRows(path string, comma rune, refs []rowRef) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	one := func(off int64) ([]string, error) {
		cr := csv.NewReader(bufio.NewReader(io.NewSectionReader(f, off, 1<<62)))
		cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes = comma, -1, true
		return cr.Read()
	}
	header, err := one(0)
	if err != nil {
		return nil, nil, fmt.Errorf("read results header: %w", err)
	}
	rows := make([][]string, 0, len(refs))
	for _, r := range refs {
		rec, err := one(r.Offset)
		if err != nil {
			return nil, nil, fmt.Errorf("read results row at %d: %w", r.Offset, err)
		}
		rows = append(rows, rec)
	}
	return header, rows, nil
}
