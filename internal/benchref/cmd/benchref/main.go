// Command benchref runs the naive references of scripts/bench.sh (see
// package benchref) on a connectord database:
//
//	benchref process -db c.db [-domain nhs.net] [-o results.csv] push.csv
//	benchref import -db c.db directory.csv
//
// The database must exist (made by connectord, organisations imported).
// The counts and the time taken go to standard error.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"connectord/internal/benchref"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchref:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("say process or import")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dbPath := fs.String("db", "", "connectord database")
	domain := fs.String("domain", "nhs.net", "mail domain of new entries")
	outPath := fs.String("o", "", "results file (process; default: discarded)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 || *dbPath == "" {
		return errors.New("name -db DB and one FILE")
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return err
	}
	db, err := benchref.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	in, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	start := time.Now()
	switch args[0] {
	case "process":
		return process(ctx, db, in, *outPath, *domain, start)
	case "import":
		n, err := benchref.Import(ctx, db, bufio.NewReaderSize(in, 256<<10), start)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "imported %d rows in %s\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	}
	return fmt.Errorf("unknown command %q: say process or import", args[0])
}

func process(ctx context.Context, db *sql.DB, in *os.File, outPath, domain string, start time.Time) error {
	out := bufio.NewWriterSize(io.Discard, 256<<10)
	var f *os.File
	if outPath != "" {
		var err error
		if f, err = os.Create(outPath); err != nil {
			return err
		}
		defer f.Close()
		out.Reset(f)
	}
	c, err := benchref.Process(ctx, db, in, out, domain, start)
	if err == nil {
		err = out.Flush()
	}
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d rows: %d invalid, %d unchanged, %d updated, %d new in %s\n",
		c.Total(), c.Invalid, c.NoChange, c.Updated, c.New, time.Since(start).Round(time.Millisecond))
	return nil
}
