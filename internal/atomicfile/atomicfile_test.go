package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// A file appears whole on Commit, never on Abort, and an old file of the
// same name stays as it was until the new one replaces it; no temporary
// file is left either way.
func TestCommitAndAbort(t *testing.T) {
	for _, tc := range []struct {
		name   string
		old    string // existing content, "" for none
		commit bool
		want   string // content afterwards, "" for no file
	}{
		{name: "new file committed", commit: true, want: "new,rows\r\n"},
		{name: "new file aborted"},
		{name: "replaced on commit", old: "old\r\n", commit: true, want: "new,rows\r\n"},
		{name: "kept on abort", old: "old\r\n", want: "old\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "results", "7.csv") // the directory is made
			if tc.old != "" {
				os.MkdirAll(filepath.Dir(path), 0o750)
				os.WriteFile(path, []byte(tc.old), 0o640)
			}
			f, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			f.Writer().Write([]byte("new,rows\r\n"))
			if got, _ := os.ReadFile(path); string(got) != tc.old {
				t.Errorf("before commit the file reads %q, want %q", got, tc.old)
			}
			if tc.commit {
				if err := f.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			f.Abort() // after Commit: nothing
			got, err := os.ReadFile(path)
			switch {
			case tc.want == "" && !os.IsNotExist(err):
				t.Errorf("file exists (%q, %v), want none", got, err)
			case tc.want != "" && string(got) != tc.want:
				t.Errorf("file reads %q (%v), want %q", got, err, tc.want)
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			for _, e := range entries {
				if e.Name() != "7.csv" {
					t.Errorf("left behind %s", e.Name())
				}
			}
		})
	}
}
