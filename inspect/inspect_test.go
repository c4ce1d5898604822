package inspect

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
)

// The CSV bodies encoded in testdata/*.eml, byte for byte.
var (
	csvStaff = []byte("EmailAddress,FirstName,LastName,ClinicalRole\r\n" +
		"alice.smith@nhs.net,Alice,Smith,Nurse\r\n" +
		"bob.jones@nhs.net,Bob,Jones,\"Clinical Genetics,Public Health\"\r\n")
	csv1252 = []byte("EmailAddress,FirstName,LastName\r\nrene.dupre@nhs.net,Ren\xe9,Dupr\xe9\r\n")
	csvBOM  = []byte("\xef\xbb\xbfEmailAddress,FirstName,LastName\r\nzoe.brontë@nhs.net,Zoë,Brontë\r\n")
)

func testPolicy() Policy {
	p := DefaultPolicy()
	p.OwnAddresses = []string{"connector.data@nhs.net"}
	p.TrustedAuthservIDs = []string{"mx.nhs.net"}
	return p
}

// inspectFile runs Inspect on testdata/name and returns what went to dst.
func inspectFile(t *testing.T, name string, p Policy) (*Inspection, []byte) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var dst bytes.Buffer
	in, err := Inspect(f, p, &dst)
	if err != nil {
		t.Fatalf("Inspect(%s): %v", name, err)
	}
	return in, dst.Bytes()
}

// checkText fails unless got contains want, or, when want is "", got is "".
func checkText(t *testing.T, field, got, want string) {
	t.Helper()
	if want == "" && got != "" {
		t.Errorf("%s = %q, want empty", field, got)
	}
	if want != "" && !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", field, got, want)
	}
}

func TestInspectFixtures(t *testing.T) {
	tests := []struct {
		file       string
		automatic  string
		sender     string
		auth       string
		attachment string
		from       string
		csvName    string
		csv        []byte // exact bytes, when a CSV is accepted
		others     []string
	}{
		{file: "submission.eml", from: "alice.smith@nhs.net", csvName: "Staff.csv", csv: csvStaff},
		{file: "quoted_printable.eml", from: "alice.smith@nhs.net", csvName: "Staff.csv",
			csv: append(append([]byte{}, csv1252...), "long,line,"+strings.Repeat("x", 80)+"\r\n"...)},
		{file: "inline_text_csv.eml", from: "alice.smith@nhs.net", csvName: "x.csv", csv: csvStaff},
		{file: "windows1252.eml", from: "alice.smith@nhs.net", csvName: "Staff.csv", csv: csv1252},
		{file: "utf8_bom.eml", from: "alice.smith@nhs.net", csvName: "bom.csv", csv: csvBOM},
		{file: "rfc2231_filename.eml", from: "alice.smith@nhs.net", csvName: "Cliniciéns.csv", csv: csvStaff},
		{file: "rfc2231_continuation.eml", from: "alice.smith@nhs.net", csvName: "Cliniciéns list for März.csv", csv: csvStaff},
		{file: "rfc2231_latin1.eml", from: "alice.smith@nhs.net", csvName: "Clinici\u00e9ns.csv", csv: csvStaff},
		{file: "rfc2047_filename.eml", from: "alice.smith@nhs.net", csvName: "Cliniciëns.csv", csv: csvStaff},
		{file: "forwarded.eml", from: "alice.smith@nhs.net", csvName: "Forwarded.csv", csv: csvStaff},
		{file: "bounce.eml", automatic: "empty return path", sender: "sender domain mx.nhs.net is not allowed", auth: "no Authentication-Results from mx.nhs.net",
			from: "mailer-daemon@mx.nhs.net", attachment: "No CSV file is attached"},
		{file: "autoreply.eml", automatic: "Auto-Submitted: auto-replied", from: "alice.smith@nhs.net", attachment: "No CSV file is attached"},
		{file: "bulk.eml", automatic: "Precedence: bulk", from: "alice.smith@nhs.net", csvName: "Staff.csv", csv: csvStaff},
		{file: "loop.eml", automatic: "X-Connectord-Loop", from: "alice.smith@nhs.net", csvName: "Staff.csv", csv: csvStaff},
		{file: "own_from.eml", automatic: "our own address connector.data@nhs.net", from: "connector.data@nhs.net", csvName: "Staff.csv", csv: csvStaff},
		{file: "forged_authres.eml", from: "alice.smith@nhs.net", csvName: "Staff.csv", csv: csvStaff,
			auth: "no Authentication-Results from mx.nhs.net (ignored Authentication-Results from untrusted authserv-id evil.example)"},
		{file: "dkim_other_domain.eml", from: "alice.smith@nhs.net", csvName: "Staff.csv", csv: csvStaff,
			auth: "mx.nhs.net: dkim=pass header.d=evil.example, mx.nhs.net: dmarc=fail header.from=nhs.net; need dmarc=pass or dkim=pass header.d=nhs.net"},
		{file: "dkim_pass.eml", from: "alice.smith@nhs.net", csvName: "Staff.csv", csv: csvStaff},
		{file: "from_nhs_uk.eml", sender: "sender domain trust.nhs.uk is not allowed (allowed: nhs.net)", from: "carol@trust.nhs.uk",
			csvName: "Staff.csv", csv: csvStaff},
		{file: "two_from.eml", sender: "From must be one address: found 2", auth: "no usable From address", csvName: "Staff.csv", csv: csvStaff},
		{file: "no_attachment.eml", from: "alice.smith@nhs.net", attachment: "No CSV file is attached. Attach exactly one .csv file"},
		{file: "two_csv.eml", from: "alice.smith@nhs.net", attachment: `The email has 2 CSV files attached ("Staff.csv", "Other.csv")`},
		{file: "xlsx_only.eml", from: "alice.smith@nhs.net", attachment: `No CSV file is attached: "Staff.xlsx" is an Excel workbook.`,
			others: []string{"Staff.xlsx"}},
		{file: "xlsx_named_csv.eml", from: "alice.smith@nhs.net", attachment: `The file "Staff.csv" is not a CSV file: it is an Excel workbook`},
		{file: "unknown_cte.eml", from: "alice.smith@nhs.net", attachment: `"Staff.csv" uses a transfer encoding this service cannot read (x-uuencode)`},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".eml"), func(t *testing.T) {
			in, got := inspectFile(t, tc.file, testPolicy())
			checkText(t, "Automatic", in.Automatic, tc.automatic)
			checkText(t, "SenderProblem", in.SenderProblem, tc.sender)
			checkText(t, "AuthProblem", in.AuthProblem, tc.auth)
			checkText(t, "AttachmentProblem", in.AttachmentProblem, tc.attachment)
			if in.From != tc.from {
				t.Errorf("From = %q, want %q", in.From, tc.from)
			}
			if in.Authenticated != (tc.auth == "") {
				t.Errorf("Authenticated = %v, want %v (AuthDetail %q)", in.Authenticated, tc.auth == "", in.AuthDetail)
			}
			if tc.csv == nil {
				if in.CSV != nil {
					t.Errorf("CSV = %+v, want nil", in.CSV)
				}
			} else {
				if in.CSV == nil {
					t.Fatalf("CSV = nil, want %s (AttachmentProblem %q)", tc.csvName, in.AttachmentProblem)
				}
				if in.CSV.Filename != tc.csvName {
					t.Errorf("CSV.Filename = %q, want %q", in.CSV.Filename, tc.csvName)
				}
				if !bytes.Equal(got, tc.csv) {
					t.Errorf("CSV bytes = %q, want %q", got, tc.csv)
				}
				if in.CSV.Size != int64(len(tc.csv)) {
					t.Errorf("CSV.Size = %d, want %d", in.CSV.Size, len(tc.csv))
				}
				if in.CSV.SHA256 != sha256.Sum256(tc.csv) {
					t.Errorf("CSV.SHA256 = %x, want %x", in.CSV.SHA256, sha256.Sum256(tc.csv))
				}
			}
			if tc.others != nil {
				var names []string
				for _, a := range in.Others {
					names = append(names, a.Filename)
				}
				if strings.Join(names, ",") != strings.Join(tc.others, ",") {
					t.Errorf("Others = %q, want %q", names, tc.others)
				}
			}
		})
	}
}

func TestInspectEnvelope(t *testing.T) {
	in, _ := inspectFile(t, "rfc2047_filename.eml", testPolicy())
	want := Envelope{
		MessageID:  "CAB123.4567@nhs.net",
		From:       "alice.smith@nhs.net",
		Subject:    "Mise à jour",
		Date:       time.Date(2026, 3, 3, 18, 1, 0, 0, time.UTC),
		References: []string{"a1@nhs.net", "a2@nhs.net"},
	}
	got := in.Envelope
	if got.MessageID != want.MessageID || got.From != want.From || got.Subject != want.Subject ||
		!got.Date.Equal(want.Date) || strings.Join(got.References, " ") != strings.Join(want.References, " ") {
		t.Errorf("Envelope = %+v, want %+v", got, want)
	}
	if want := "authenticated by mx.nhs.net: dkim=pass header.d=nhs.net"; in.AuthDetail != want {
		t.Errorf("AuthDetail = %q, want %q", in.AuthDetail, want)
	}
}

// TestCSVBytesIgnoreGlobalCharsetReader: importing go-message/charset
// anywhere in the binary sets message.CharsetReader, which makes go-message
// transcode text/* bodies. Our CSV must come out unchanged all the same.
func TestCSVBytesIgnoreGlobalCharsetReader(t *testing.T) {
	saved := message.CharsetReader
	t.Cleanup(func() { message.CharsetReader = saved })
	message.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(r)
		return bytes.NewReader(bytes.ReplaceAll(b, []byte{0xe9}, []byte("\u00e9"))), err
	}
	for _, file := range []string{"windows1252.eml", "quoted_printable.eml"} {
		in, got := inspectFile(t, file, testPolicy())
		if in.CSV == nil || !bytes.HasPrefix(got, csv1252) {
			t.Errorf("%s: CSV bytes = %q, want prefix %q (problem %q)", file, got, csv1252, in.AttachmentProblem)
		}
	}
}

func TestInspectRequireAuthenticatedSenderOff(t *testing.T) {
	p := testPolicy()
	p.RequireAuthenticatedSender = false
	in, _ := inspectFile(t, "forged_authres.eml", p)
	if in.AuthProblem != "" || in.Authenticated {
		t.Errorf("AuthProblem = %q, Authenticated = %v; want no problem and not authenticated", in.AuthProblem, in.Authenticated)
	}
}
