// Package atomicfile writes a file whole or not at all: the bytes go to a
// temporary file beside it, which is flushed to stable storage and renamed
// into place only on Commit; the directory is flushed too, so the new name
// survives a power cut as well as a killed process.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File is a file being written.
type File struct {
	f    *os.File
	w    *bufio.Writer
	path string
	done bool
}

// Create starts writing path (its directory is created when missing).
func Create(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{f: f, w: bufio.NewWriterSize(f, 64<<10), path: path}, nil
}

// Writer is where the contents go.
func (a *File) Writer() io.Writer { return a.w }

// TempName is the temporary file's path while it is being written.
func (a *File) TempName() string { return a.f.Name() }

// Commit makes the file durable and puts it in place.
func (a *File) Commit() error {
	if a.done {
		return nil
	}
	err := a.w.Flush()
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err == nil {
		err = SyncDir(filepath.Dir(a.path))
	}
	a.done = true
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

// Abort drops an uncommitted file; it is a no-op after Commit.
func (a *File) Abort() {
	if !a.done {
		a.done = true
		a.f.Close()
		os.Remove(a.f.Name())
	}
}

// SyncDir flushes a directory's entries (a new name, a rename) to stable
// storage.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
