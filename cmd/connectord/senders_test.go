package main

import (
	"strings"
	"testing"
)

// senders add refuses what the mailbox would never take a file from, with
// the reason on one line, and adds nothing.
func TestSendersAddRefusesAddressesThatCanNeverSubmit(t *testing.T) {
	tests := []struct {
		name, addr, want string // want "" means added
	}{
		{"allowed domain, upper case", "Carol.White@NHS.net", ""},
		{"other domain", "mallory@gmail.com", "sender domain gmail.com is not allowed (allowed: nhs.net)"},
		{"subdomain", "carol@mail.nhs.net", "sender domain mail.nhs.net is not allowed"},
		{"local nhs.uk address", "carol@trust.nhs.uk", "sender domain trust.nhs.uk is not allowed"},
		{"long s in the domain", "admin@nh\u017f.net", `not an allowed sender address: "admin@nh\u017f.net" has the character U+017F`},
		{"Kelvin sign", "\u212aate.kirk@nhs.net", "U+212A, which is not ASCII"},
		{"zero-width space", "carol\u200b@nhs.net", "U+200B"},
		{"not an address", "carol", "is not an email address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			c.must("org", "import", "../../testdata/organisations.csv")
			_, errs, code := c.run("senders", "add", tc.addr, "-org", "RR8")
			list := c.must("senders", "list")
			if tc.want == "" {
				if code != 0 || !strings.Contains(list, strings.ToLower(tc.addr)) {
					t.Fatalf("exit %d, stderr %q, list:\n%s\nwant %s added", code, errs, list, strings.ToLower(tc.addr))
				}
				return
			}
			first, _, _ := strings.Cut(strings.TrimSpace(errs), "\n")
			if code == 0 || !strings.HasPrefix(first, "connectord senders: this address can never submit a file") || !strings.Contains(first, tc.want) {
				t.Errorf("exit %d, stderr %q; want a refusal saying %q", code, errs, tc.want)
			}
			if strings.Count(list, "\n") != 1 {
				t.Errorf("the roster holds more than its header line:\n%s", list)
			}
		})
	}
}

// The domains are the configured ones.
func TestSendersAddUsesConfiguredDomains(t *testing.T) {
	c := newCLI(t)
	cfg := writeFile(t, "connectord.yaml", "ingest:\n  allowed_domains: [nhs.net, nhs.scot]\n")
	c.must("org", "import", "../../testdata/organisations.csv")
	c.must("-config", cfg, "senders", "add", "carol@nhs.scot", "-org", "RR8")
	_, errs, code := c.run("-config", cfg, "senders", "add", "mallory@gmail.com", "-org", "RR8")
	if code == 0 || !strings.Contains(errs, "(allowed: nhs.net, nhs.scot)") {
		t.Errorf("exit %d, stderr %q; want a refusal naming nhs.net, nhs.scot", code, errs)
	}
}
