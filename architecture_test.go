package connectord_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// modulePath is the project's module; its packages are named in
// docs/architecture.md relative to it.
const modulePath = "connectord"

// TestArchitectureDocMatchesImports checks the package table in
// docs/architecture.md against the import graph from 'go list -deps':
// every package with code is a row, every row is a package, and each row's
// imports column is exactly the project packages that package imports
// (outside its tests).
func TestArchitectureDocMatchesImports(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := packageTable(string(doc))
	if err != nil {
		t.Fatalf("docs/architecture.md: %v", err)
	}
	for _, p := range docProblems(rows, projectImports(t)) {
		t.Errorf("docs/architecture.md: %s", p)
	}
}

// TestDocProblems shows that the check finds each kind of drift.
func TestDocProblems(t *testing.T) {
	graph := map[string][]string{"a": nil, "b": {"a"}, "c": {"a", "b"}}
	tests := []struct {
		name string
		rows map[string][]string
		want []string
	}{
		{"in step", map[string][]string{"a": nil, "b": {"a"}, "c": {"a", "b"}}, nil},
		{"a package missing", map[string][]string{"a": nil, "b": {"a"}},
			[]string{"package c is missing from the table; it imports a, b"}},
		{"a package that is not there", map[string][]string{"a": nil, "b": {"a"}, "c": {"a", "b"}, "d": nil},
			[]string{"package d is in the table but not in the module (or has no code)"}},
		{"an import missing", map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}},
			[]string{"package c imports a, b, not b as the table says"}},
		{"an import too many", map[string][]string{"a": {"b"}, "b": {"a"}, "c": {"a", "b"}},
			[]string{"package a imports nothing of the project, not b as the table says"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := docProblems(tc.rows, graph)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPackageTable(t *testing.T) {
	doc := "# A\n\n## Packages\n\n| package | holds | imports |\n|---|---|---|\n" +
		"| `a` | the a's, with `code` | |\n| `b/c` | c | `a` |\n| `d` | d | `a`, `b/c` |\n\nText.\n\n| other | table |\n|---|---|\n| `x` | y |\n"
	got, err := packageTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"a": nil, "b/c": {"a"}, "d": {"a", "b/c"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{
		"# A\n",
		"## Packages\n\n| package | holds |\n|---|---|\n| `a` | b |\n",
		"## Packages\n\n| package | holds | imports |\n|---|---|---|\n| a | b | |\n",
		"## Packages\n\n| package | holds | imports |\n|---|---|---|\n| `a` | b | c |\n",
	} {
		if _, err := packageTable(bad); err == nil {
			t.Errorf("packageTable(%q): got no error, want one", bad)
		}
	}
}

// packageTable reads the first table after the "## Packages" heading: the
// package in backquotes in the first column and, in the column headed
// "imports", the project packages it imports, each in backquotes and
// separated by commas (blank for none).
func packageTable(doc string) (map[string][]string, error) {
	_, after, ok := strings.Cut(doc, "\n## Packages\n")
	if !ok {
		return nil, errors.New(`no "## Packages" section`)
	}
	var header []string
	rows := make(map[string][]string)
	importsCol := -1
	for _, line := range strings.Split(after, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if header != nil {
				break // the end of the table
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case header == nil:
			header = cells
			importsCol = slices.Index(header, "imports")
			if importsCol < 0 {
				return nil, fmt.Errorf("the package table has no \"imports\" column (its columns: %s)", strings.Join(header, ", "))
			}
			continue
		case strings.HasPrefix(cells[0], "---"):
			continue
		}
		if len(cells) != len(header) {
			return nil, fmt.Errorf("package table row %q has %d columns, want %d", line, len(cells), len(header))
		}
		pkg, ok := quoted(cells[0])
		if !ok {
			return nil, fmt.Errorf("package table row %q: the package must be in backquotes", line)
		}
		var imports []string
		if cells[importsCol] != "" {
			for _, c := range strings.Split(cells[importsCol], ",") {
				imp, ok := quoted(strings.TrimSpace(c))
				if !ok {
					return nil, fmt.Errorf("package %s: imports %q must be a comma-separated list of packages in backquotes", pkg, cells[importsCol])
				}
				imports = append(imports, imp)
			}
		}
		rows[pkg] = imports
	}
	if len(rows) == 0 {
		return nil, errors.New("the package table has no rows")
	}
	return rows, nil
}

// quoted returns s without its backquotes, if s is one backquoted word.
func quoted(s string) (string, bool) {
	if len(s) < 3 || s[0] != '`' || s[len(s)-1] != '`' || strings.ContainsAny(s[1:len(s)-1], "` ") {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// docProblems compares the table's rows with the import graph (both keyed
// by package path within the module), in package order.
func docProblems(rows, graph map[string][]string) []string {
	var probs []string
	for _, pkg := range sortedKeys(graph) {
		documented, ok := rows[pkg]
		want := slices.Sorted(slices.Values(graph[pkg]))
		switch {
		case !ok:
			probs = append(probs, fmt.Sprintf("package %s is missing from the table; it imports %s", pkg, list(want)))
		case !slices.Equal(slices.Sorted(slices.Values(documented)), want):
			probs = append(probs, fmt.Sprintf("package %s imports %s, not %s as the table says", pkg, list(want), list(documented)))
		}
	}
	for _, pkg := range sortedKeys(rows) {
		if _, ok := graph[pkg]; !ok {
			probs = append(probs, fmt.Sprintf("package %s is in the table but not in the module (or has no code)", pkg))
		}
	}
	return probs
}

func list(pkgs []string) string {
	if len(pkgs) == 0 {
		return "nothing of the project"
	}
	return strings.Join(pkgs, ", ")
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// goPackage is what this test reads of 'go list -json'.
type goPackage struct {
	ImportPath string
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Module     *struct{ Path string }
}

// projectImports runs 'go list -deps -json ./...' and returns, for each of
// the module's packages that has non-test code, the module's packages it
// imports outside its tests. Paths are relative to the module.
func projectImports(t *testing.T) map[string][]string {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Fatalf("no go command: %v", err)
		}
	}
	cmd := exec.Command(goBin, "list", "-deps", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps -json ./...: %v\n%s", err, stderr.String())
	}
	graph := make(map[string][]string)
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Module == nil || p.Module.Path != modulePath || len(p.GoFiles)+len(p.CgoFiles) == 0 {
			continue
		}
		var imports []string
		for _, imp := range p.Imports {
			if rel, ok := strings.CutPrefix(imp, modulePath+"/"); ok {
				imports = append(imports, rel)
			}
		}
		graph[strings.TrimPrefix(p.ImportPath, modulePath+"/")] = imports
	}
	if len(graph) < 10 {
		t.Fatalf("go list found %d project packages; it is not seeing the module", len(graph))
	}
	return graph
}
