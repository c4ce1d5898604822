package ingest

import (
	"context"
	"os"
	"reflect"
	"testing"

	"connectord/internal/imaptest"
	"connectord/store"
)

// A rejection keeps the name of every attachment, and the file name of
// the CSV it refused: two CSV files, or a workbook named .csv.
func TestRejectionsRecordEveryAttachmentName(t *testing.T) {
	for _, tc := range []struct {
		fixture     string
		file        string
		attachments []string
	}{
		{"two_csv.eml", "Staff.csv", []string{"Staff.csv", "Other.csv"}},
		{"xlsx_named_csv.eml", "Staff.csv", []string{"Staff.csv"}},
		{"xlsx_only.eml", "Staff.xlsx", []string{"Staff.xlsx"}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			raw, err := os.ReadFile("../inspect/testdata/" + tc.fixture)
			if err != nil {
				t.Fatal(err)
			}
			srv := imaptest.Start(t, capsMove)
			f := newIngestFixture(t, srv.Addr)
			srv.Append(t, raw, at("2026-03-03", "12:00:00"))
			out := f.sync(t)
			if len(out) != 1 || out[0].State != store.StateRejected {
				t.Fatalf("got %+v, want one rejected", out)
			}
			sub, err := f.st.Submission(context.Background(), out[0].SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			if sub.Filename != tc.file || !reflect.DeepEqual(sub.Attachments, tc.attachments) {
				t.Errorf("recorded file %q, attachments %q; want %q, %q", sub.Filename, sub.Attachments, tc.file, tc.attachments)
			}
		})
	}
}
