// Package connectord_test holds checks on the project's source as a whole:
// sizes (this file) and the package table in docs/architecture.md
// (architecture_test.go). It has no code of its own.
package connectord_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The house limits: a non-test file holds one idea, a function one job.
const (
	maxFileLines = 400
	maxFuncLines = 80
)

// TestNoLongFilesOrFunctions fails naming each non-test Go file over
// maxFileLines lines and each function (or function literal) in one over
// maxFuncLines lines, counted from its func keyword to its closing brace.
func TestNoLongFilesOrFunctions(t *testing.T) {
	files := sourceFiles(t, ".")
	if len(files) < 50 {
		t.Fatalf("found %d non-test Go files; the walk is not seeing the project", len(files))
	}
	for _, path := range files {
		for _, msg := range sizeProblems(t, path) {
			t.Error(msg)
		}
	}
}

// TestSizeProblemsFindsLongCode keeps the check itself honest: a long
// file and a long function, each one line over the limit, are both named,
// and code at the limit is not.
func TestSizeProblemsFindsLongCode(t *testing.T) {
	body := func(n int) string { return strings.Repeat("\t_ = 0\n", n) }
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"function at the limit", "package p\n\nfunc f() {\n" + body(maxFuncLines-2) + "}\n", nil},
		{"function one line over", "package p\n\nfunc f() {\n" + body(maxFuncLines-1) + "}\n",
			[]string{fmt.Sprintf("f.go:3: func f is %d lines", maxFuncLines+1)}},
		{"method one line over", "package p\n\ntype T int\n\nfunc (T) m() {\n" + body(maxFuncLines-1) + "}\n",
			[]string{fmt.Sprintf("f.go:5: func m is %d lines", maxFuncLines+1)}},
		{"function literal one line over", "package p\n\nvar v = func() {\n" + body(maxFuncLines-1) + "}\n",
			[]string{fmt.Sprintf("f.go:3: a function literal is %d lines", maxFuncLines+1)}},
		{"file at the limit", "package p\n" + strings.Repeat("\n", maxFileLines-1), nil},
		{"file one line over", "package p\n" + strings.Repeat("\n", maxFileLines),
			[]string{fmt.Sprintf("f.go is %d lines", maxFileLines+1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.go")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			got := sizeProblems(t, path)
			for i := range got {
				got[i] = strings.TrimPrefix(got[i], filepath.Dir(path)+string(filepath.Separator))
			}
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasPrefix(got[i], tc.want[i]+";")
			}
			if !ok {
				t.Errorf("got %q, want %q (each followed by what to do)", got, tc.want)
			}
		})
	}
}

// sourceFiles lists the non-test, non-generated Go files under root, as
// the go command sees a module: it skips testdata, directories whose name
// starts with . or _, and other modules.
func sourceFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sizeProblems names what in the Go file at path is over the limits.
// Generated files are exempt.
func sizeProblems(t *testing.T, path string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if ast.IsGenerated(f) {
		return nil
	}
	var probs []string
	if n := bytes.Count(src, []byte("\n")); n > maxFileLines {
		probs = append(probs, fmt.Sprintf("%s is %d lines; split it by job (at most %d)", path, n, maxFileLines))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		var what string
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body == nil {
				return false
			}
			what = "func " + n.Name.Name
		case *ast.FuncLit:
			what = "a function literal"
		default:
			return true
		}
		start, end := fset.Position(n.Pos()), fset.Position(n.End())
		if lines := end.Line - start.Line + 1; lines > maxFuncLines {
			probs = append(probs, fmt.Sprintf("%s:%d: %s is %d lines; split it into helpers (at most %d)",
				path, start.Line, what, lines, maxFuncLines))
		}
		return true
	})
	return probs
}
