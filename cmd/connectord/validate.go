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
	var st *store.Store
	st, err = store.OpenExisting(ctx, a.dbPath)
	switch {
	case errors.Is(err, store.ErrNotFound):
		st = nil
	case err != nil:
		return err
	default:
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
	valid, invalid := 0, 0
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fileProblems(out, name, err)
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
				return err
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
		if err := rw.Flush(); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "%d rows: %d valid, %d invalid\n", valid+invalid, valid, invalid)
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if invalid > 0 {
		return exitWith(exitFailure, nil)
	}
	return nil
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
