package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"connectord/directoryfile"
)

const showUsage = `connectord show [-columns A,B,C] [-width N] FILE

Prints a CSV file (a push file, a results file, a Mailbox Report) as an
aligned table, for reading results at a terminal. -columns picks columns
by header name (case and spaces ignored); -width cuts long cells (default 60).`

func runShow(_ context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	columns := fs.String("columns", "", "columns to show, comma-separated")
	width := fs.Int("width", 60, "longest cell shown")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("name one FILE")
	}
	f, err := openInput(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	t, err := directoryfile.OpenTable(f)
	if err != nil {
		return exitWith(exitUnusable, fmt.Errorf("%s: %w", pos[0], err))
	}
	header := t.Header()
	pick := make([]int, 0, len(header))
	if *columns == "" {
		for i := range header {
			pick = append(pick, i)
		}
	} else {
		for _, want := range strings.Split(*columns, ",") {
			found := false
			for i, h := range header {
				if normHeader(h) == normHeader(want) {
					pick, found = append(pick, i), true
					break
				}
			}
			if !found {
				return usagef("%s has no column %q", pos[0], want)
			}
		}
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	line := func(rec []string) {
		cells := make([]string, len(pick))
		for j, i := range pick {
			if i < len(rec) {
				cells[j] = clip(strings.ReplaceAll(rec[i], "\n", " "), *width)
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	line(header)
	for {
		rec, _, err := t.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		line(rec)
	}
	return tw.Flush()
}

func normHeader(s string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))))
}

func clip(s string, n int) string {
	if n <= 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
