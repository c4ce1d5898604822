package main

import (
	"context"
	"fmt"
	"strings"
)

func mainUsage() string {
	var b strings.Builder
	b.WriteString(`connectord: the NHSmail push connector.

usage: connectord [-config FILE] [-db PATH] COMMAND [ARGS]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Global flags (also accepted after the command):
  -config FILE  configuration file (default ./connectord.yaml if present)
  -db PATH      database (default DATA_DIR/connectord.db, that is ./var/connectord.db)

Run 'connectord help COMMAND' for a command's arguments and exit status.
`)
	return b.String()
}

func runHelp(_ context.Context, a *app, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(a.stdout, mainUsage())
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			fmt.Fprintf(a.stdout, "usage: %s\n", c.usage)
			return nil
		}
	}
	return usagef("no command %q", args[0])
}
