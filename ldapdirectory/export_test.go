package ldapdirectory

import (
	"context"
	"sort"
	"strings"
	"testing"

	"connectord/directoryfile"
)

// 'directory export' from AD writes the Mailbox Report the embedded
// directory writes for the same content (in another order), the kept
// fields included.
func TestExportMatchesEmbedded(t *testing.T) {
	f := newFixture(t)
	f.seedAD(t)
	embedded := newStore(t)
	f.seedEmbedded(t, embedded)
	ctx := context.Background()
	var want, got strings.Builder
	if _, err := directoryfile.ExportReport(ctx, &want, embedded); err != nil {
		t.Fatal(err)
	}
	tx, err := f.st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	n, err := directoryfile.ExportReport(ctx, &got, New(f.dial(t), tx, Options{ReadOnly: true}))
	if err != nil {
		t.Fatal(err)
	}
	sorted := func(s string) string {
		lines := strings.Split(strings.TrimSpace(s), "\r\n")
		sort.Strings(lines[1:])
		return strings.Join(lines, "\n")
	}
	// Nothing is kept for a contact (nor its Title, seeded without it), nor
	// for a user without a Local ID: their EmailSize is unknown, 0.
	w := strings.Replace(sorted(want.String()), "Contact,Mrs,Olive,Contact,Secretary,,,,4,", "Contact,,Olive,Contact,Secretary,,,,0,", 1)
	w = strings.Replace(w, "Pharmacist,Pharmacist,,Acute Care,4,", "Pharmacist,Pharmacist,,Acute Care,0,", 1)
	if g := sorted(got.String()); g != w || n != 5 {
		t.Errorf("export of %d entries:\n%s\nwant 5:\n%s", n, g, w)
	}
}
