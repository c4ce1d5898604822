package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// buildVersion says which build this is: the module version, else the
// source revision it was built from (with "+changes" when the tree had
// uncommitted changes), and the Go version.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		v = rev[:min(12, len(rev))]
		if dirty {
			v += "+changes"
		}
		if at != "" {
			v += " (" + at + ")"
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v + " " + bi.GoVersion
}

func runVersion(_ context.Context, a *app, args []string) error {
	if len(args) != 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(a.stdout, "connectord %s\n", buildVersion())
	return nil
}
