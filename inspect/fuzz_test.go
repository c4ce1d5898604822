package inspect

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzInspect: whatever the input, Inspect must not panic, must not fail
// (the reader and writer cannot), and its answer must be consistent.
func FuzzInspect(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(""))
	f.Add([]byte(multipartMsg("Content-Type: message/rfc822\n\nContent-Type: multipart/mixed; boundary=c\n\n--c\nContent-Type: text/csv\n\na\n--c--\n")))
	p := testPolicy()
	p.MaxAttachmentBytes = 4096
	f.Fuzz(func(t *testing.T, msg []byte) {
		var dst bytes.Buffer
		in, err := Inspect(bytes.NewReader(msg), p, &dst)
		if err != nil {
			t.Fatalf("Inspect: %v", err)
		}
		if (in.CSV == nil) == (in.AttachmentProblem == "") {
			t.Fatalf("CSV = %+v with AttachmentProblem %q: want exactly one", in.CSV, in.AttachmentProblem)
		}
		if in.CSV != nil {
			if in.CSV.Size != int64(dst.Len()) || in.CSV.SHA256 != sha256.Sum256(dst.Bytes()) {
				t.Fatalf("CSV = %+v, but dst holds %d bytes", in.CSV, dst.Len())
			}
			if in.CSV.Size == 0 || in.CSV.Size > p.MaxAttachmentBytes {
				t.Fatalf("CSV.Size = %d, want 1..%d", in.CSV.Size, p.MaxAttachmentBytes)
			}
		}
		if int64(dst.Len()) > p.MaxAttachmentBytes+1 {
			t.Fatalf("dst got %d bytes, want at most %d", dst.Len(), p.MaxAttachmentBytes+1)
		}
		if in.From != strings.ToLower(in.From) {
			t.Fatalf("From = %q, want lower case", in.From)
		}
		for _, s := range []string{in.Subject, in.AttachmentProblem, in.AuthDetail} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if in.Authenticated && in.AuthProblem != "" {
			t.Fatalf("Authenticated with AuthProblem %q", in.AuthProblem)
		}
	})
}

// FuzzParseAuthResults: the parser must not panic, and a result it returns
// must come from text outside comments.
func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{
		"mx.nhs.net; dkim=pass (2048-bit key; unprotected) header.d=nhs.net",
		`mx.nhs.net 1; spf=pass smtp.mailfrom="a;b"@x; dmarc=fail header.from=nhs.net`,
		"spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=nhs.net",
		"mx.nhs.net; none",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		_, results, err := parseAuthResults(v)
		if err != nil && results != nil {
			t.Fatalf("results %v with error %v", results, err)
		}
		for _, r := range results {
			if r.Method == "" || r.Value == "" || strings.ContainsAny(r.Method+r.Value, "() \t") {
				t.Fatalf("bad result %+v from %q", r, v)
			}
		}
	})
}
