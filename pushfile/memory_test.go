package pushfile

import (
	"bytes"
	"runtime"
	"testing"
)

// TestMemoryDoesNotGrowWithFile reads a 15 MB file and checks what the
// Reader holds at the end: the Local ID set (a few bytes per row) and its
// buffers, never the file.
func TestMemoryDoesNotGrowWithFile(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a large file")
	}
	data := benchFile(benchRows)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := Open(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	const perRow = 40 // the ID set takes 16 to 32 bytes a row
	t.Logf("held %d bytes after reading %d bytes", held, len(data))
	if limit := int64(benchRows*perRow + 1<<20); held > limit {
		t.Errorf("got %d bytes held after reading %d bytes, want at most %d", held, len(data), limit)
	}
	runtime.KeepAlive(r)
	runtime.KeepAlive(data)
}
