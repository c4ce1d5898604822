package inspect

import (
	"strings"
	"testing"
)

func TestCheckFrom(t *testing.T) {
	tests := []struct {
		name, header, from, problem string
	}{
		{"plain", "From: alice@nhs.net", "alice@nhs.net", ""},
		{"display name, upper case", "From: \"Smith, Alice\" <Alice.Smith@NHS.NET>", "alice.smith@nhs.net", ""},
		{"encoded display name", "From: =?utf-8?q?Z=C3=B6e?= <zoe@nhs.net>", "zoe@nhs.net", ""},
		{"unknown charset in display name", "From: =?x-unknown?q?Zoe?= <zoe@nhs.net>", "zoe@nhs.net", ""},
		{"comment", "From: alice@nhs.net (Alice)", "alice@nhs.net", ""},
		{"subdomain is not the domain", "From: a@mail.nhs.net", "a@mail.nhs.net", "sender domain mail.nhs.net is not allowed"},
		{"lookalike domain", "From: a@nhs.net.evil.example", "a@nhs.net.evil.example", "not allowed"},
		{"nhs.uk", "From: carol@trust.nhs.uk", "carol@trust.nhs.uk", "sender domain trust.nhs.uk is not allowed (allowed: nhs.net)"},
		{"display name that looks like an address", `From: "alice@nhs.net" <eve@evil.example>`, "eve@evil.example", "not allowed"},
		{"no from", "To: a@nhs.net", "", "From must be one address: the message has no From field"},
		{"two from fields", "From: a@nhs.net\nFrom: b@nhs.net", "", "From must be one address: the message has 2 From fields"},
		{"two mailboxes", "From: a@nhs.net, b@nhs.net", "", "From must be one address: found 2 (a@nhs.net, b@nhs.net)"},
		{"group", "From: Team: a@nhs.net;", "", "is a group"},
		{"empty group", "From: undisclosed-recipients:;", "", "is a group"},
		{"quoted colon is not a group", `From: "Team: Alice" <alice@nhs.net>`, "alice@nhs.net", ""},
		{"unparsable", "From: alice at nhs dot net", "", "From must be one address: cannot parse"},
		{"empty", "From:", "", "From must be one address"},
		// Look-alikes: Unicode lower-casing makes the Kelvin sign (U+212A) a
		// k, and case folding makes the long s (U+017F) an s.
		{"Kelvin sign in the local part", "From: \u212aelvin.smith@nhs.net", "", `not an allowed sender address: "\u212aelvin.smith@nhs.net" has the character U+212A`},
		{"long s in the domain", "From: admin@nh\u017f.net", "", `not an allowed sender address: "admin@nh\u017f.net" has the character U+017F`},
		{"long s with a display name", "From: Admin <admin@nh\u017f.net>", "", "not an allowed sender address"},
		{"Cyrillic a", "From: \u0430lice@nhs.net", "", "not an allowed sender address"},
		{"quoted local part with a space", `From: "alice smith"@nhs.net`, "", "not an allowed sender address"},
		{"domain literal", "From: alice@[192.0.2.1]", "", "not an allowed sender address"},
	}
	p := testPolicy()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, problem := CheckFrom(parseHeader(t, tc.header), p)
			if from != tc.from {
				t.Errorf("from = %q, want %q", from, tc.from)
			}
			checkText(t, "problem", problem, tc.problem)
		})
	}
}

func TestCheckFromNoAllowedDomains(t *testing.T) {
	p := testPolicy()
	p.AllowedDomains = nil
	_, problem := CheckFrom(parseHeader(t, "From: alice@nhs.net"), p)
	checkText(t, "problem", problem, "no allowed_domains configured")
}

// The allowed domains are compared ASCII-exact as well.
func TestCheckFromLookalikeAllowedDomain(t *testing.T) {
	p := testPolicy()
	p.AllowedDomains = []string{"kent.nhs.net"}
	if from, problem := CheckFrom(parseHeader(t, "From: a@KENT.nhs.net"), p); from != "a@kent.nhs.net" || problem != "" {
		t.Errorf("upper case: got %q %q, want a@kent.nhs.net and no problem", from, problem)
	}
	p.AllowedDomains = []string{"\u212aent.nhs.net"} // a configuration typed with the Kelvin sign
	if _, problem := CheckFrom(parseHeader(t, "From: a@kent.nhs.net"), p); !strings.Contains(problem, "not allowed") {
		t.Errorf("Kelvin sign in allowed_domains: got %q, want not allowed", problem)
	}
}

func TestSenderAddress(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"alice@nhs.net", "alice@nhs.net", ""},
		{" Alice.Smith@NHS.Net ", "alice.smith@nhs.net", ""},
		{"mallory@gmail.com", "mallory@gmail.com", "sender domain gmail.com is not allowed (allowed: nhs.net)"},
		{"a@mail.nhs.net", "a@mail.nhs.net", "sender domain mail.nhs.net is not allowed"},
		{"admin@nh\u017f.net", "", "not an allowed sender address"},
		{"\u212aelvin@nhs.net", "", "U+212A"},
		{"a\u200b@nhs.net", "", "U+200B"},
		{"bad\xff@nhs.net", "", "not ASCII"},
		{"alice", "", "is not an email address"},
		{"@nhs.net", "", "is not an email address"},
		{"a@b@nhs.net", "", "is not an email address"},
		{"a@nhs..net", "", "is not an email address"},
		{"a@-nhs.net", "", "is not an email address"},
		{"a b@nhs.net", "", "space or control character"},
		{"a@nhs.net.", "", "is not an email address"},
	}
	for _, tc := range tests {
		got, err := SenderAddress(tc.in, []string{"nhs.net"})
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tc.want {
			t.Errorf("SenderAddress(%q) = %q, want %q", tc.in, got, tc.want)
		}
		checkText(t, "SenderAddress("+tc.in+") error", gotErr, tc.err)
	}
}

func TestIsGroup(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"a@b.c", false},
		{"G: a@b.c;", true},
		{`"G:" <a@b.c>`, false},
		{"(G:) a@b.c", false},
		{"<@route.example:a@b.c>", false},
		{"a@[IPv6:2001:db8::1]", false},
		{`"a\":" <a@b.c>`, false},
	}
	for _, tc := range tests {
		if got := isGroup(tc.v); got != tc.want {
			t.Errorf("isGroup(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}
