package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"connectord/pushfile"
	"connectord/store"
)

const validateUsage = `connectord validate [-format text|csv] FILE

Checks a push file the way the Portal's "Validate" step does, changing
nothing. Uses the organisation registry when the database has one;
otherwise organisation codes are only checked for shape.

  -format text  one line per problem, FILE:LINE: Column: problem, then a count (default)
  -format csv   the results file, with Result VALID or INVALID on every row

Exit status: 0 every row valid, 1 some rows invalid, 2 the file is unusable.`

func runValidate(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	format := fs.String("format", "text", "text or csv")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("name one FILE")
	}
	if *format != "text" && *format != "csv" {
		return usagef("-format must be text or csv, not %q", *format)
	}
	name := pos[0]
	st, err := openStoreIfAny(ctx, a.dbPath)
	if err != nil {
		return err
	}
	if st != nil {
		defer st.Close()
	}
	opts, err := a.readOptions(ctx, st)
	if err != nil {
		return err
	}
	f, err := openInput(name)
	if err != nil {
		return err
	}
	defer f.Close()

	out := bufio.NewWriterSize(a.stdout, 64<<10)
	defer out.Flush()
	rd, err := pushfile.Open(f, opts)
	if err != nil {
		return fileProblems(out, name, err)
	}
	var rw *pushfile.ResultsWriter
	if *format == "csv" {
		if rw, err = pushfile.NewResultsWriter(out, rd); err != nil {
			return err
		}
	}
	invalid, err := validateRows(out, name, rd, rw)
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if invalid > 0 {
		return exitWith(exitFailure, nil)
	}
	return nil
}

// openStoreIfAny opens the database at path if there is one, and returns
// nil without an error if there is none.
func openStoreIfAny(ctx context.Context, path string) (*store.Store, error) {
	st, err := store.OpenExisting(ctx, path)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return st, err
}

// validateRows checks every row of rd. With rw it writes the results
// file; without, one line per problem and then a count. It returns how
// many rows were invalid.
func validateRows(out io.Writer, name string, rd *pushfile.Reader, rw *pushfile.ResultsWriter) (int, error) {
	valid, invalid := 0, 0
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return invalid, fileProblems(out, name, err)
		}
		res := pushfile.Result{Status: "VALID", Detail: row.Detail()}
		if row.Valid() {
			valid++
		} else {
			invalid++
			res.Status = "INVALID"
		}
		if rw != nil {
			if err := rw.Write(row, res); err != nil {
				return invalid, err
			}
			continue
		}
		for _, p := range row.Problems {
			if p.Column != "" {
				fmt.Fprintf(out, "%s:%d: %s: %s\n", name, p.Line, p.Column, p.Message)
			} else {
				fmt.Fprintf(out, "%s:%d: %s\n", name, p.Line, p.Message)
			}
		}
	}
	if rw != nil {
		return invalid, rw.Flush()
	}
	fmt.Fprintf(out, "%d rows: %d valid, %d invalid\n", valid+invalid, valid, invalid)
	return invalid, nil
}

// fileProblems prints every problem of an unusable file, one per line, and
// returns the "unusable" exit; other errors pass through.
func fileProblems(w io.Writer, name string, err error) error {
	var fe *pushfile.FileError
	if !errors.As(err, &fe) {
		return err
	}
	for _, p := range fe.Problems {
		loc := name
		if p.Line > 0 {
			loc = fmt.Sprintf("%s:%d", name, p.Line)
		}
		if p.Column != "" {
			fmt.Fprintf(w, "%s: %s: %s\n", loc, p.Column, p.Message)
		} else {
			fmt.Fprintf(w, "%s: %s\n", loc, p.Message)
		}
	}
	fmt.Fprintf(w, "%s: the file cannot be used; nothing was applied\n", name)
	return exitWith(exitUnusable, nil)
}
