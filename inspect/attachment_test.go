package inspect

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// csvRows produces size bytes of CSV rows on the fly.
type csvRows struct {
	left int64
	row  int
	buf  []byte
}

func (c *csvRows) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	if len(c.buf) == 0 {
		c.row++
		c.buf = fmt.Appendf(c.buf, "user%07d@nhs.net,First%d,Last%d,Nurse\r\n", c.row, c.row, c.row)
	}
	n := copy(p, c.buf)
	if int64(n) > c.left {
		n = int(c.left)
	}
	c.buf = c.buf[n:]
	c.left -= int64(n)
	return n, nil
}

// base64Lines base64-encodes a stream into 76-character CRLF lines.
type base64Lines struct {
	src io.Reader
	raw [57 * 64]byte
	out []byte
}

func (b *base64Lines) Read(p []byte) (int, error) {
	if len(b.out) == 0 {
		n, _ := io.ReadFull(b.src, b.raw[:])
		if n == 0 {
			return 0, io.EOF
		}
		b.out = b.out[:0]
		for i := 0; i < n; i += 57 {
			end := min(i+57, n)
			b.out = base64.StdEncoding.AppendEncode(b.out, b.raw[i:end])
			b.out = append(b.out, '\r', '\n')
		}
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

const bigHead = `Return-Path: <alice@nhs.net>
Authentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net
From: alice@nhs.net
To: connector.data@nhs.net
Subject: big
Message-ID: <big@nhs.net>
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

Big file attached.
--b
Content-Type: text/csv; name="big.csv"
Content-Disposition: attachment; filename="big.csv"
Content-Transfer-Encoding: base64

`

// bigMessage streams a submission whose CSV has size decoded bytes; nothing
// is held in memory.
func bigMessage(size int64) io.Reader {
	return io.MultiReader(
		strings.NewReader(crlf(bigHead)),
		&base64Lines{src: &csvRows{left: size}},
		strings.NewReader("--b--\r\n"),
	)
}

// countingWriter counts bytes and hashes them, keeping nothing.
type countingWriter struct {
	n    int64
	hash [32]byte
	h    interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func newCountingWriter() *countingWriter { return &countingWriter{h: sha256.New()} }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// eofReader records whether its reader was read to the end.
type eofReader struct {
	r    io.Reader
	n    int64
	done bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.n += int64(n)
	if err == io.EOF {
		e.done = true
	}
	return n, err
}

func TestInspectLargeAttachmentStreams(t *testing.T) {
	tests := []struct {
		name    string
		size    int64
		limit   int64
		problem string
	}{
		{"20 MiB is accepted", 20 << 20, 0, ""},
		{"21 MiB is too large", 21 << 20, 0, `The CSV file "big.csv" is larger than the 20 MiB limit.`},
		{"at a small limit", 1000, 1000, ""},
		{"one byte over a small limit", 1001, 1000, `larger than the 1000 bytes limit`},
		{"smaller than the sniffed head but over the limit", 5, 4, `larger than the 4 bytes limit`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.size > 1<<20 && testing.Short() {
				t.Skip("large attachment: skipped with -short")
			}
			p := testPolicy()
			p.MaxAttachmentBytes = tc.limit
			limit := p.AttachmentLimit()
			src := &eofReader{r: bigMessage(tc.size)}
			dst := newCountingWriter()
			in, err := Inspect(src, p, dst)
			if err != nil {
				t.Fatal(err)
			}
			checkText(t, "AttachmentProblem", in.AttachmentProblem, tc.problem)
			if !src.done {
				t.Errorf("Inspect stopped after %d bytes; want the message read to its end", src.n)
			}
			if dst.n > limit+1 {
				t.Errorf("wrote %d bytes to dst, want at most limit+1 = %d", dst.n, limit+1)
			}
			if tc.problem != "" {
				if in.CSV != nil {
					t.Errorf("CSV = %+v, want nil", in.CSV)
				}
				return
			}
			want := sha256.New()
			if _, err := io.Copy(want, &csvRows{left: tc.size}); err != nil {
				t.Fatal(err)
			}
			if in.CSV == nil || in.CSV.Size != tc.size || dst.n != tc.size {
				t.Fatalf("CSV = %+v, wrote %d; want Size %d", in.CSV, dst.n, tc.size)
			}
			if !bytes.Equal(in.CSV.SHA256[:], want.Sum(nil)) || !bytes.Equal(dst.h.Sum(nil), want.Sum(nil)) {
				t.Errorf("SHA256 = %x, want %x", in.CSV.SHA256, want.Sum(nil))
			}
		})
	}
}

const edgeHead = `Return-Path: <alice@nhs.net>
Authentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net
From: alice@nhs.net
Subject: edge
`

// multipartMsg builds a multipart/mixed message from part texts.
func multipartMsg(parts ...string) string {
	s := edgeHead + "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	for _, p := range parts {
		s += "--b\n" + p + "\n"
	}
	return crlf(s + "--b--\n")
}

func TestInspectEdgeCases(t *testing.T) {
	csvB64 := base64.StdEncoding.EncodeToString(csvStaff)
	csvPart := "Content-Type: text/csv; name=\"a.csv\"\nContent-Transfer-Encoding: base64\n\n" + csvB64 + "\n"
	nested := csvPart
	for range 12 {
		nested = "Content-Type: multipart/mixed; boundary=\"n" + fmt.Sprint(len(nested)) + "\"\n\n--n" + fmt.Sprint(len(nested)) + "\n" +
			nested + "\n--n" + fmt.Sprint(len(nested)) + "--\n"
	}
	forwardedB64 := base64.StdEncoding.EncodeToString([]byte(crlf("From: bob@nhs.net\nContent-Type: text/csv; name=\"fwd.csv\"\n\n") + string(csvStaff)))

	tests := []struct {
		name     string
		msg      string
		problem  string
		csvName  string
		csv      []byte
		sender   string
		others   int
		automatd string
	}{
		{name: "garbage", msg: "\x00\x01\x02 this is not mail \xff", problem: "The email could not be read completely: malformed header",
			sender: "no From field"},
		{name: "empty input", msg: "", problem: "No CSV file is attached.", sender: "no From field"},
		{name: "header only", msg: "From: alice@nhs.net", problem: "No CSV file is attached."},
		{name: "whole message is the CSV", msg: crlf(edgeHead+"Content-Type: text/csv\n\n") + string(csvStaff), csv: csvStaff},
		{name: "unnamed text/csv part", msg: multipartMsg("Content-Type: text/csv\n\n" + string(csvStaff)), csv: csvStaff},
		{name: "upper-case extension", msg: multipartMsg("Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=STAFF.CSV\nContent-Transfer-Encoding: base64\n\n" + csvB64),
			csvName: "STAFF.CSV", csv: csvStaff},
		{name: "inline disposition with csv filename", msg: multipartMsg("Content-Type: text/plain\nContent-Disposition: inline; filename=\"a.csv\"\n\n" + string(csvStaff)),
			csvName: "a.csv", csv: csvStaff},
		{name: "LF line ends", msg: strings.ReplaceAll(multipartMsg(csvPart), "\r\n", "\n"), csvName: "a.csv", csv: csvStaff},
		{name: "8bit body with LF line ends keeps LF", msg: strings.ReplaceAll(multipartMsg("Content-Type: text/csv; name=a.csv\n\na,b\nc,d\n"), "\r\n", "\n"),
			csvName: "a.csv", csv: []byte("a,b\nc,d\n")},
		{name: "csv and a pdf", msg: multipartMsg(csvPart, "Content-Type: application/pdf; name=\"guide.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n"),
			csvName: "a.csv", csv: csvStaff, others: 1},
		{name: "csv inside a base64 forwarded message", msg: multipartMsg("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" + forwardedB64),
			csvName: "fwd.csv", csv: csvStaff},
		{name: "three csvs", msg: multipartMsg(csvPart, csvPart, csvPart), problem: `The email has 3 CSV files attached ("a.csv", "a.csv", "a.csv")`},
		{name: "truncated csv", msg: strings.TrimSuffix(multipartMsg(csvPart), "\r\n--b--\r\n")[:300], problem: `The email ended before the CSV file "a.csv" was complete`},
		{name: "missing final boundary", msg: strings.TrimSuffix(multipartMsg(csvPart), "--b--\r\n"), problem: `ended before the CSV file "a.csv" was complete`},
		{name: "corrupt base64", msg: multipartMsg("Content-Type: text/csv; name=\"a.csv\"\nContent-Transfer-Encoding: base64\n\nYSxi!!!!\n"),
			problem: `The CSV file "a.csv" could not be decoded (illegal base64 data`},
		{name: "empty csv", msg: multipartMsg("Content-Type: text/csv; name=\"a.csv\"\n\n"), problem: `The CSV file "a.csv" is empty.`},
		{name: "old excel named csv", msg: multipartMsg("Content-Type: application/vnd.ms-excel; name=\"a.csv\"\nContent-Transfer-Encoding: base64\n\n" +
			base64.StdEncoding.EncodeToString(append([]byte(oleMagic), "rest of workbook"...))), problem: "it is an Excel 97-2003 workbook named .csv"},
		{name: "zip", msg: multipartMsg("Content-Type: application/zip; name=\"staff.zip\"\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n"),
			problem: `No CSV file is attached: "staff.zip" is a zip archive. Attach the .csv file itself, not compressed.`, others: 1},
		{name: "ods", msg: multipartMsg("Content-Type: application/octet-stream; name=\"staff.ods\"\n\nx"),
			problem: `"staff.ods" is an OpenDocument spreadsheet`, others: 1},
		{name: "excel by type only", msg: multipartMsg("Content-Type: application/vnd.ms-excel\n\nx"),
			problem: `No CSV file is attached: (unnamed) is an Excel workbook`, others: 1},
		{name: "winmail.dat", msg: multipartMsg("Content-Type: application/ms-tnef; name=\"winmail.dat\"\n\nx"),
			problem: "Outlook rich-text envelope (winmail.dat). Send the email in HTML or plain-text format", others: 1},
		{name: "smime", msg: multipartMsg("Content-Type: application/pkcs7-mime; name=\"smime.p7m\"\n\nx"),
			problem: "encrypted or signed (S/MIME) email", others: 1},
		{name: "our own results email forwarded back", msg: multipartMsg("Content-Type: message/rfc822\n\nFrom: connector.data@nhs.net\nX-Connectord-Loop: 1\nContent-Type: text/csv; name=\"results.csv\"\n\na,b\n"),
			problem: "the forwarded email is a results email from this service"},
		{name: "nested too deep", msg: multipartMsg(nested), problem: "nested more than 10 levels deep"},
		{name: "multipart without boundary", msg: crlf(edgeHead + "Content-Type: multipart/mixed\n\n--b\n\n"), problem: "a multipart section has no boundary"},
		{name: "part header over 1 MiB", msg: multipartMsg("X-Big: " + strings.Repeat("a", 1<<20+16<<10) + "\nContent-Type: text/csv\n\na,b\n"),
			problem: "a header block is larger than 1 MiB"},
		{name: "message header over 1 MiB", msg: crlf("From: alice@nhs.net\nX-Big: " + strings.Repeat("a", 1<<20+16<<10) + "\n\n"),
			problem: "a header block is larger than 1 MiB"},
		{name: "broken structure after a good csv", msg: multipartMsg(csvPart, "Content-Type text/plain broken header line\n\nx"),
			problem: "The email could not be read completely"},
		{name: "bounce quoting our results", msg: crlf("Return-Path: <>\nFrom: MAILER-DAEMON@mx.nhs.net\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: text/plain\n\nfailed\n--r\nContent-Type: message/rfc822\n\nFrom: connector.data@nhs.net\nContent-Type: text/csv; name=results.csv\n\na,b\n--r--\n"),
			automatd: "empty return path", csvName: "results.csv", csv: []byte("a,b"), sender: "not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dst bytes.Buffer
			in, err := Inspect(strings.NewReader(tc.msg), testPolicy(), &dst)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			checkText(t, "AttachmentProblem", in.AttachmentProblem, tc.problem)
			checkText(t, "SenderProblem", in.SenderProblem, tc.sender)
			checkText(t, "Automatic", in.Automatic, tc.automatd)
			if len(in.Others) != tc.others {
				t.Errorf("Others = %+v, want %d", in.Others, tc.others)
			}
			if tc.csv == nil {
				if in.CSV != nil {
					t.Errorf("CSV = %+v, want nil", in.CSV)
				}
				return
			}
			if in.CSV == nil {
				t.Fatalf("CSV = nil, want one (problem %q)", in.AttachmentProblem)
			}
			if in.CSV.Filename != tc.csvName {
				t.Errorf("CSV.Filename = %q, want %q", in.CSV.Filename, tc.csvName)
			}
			if !bytes.Equal(dst.Bytes(), tc.csv) {
				t.Errorf("CSV bytes = %q, want %q", dst.Bytes(), tc.csv)
			}
		})
	}
}

var errBoom = errors.New("boom")

// failingReader returns its data and then errBoom.
type failingReader struct{ r io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errBoom
	}
	return n, err
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errBoom }

func TestInspectIOErrors(t *testing.T) {
	msg := multipartMsg("Content-Type: text/csv; name=\"a.csv\"\n\n" + string(csvStaff))
	tests := []struct {
		name string
		r    io.Reader
		w    io.Writer
		want string
	}{
		{"read fails in the header", &failingReader{strings.NewReader("From: a@nhs.net\nSubj")}, io.Discard, "read message: boom"},
		{"read fails in the csv", &failingReader{strings.NewReader(msg[:len(msg)-40])}, io.Discard, "read message: boom"},
		{"read fails after the last part", &failingReader{strings.NewReader(msg)}, io.Discard, "read message: boom"},
		{"write fails", strings.NewReader(msg), failingWriter{}, "write attachment: boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Inspect(tc.r, testPolicy(), tc.w)
			if !errors.Is(err, errBoom) || err.Error() != tc.want {
				t.Fatalf("Inspect error = %v, want %q wrapping errBoom", err, tc.want)
			}
			if in != nil {
				t.Errorf("Inspection = %+v, want nil", in)
			}
		})
	}
}

// TestInspectReadsEverything: a caller that tees the message into a spool
// file gets all of it, whatever Inspect needed.
func TestInspectReadsEverything(t *testing.T) {
	msg := multipartMsg("Content-Type: text/csv; name=\"a.csv\"\n\n"+string(csvStaff)) + "epilogue that nobody needs\r\n"
	var spool bytes.Buffer
	if _, err := Inspect(io.TeeReader(strings.NewReader(msg), &spool), testPolicy(), nil); err != nil {
		t.Fatal(err)
	}
	if spool.String() != msg {
		t.Errorf("tee got %d bytes, want %d", spool.Len(), len(msg))
	}
}

func BenchmarkInspect(b *testing.B) {
	for _, size := range []int64{2 << 10, 20 << 20} {
		var msg bytes.Buffer
		if _, err := io.Copy(&msg, bigMessage(size)); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(msg.Len()))
			p := testPolicy()
			for b.Loop() {
				in, err := Inspect(bytes.NewReader(msg.Bytes()), p, io.Discard)
				if err != nil || in.CSV == nil || in.CSV.Size != size {
					b.Fatalf("Inspect = %+v, %v", in, err)
				}
			}
		})
	}
}
