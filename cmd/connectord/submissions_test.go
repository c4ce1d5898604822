package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// submissions show names every attachment of a message refused for having
// two CSV files.
func TestSubmissionsShowNamesEveryAttachment(t *testing.T) {
	m := newMailboxSetup(t, 50)
	m.must("senders", "add", "alice.smith@nhs.net", "-org", "RR8")
	raw, err := os.ReadFile("../../inspect/testdata/two_csv.eml")
	if err != nil {
		t.Fatal(err)
	}
	m.srv.Append(t, raw, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC))
	id := strconv.FormatInt(m.pollIDs()["Staff.csv"], 10)
	if out := m.must("submissions", "show", id); !regexp.MustCompile(`\nattachments +"Staff.csv", "Other.csv"\n`).MatchString(out) {
		t.Errorf("submissions show lacks both attachments:\n%s", out)
	}
	if out := m.must("submissions", "show", id, "-json"); !strings.Contains(out, `"attachments":["Staff.csv","Other.csv"]`) {
		t.Errorf("submissions show -json lacks both attachments:\n%s", out)
	}
}
