package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"connectord/directoryfile"
)

const orgUsage = `connectord org import FILE
connectord org list

import  adds or replaces organisations from a CSV file with the columns
        Organisation,Name,CreationLimit,OrganisationUnits (units separated
        by ";"). The whole file is applied, or nothing if any row is wrong.
list    shows every organisation, its units, its creation limit and how
        many mailboxes connectord has created for it.`

func runOrg(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("org", flag.ContinueOnError)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say import or list")
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case pos[0] == "import" && len(pos) == 2:
		f, err := openInput(pos[1])
		if err != nil {
			return err
		}
		defer f.Close()
		orgs, err := directoryfile.ReadOrganisations(f, pos[1])
		if err != nil {
			return exitWith(exitUnusable, fmt.Errorf("%w\nnothing was imported", err))
		}
		if err := st.PutOrganisations(ctx, orgs); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "imported %d organisations from %s\n", len(orgs), pos[1])
		return nil
	case pos[0] == "list" && len(pos) == 1:
		orgs, err := st.Organisations(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ORGANISATION\tNAME\tCREATION LIMIT\tCREATED\tUNITS")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", o.Code, o.Name, o.CreationLimit, o.Created, strings.Join(o.Units, ";"))
		}
		return tw.Flush()
	}
	return usagef("unknown or incomplete org command %q", strings.Join(pos, " "))
}
