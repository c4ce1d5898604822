package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"connectord/internal/synth"
)

// A process killed (SIGKILL) part-way through a file leaves the directory
// exactly as before the file; running the file again afterwards gives the
// same directory as a run that was never interrupted.
func TestKillMidFile(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test builds a 25,000-row data set")
	}
	dir := t.TempDir()
	set := synth.Set{Rows: 25000, Orgs: 20, Update: 0.3, Create: 0.1, Seed: 7}
	for name, write := range map[string]func(io.Writer) error{
		"orgs.csv": set.Organisations, "directory.csv": set.Directory, "push.csv": set.PushFile,
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	orgs := ""
	for i := range set.Orgs {
		if i > 0 {
			orgs += ","
		}
		orgs += synth.OrgCode(i)
	}
	load := func(c *cli) {
		c.must("org", "import", filepath.Join(dir, "orgs.csv"))
		c.must("senders", "add", "bulk@nhs.net", "-org", orgs)
		c.must("directory", "import", filepath.Join(dir, "directory.csv"))
	}
	killed, clean := newCLI(t), newCLI(t)
	load(killed)
	load(clean)
	before := killed.must("directory", "export")

	cmd := exec.Command(os.Args[0], "-db", killed.db, "process", "-sender", "bulk@nhs.net", filepath.Join(dir, "push.csv"))
	cmd.Env = append(os.Environ(), "CONNECTORD_RUN_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Results stream out as rows are applied: once 512 KiB has come, the
	// process is part-way through the file.
	if _, err := io.CopyN(io.Discard, stdout, 512<<10); err != nil {
		t.Fatalf("reading results before the kill: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	if after := killed.must("directory", "export"); after != before {
		t.Fatal("the directory changed after a process killed mid-file")
	}
	killed.must("process", "-sender", "bulk@nhs.net", filepath.Join(dir, "push.csv"))
	clean.must("process", "-sender", "bulk@nhs.net", filepath.Join(dir, "push.csv"))
	if a, b := killed.must("directory", "export"), clean.must("directory", "export"); a != b {
		t.Error("killed-then-rerun directory differs from an uninterrupted run")
	}
}
