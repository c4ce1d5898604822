package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary stand in for connectord in subprocess
// tests (kill tests): with CONNECTORD_RUN_MAIN=1 it runs the program.
func TestMain(m *testing.M) {
	if os.Getenv("CONNECTORD_RUN_MAIN") == "1" {
		a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
		kill := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
		switch os.Getenv("CONNECTORD_CRASH") {
		case "after-spool":
			a.hooks.afterSpool = kill
		case "after-record":
			a.hooks.afterRecord = kill
		case "after-file":
			a.hooks.afterFile = kill
		case "after-hand-off":
			a.hooks.afterHandOff = kill
		case "after-purge":
			a.hooks.afterPurge = kill
		case "after-apply":
			a.hooks.afterApply = kill
		}
		adCrashPoints(&a.hooks, os.Getenv("CONNECTORD_CRASH"), kill)
		os.Exit(runApp(context.Background(), a, os.Args[1:]))
	}
	os.Exit(dcs.Run(m))
}

// cli runs one command in-process against the database db.
type cli struct {
	t  *testing.T
	db string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, db: filepath.Join(t.TempDir(), "c.db")}
}

// run returns stdout, stderr and the exit code.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"-db", c.db}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// must runs a command that must succeed.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("connectord %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// loadSample loads the shipped organisations, roster and directory.
func (c *cli) loadSample() {
	c.t.Helper()
	c.must("org", "import", "../../testdata/organisations.csv")
	c.must("senders", "add", "admin.leeds@nhs.net", "-org", "RR8,A81001")
	c.must("directory", "import", "../../testdata/directory.csv")
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodFile = "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		args     []string
		wantCode int
		wantOut  []string
	}{
		{"all valid", goodFile, nil, 0, []string{"1 rows: 1 valid, 0 invalid"}},
		{"some invalid", goodFile + "Bob,,N2,RR8\r\n", nil, 1, []string{"f.csv:3: LastName:", "2 rows: 1 valid, 1 invalid"}},
		{"unusable", "FirstName,Surname\r\nA,B\r\n", nil, 2, []string{"f.csv:1:", "Surname", "nothing was applied"}},
		{"csv format", goodFile + "Bob,,N2,RR8\r\n", []string{"-format", "csv"}, 1, []string{"Result", "VALID", "INVALID"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			dir := t.TempDir()
			path := filepath.Join(dir, "f.csv")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			out, errs, code := c.run(append(append([]string{"validate"}, tc.args...), "f.csv")...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errs)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestProcessExitCodes(t *testing.T) {
	c := newCLI(t)
	c.loadSample()
	good := writeFile(t, "good.csv", goodFile)
	bad := writeFile(t, "bad.csv", "Nonsense\r\nx\r\n")
	if _, errs, code := c.run("process", "-sender", "stranger@nhs.net", good); code != 3 || !strings.Contains(errs, "not on the Connector roster") {
		t.Errorf("unknown sender: exit %d, %q; want 3", code, errs)
	}
	if _, _, code := c.run("process", "-sender", "admin.leeds@nhs.net", bad); code != 2 {
		t.Errorf("unusable file: exit %d, want 2", code)
	}
	out, errs, code := c.run("process", "-sender", "admin.leeds@nhs.net", good)
	if code != 0 || !strings.Contains(out, "PROCESSED_NEW") || !strings.Contains(errs, "PROCESSED_NEW 1") {
		t.Errorf("good file: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// The same file again changes nothing.
	if out, _, _ := c.run("process", "-sender", "admin.leeds@nhs.net", good); !strings.Contains(out, "PROCESSED_NOCHANGE") {
		t.Errorf("second run: got %s, want PROCESSED_NOCHANGE", out)
	}
}

func TestProcessWritesOutputWhole(t *testing.T) {
	c := newCLI(t)
	c.loadSample()
	out := filepath.Join(t.TempDir(), "results.csv")
	c.must("process", "-sender", "admin.leeds@nhs.net", "-o", out, "../../testdata/push-sample.csv")
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\uFEFF")) || !bytes.Contains(data, []byte("PROCESSED_DUPLICATE")) {
		t.Errorf("results file: %s", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("left temporary files behind: %v", entries)
	}
}

func TestDirectoryRoundTrip(t *testing.T) {
	c := newCLI(t)
	c.loadSample()
	c.must("process", "-sender", "admin.leeds@nhs.net", "../../testdata/push-sample.csv")
	first := filepath.Join(t.TempDir(), "export1.csv")
	c.must("directory", "export", "-o", first)
	c2 := newCLI(t)
	c2.must("org", "import", "../../testdata/organisations.csv")
	c2.must("directory", "import", first)
	second := c2.must("directory", "export")
	want, _ := os.ReadFile(first)
	if second != string(want) {
		t.Errorf("export → import → export differs:\nfirst:\n%s\nsecond:\n%s", want, second)
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"process", "-sender", "a@nhs.net", "/nonexistent/file.csv"},
		{"validate", "/nonexistent/file.csv"},
		{"senders", "add", "a@nhs.net", "-org", "NOPE"},
		{"senders", "remove", "nobody@nhs.net"},
		{"org", "import", "/nonexistent.csv"},
		{"frobnicate"},
		{"-config", "/nonexistent.yaml", "org", "list"},
	} {
		_, errs, code := c.run(args...)
		first, _, _ := strings.Cut(strings.TrimSpace(errs), "\n")
		if code == 0 || !strings.HasPrefix(first, "connectord") || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: exit %d, stderr %q; want a non-zero exit and one clear line", args, code, errs)
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	c := newCLI(t)
	out := c.must("help")
	for _, cmd := range []string{"validate", "process", "org", "senders", "directory"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("help lacks %s", cmd)
		}
		if o := c.must("help", cmd); !strings.Contains(o, "usage: connectord "+cmd) {
			t.Errorf("help %s: %s", cmd, o)
		}
	}
}

func TestVersion(t *testing.T) {
	out := newCLI(t).must("version")
	if !strings.HasPrefix(out, "connectord ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version: %q, want connectord, the build and the Go version", out)
	}
}
