package pushfile

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf16"
)

// utf16Bytes encodes s as UTF-16 with a byte order mark.
func utf16Bytes(s string, bigEndian bool) []byte {
	units := utf16.Encode([]rune("\uFEFF" + s))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func TestEncodings(t *testing.T) {
	const text = "FirstName,LastName,Local ID,Organisation\r\nRené,Dupré £5,A1,RR8\r\n"
	tests := []struct {
		name    string
		in      []byte
		wantEnc string
	}{
		{"utf-8", []byte(text), "UTF-8"},
		{"utf-8 bom", append([]byte("\xEF\xBB\xBF"), text...), "UTF-8 with BOM"},
		{"windows-1252", []byte(strings.NewReplacer("é", "\xE9", "£", "\xA3").Replace(text)), "Windows-1252"},
		{"utf-16le bom", utf16Bytes(text, false), "UTF-16LE"},
		{"utf-16be bom", utf16Bytes(text, true), "UTF-16BE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(bytes.NewReader(tc.in), Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got := r.Encoding(); got != tc.wantEnc {
				t.Errorf("got encoding %q, want %q", got, tc.wantEnc)
			}
			if got, want := r.Header()[0], "FirstName"; got != want {
				t.Errorf("got first header cell %q, want %q", got, want)
			}
			row, err := r.Next()
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if got, want := row.Value[FirstName]+"|"+row.Value[LastName], "René|Dupré £5"; got != want {
				t.Errorf("got names %q, want %q", got, want)
			}
		})
	}
}

func TestNotText(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string // part of the message
	}{
		{"empty", nil, "the file is empty"},
		{"blank lines only", []byte("\r\n \r\n,,,\r\n"), "the file is empty"},
		{"bom only", []byte("\xEF\xBB\xBF"), "the file is empty"},
		{"xlsx", []byte("PK\x03\x04\x14\x00\x06\x00rest of the zip"), "Excel workbook (.xlsx) or a zip archive"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), "old Excel workbook (.xls)"},
		{"pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), "PDF document"},
		{"nul bytes", []byte("FirstName,LastName\n\x00\x01\x02\x03binary"), "contains NUL bytes"},
		{"utf-16 without bom", utf16Bytes("FirstName,LastName,Local ID,Organisation\r\n", false)[2:], "UTF-16 text without a byte order mark"},
		{"utf-32", []byte("\xFF\xFE\x00\x00F\x00\x00\x00"), "UTF-32"},
		{"utf-16 NUL character", utf16Bytes("FirstName,LastName,Local ID,Organisation\r\nA\x00,B,C,RR8\r\n", false), "contains NUL characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(tc.in), Options{})
			msgs := fileProblems(t, err)
			if len(msgs) != 1 || !strings.Contains(msgs[0], tc.want) {
				t.Errorf("got %q, want one problem containing %q", msgs, tc.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("got a message of several lines %q, want one line", err.Error())
			}
		})
	}
}

func TestNULAfterFirstChunk(t *testing.T) {
	in := "FirstName,LastName,Local ID,Organisation\n" + strings.Repeat("Ann,Smith,,RR8\n", 10000) + "\x00"
	_, err := Open(strings.NewReader(in), Options{})
	if msgs := fileProblems(t, err); len(msgs) != 1 || !strings.Contains(msgs[0], "NUL") {
		t.Errorf("got %q, want the NUL problem", msgs)
	}
}

// TestChunkBoundary puts a multi-byte character across the boundary of the
// first pass's chunks: the file must still be read as UTF-8. An invalid
// byte far into the file must still switch it to Windows-1252.
func TestChunkBoundary(t *testing.T) {
	header := "FirstName,LastName,Local ID,Organisation\n"
	for shift := range 4 {
		pad := sniffChunk - len(header) - 1 - shift
		for _, tail := range []struct {
			name, bytes, wantEnc string
		}{
			{"valid é", "é", "UTF-8"},
			{"valid 😀", "😀", "UTF-8"},
			{"invalid", "\xE9x", "Windows-1252"},
			{"truncated at end", "\xE2\x82", "Windows-1252"},
		} {
			t.Run(tail.name+"/shift"+string(rune('0'+shift)), func(t *testing.T) {
				in := header + "A" + strings.Repeat("a", pad) + tail.bytes + ",B,,RR8\n"
				r, err := Open(strings.NewReader(in), Options{})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if got := r.Encoding(); got != tail.wantEnc {
					t.Errorf("got %q, want %q", got, tail.wantEnc)
				}
			})
		}
	}
}

func TestCompleteUTF8(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"abc", 3},
		{"ab\xC3", 2},
		{"ab\xC3\xA9", 4},
		{"a\xE2\x82", 1},
		{"a\xE2\x82\xAC", 4},
		{"\xF0\x9F\x98", 0},
		{"\xF0\x9F\x98\x80", 4},
		{"\x80\x80\x80\x80", 4}, // invalid: left to utf8.Valid
		{"", 0},
	}
	for _, tc := range tests {
		if got := completeUTF8([]byte(tc.in)); got != tc.want {
			t.Errorf("completeUTF8(%q): got %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestBOMWithInvalidUTF8(t *testing.T) {
	in := "\xEF\xBB\xBFFirstName,LastName,Local ID,Organisation\nRen\xE9,Smith,A1,RR8\n"
	rows := mustReadAll(t, in, Options{})
	if got, want := rows[0].Detail, "FirstName: "+badCharsMessage; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCROnlyLineEnds(t *testing.T) {
	in := "FirstName,LastName,Local ID,Organisation\rAnn,Smith,A1,RR8\rBob,Jones,A2,RR8\r"
	rows := mustReadAll(t, in, Options{})
	if len(rows) != 2 || rows[1].Line != 3 || rows[1].Value[FirstName] != "Bob" {
		t.Errorf("got %+v, want 2 rows, Bob on line 3", rows)
	}
}
