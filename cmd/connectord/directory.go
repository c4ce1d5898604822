package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"connectord/directoryfile"
	"connectord/store"
)

const directoryUsage = `connectord directory import FILE
connectord directory export [-o FILE]

The directory as a Mailbox Report, with the columns
` + "EmailAddress,Local ID,Organisation,OrganisationUnit,Type,Title,FirstName,LastName,JobTitle,ClinicalRole,ClinicalSpeciality,WorkArea,EmailSize,OfficePhone,MobilePhone,Fax,Pager" + `
and Type Mailbox or Contact.

import  adds each row, or replaces the entry with the same address. The
        whole file is applied in one transaction, or nothing if any row is
        wrong. Organisations must be imported first.
export  writes every entry (to FILE, or standard output). An export imports
        back unchanged.`

func runDirectory(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("directory", flag.ContinueOnError)
	outPath := fs.String("o", "", "export to FILE")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say import or export")
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case pos[0] == "import" && len(pos) == 2:
		return importDirectory(ctx, a, st, pos[1])
	case pos[0] == "export" && len(pos) == 1:
		out, finish, err := a.resultsOutput(*outPath)
		if err != nil {
			return err
		}
		n, err := directoryfile.ExportReport(ctx, out, st)
		if ferr := finish(err == nil); err == nil {
			err = ferr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "exported %d entries\n", n)
		return nil
	}
	return usagef("unknown or incomplete directory command %q", strings.Join(pos, " "))
}

func importDirectory(ctx context.Context, a *app, st *store.Store, path string) error {
	f, err := openInput(path)
	if err != nil {
		return err
	}
	defer f.Close()
	reg, err := st.Registry(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	n, err := directoryfile.ImportReport(bufio.NewReaderSize(f, 256<<10), path, tx, reg, start)
	if err != nil {
		if _, ok := err.(*directoryfile.Error); ok {
			return exitWith(exitUnusable, fmt.Errorf("%w\nnothing was imported", err))
		}
		return err
	}
	if err := tx.Audit(store.AuditEntry{At: start, Actor: "operator", Source: filepath.Base(path), Action: "import",
		After: fmt.Sprintf(`{"rows":%d}`, n)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "imported %d entries from %s in %s\n", n, path, time.Since(start).Round(time.Millisecond))
	return nil
}
