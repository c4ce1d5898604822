package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"connectord/activedirectory"
	"connectord/config"
	"connectord/directoryfile"
	"connectord/ldapdirectory"
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
        back unchanged.

With directory.backend ldap, export reads Active Directory (a paged
search under base_dn), and import does not apply.`

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
	case pos[0] == "import" && len(pos) == 2 && a.cfg.Directory.Backend == config.BackendLDAP:
		return exitWith(exitUnusable, errors.New("directory import does not apply to directory.backend ldap: the accounts are in Active Directory, which connectord does not load from a file; nothing was imported"))
	case pos[0] == "import" && len(pos) == 2:
		return importDirectory(ctx, a, st, pos[1])
	case pos[0] == "export" && len(pos) == 1:
		out, finish, err := a.resultsOutput(*outPath)
		if err != nil {
			return err
		}
		n, err := a.exportDirectory(ctx, out, st)
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

// exportDirectory writes the Mailbox Report of the configured directory:
// for Active Directory, a paged search with the fields the store keeps.
func (a *app) exportDirectory(ctx context.Context, w io.Writer, st *store.Store) (int, error) {
	if a.cfg.Directory.Backend != config.BackendLDAP {
		return directoryfile.ExportReport(ctx, w, st)
	}
	c, err := activedirectory.Dial(ctx, a.cfg.Directory.LDAP.AD(), a.log)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	return directoryfile.ExportReport(ctx, w, ldapdirectory.New(c, tx, ldapdirectory.Options{ReadOnly: true, Log: a.log}))
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
