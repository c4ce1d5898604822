package inspect

import (
	"fmt"
	"strings"
	"testing"
)

// formatResults renders parsed results compactly for comparison.
func formatResults(rs []authResult) string {
	var parts []string
	for _, r := range rs {
		s := r.Method + "=" + r.Value
		for _, k := range []string{"header.d", "header.from", "header.i", "smtp.mailfrom", "reason"} {
			if v, ok := r.Props[k]; ok {
				s += fmt.Sprintf(" %s=%s", k, v)
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name, v, id, results, err string
	}{
		{"plain", "mx.nhs.net; dmarc=pass header.from=nhs.net",
			"mx.nhs.net", "dmarc=pass header.from=nhs.net", ""},
		{"version", "mx.nhs.net 1; dkim=pass header.d=nhs.net",
			"mx.nhs.net", "dkim=pass header.d=nhs.net", ""},
		{"opendkim comment with semicolon", "mx.nhs.net;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=nhs.net header.i=@nhs.net header.b=AbC",
			"mx.nhs.net", "dkim=pass header.d=nhs.net header.i=@nhs.net", ""},
		{"comment after authserv-id", "mx.nhs.net (Postfix); dmarc=pass (p=reject dis=none) header.from=nhs.net",
			"mx.nhs.net", "dmarc=pass header.from=nhs.net", ""},
		{"nested comment", "mx.nhs.net; dkim=pass (a (b; c) d) header.d=nhs.net",
			"mx.nhs.net", "dkim=pass header.d=nhs.net", ""},
		{"none", "mx.nhs.net; none", "mx.nhs.net", "", ""},
		{"cfws around equals", "mx.nhs.net; dkim = pass header.d = nhs.net reason = \"good sig\"",
			"mx.nhs.net", "dkim=pass header.d=nhs.net reason=good sig", ""},
		{"method version", "mx.nhs.net; dkim/1=pass header.d=nhs.net", "mx.nhs.net", "dkim=pass header.d=nhs.net", ""},
		{"upper case method and result", "mx.nhs.net; DMARC=PASS header.from=nhs.net", "mx.nhs.net", "dmarc=pass header.from=nhs.net", ""},
		{"quoted local part", `mx.nhs.net; spf=pass smtp.mailfrom="a b"@nhs.net`, "mx.nhs.net", "spf=pass smtp.mailfrom=a b@nhs.net", ""},
		{"semicolon in quoted string does not start a result",
			`mx.nhs.net; spf=pass smtp.mailfrom="x;dmarc=pass header.from=nhs.net"@evil.example`,
			"mx.nhs.net", "spf=pass smtp.mailfrom=x;dmarc=pass header.from=nhs.net@evil.example", ""},
		{"semicolon in comment does not start a result",
			"mx.nhs.net; spf=pass (domain of x;dmarc=pass header.from=nhs.net designates 192.0.2.1) smtp.mailfrom=evil.example",
			"mx.nhs.net", "spf=pass smtp.mailfrom=evil.example", ""},
		{"property in comment is not a property",
			"mx.nhs.net; dkim=pass header.d=evil.example (x header.d=nhs.net )",
			"mx.nhs.net", "dkim=pass header.d=evil.example", ""},
		{"duplicate property: first wins", "mx.nhs.net; dkim=pass header.d=evil.example header.d=nhs.net",
			"mx.nhs.net", "dkim=pass header.d=evil.example", ""},
		{"malformed resinfo skipped", "mx.nhs.net; garbage; dmarc=pass header.from=nhs.net",
			"mx.nhs.net", "dmarc=pass header.from=nhs.net", ""},
		{"exchange online has no authserv-id",
			"spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=nhs.net; dkim=pass (signature was verified) header.d=nhs.net;dmarc=pass action=none header.from=nhs.net;compauth=pass reason=100",
			"", "", "no authserv-id"},
		{"unsupported version", "mx.nhs.net 2; dmarc=pass", "mx.nhs.net", "", "malformed authserv-id"},
		{"unbalanced comment", "mx.nhs.net; dmarc=pass (oops header.from=nhs.net", "mx.nhs.net", "", "unbalanced"},
		{"unbalanced quote", `mx.nhs.net; dmarc=pass header.from="nhs.net`, "mx.nhs.net", "", "unbalanced"},
		{"empty", "", "", "", "no authserv-id"},
		{"quoted authserv-id", `"mx.nhs.net"; dmarc=pass`, "mx.nhs.net", "dmarc=pass", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, rs, err := parseAuthResults(tc.v)
			if id != tc.id {
				t.Errorf("id = %q, want %q", id, tc.id)
			}
			if got := formatResults(rs); got != tc.results {
				t.Errorf("results = %q, want %q", got, tc.results)
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			checkText(t, "err", gotErr, tc.err)
		})
	}
}

func TestCheckAuthentication(t *testing.T) {
	const from = "alice@nhs.net"
	tests := []struct {
		name, header string
		ok           bool
		reason       string
	}{
		{"dmarc pass", "Authentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net",
			true, "authenticated by mx.nhs.net: dmarc=pass header.from=nhs.net"},
		{"dmarc pass without header.from", "Authentication-Results: mx.nhs.net; dmarc=pass",
			true, "dmarc=pass"},
		{"dmarc pass, header.from as an address", "Authentication-Results: mx.nhs.net; dmarc=pass header.from=alice@NHS.net",
			true, "dmarc=pass"},
		{"authserv-id case and trailing dot", "Authentication-Results: MX.NHS.NET.; dmarc=pass header.from=nhs.net",
			true, "dmarc=pass"},
		{"dmarc pass for another domain", "Authentication-Results: mx.nhs.net; dmarc=pass header.from=evil.example",
			false, "sender not authenticated: mx.nhs.net: dmarc=pass header.from=evil.example; need dmarc=pass or dkim=pass header.d=nhs.net"},
		{"dmarc fail", "Authentication-Results: mx.nhs.net; dmarc=fail header.from=nhs.net",
			false, "dmarc=fail"},
		{"dkim pass same domain", "Authentication-Results: mx.nhs.net; dkim=pass header.d=nhs.net",
			true, "authenticated by mx.nhs.net: dkim=pass header.d=nhs.net"},
		{"dkim pass other domain", "Authentication-Results: mx.nhs.net; dkim=pass header.d=evil.example",
			false, "dkim=pass header.d=evil.example"},
		{"dkim pass parent domain is not equal", "Authentication-Results: mx.nhs.net; dkim=pass header.d=net",
			false, "dkim=pass header.d=net"},
		{"dkim pass without header.d", "Authentication-Results: mx.nhs.net; dkim=pass header.i=@nhs.net",
			false, "dkim=pass header.d="},
		{"dkim fail", "Authentication-Results: mx.nhs.net; dkim=fail header.d=nhs.net",
			false, "dkim=fail"},
		{"spf pass is not enough", "Authentication-Results: mx.nhs.net; spf=pass smtp.mailfrom=nhs.net",
			false, "sender not authenticated: Authentication-Results from mx.nhs.net has no dmarc or dkim result"},
		{"no header", "Subject: x",
			false, "sender not authenticated: no Authentication-Results from mx.nhs.net"},
		{"untrusted authserv-id", "Authentication-Results: evil.example; dmarc=pass header.from=nhs.net",
			false, "no Authentication-Results from mx.nhs.net (ignored Authentication-Results from untrusted authserv-id evil.example)"},
		{"lookalike authserv-id", "Authentication-Results: mx.nhs.net.evil.example; dmarc=pass header.from=nhs.net",
			false, "untrusted authserv-id mx.nhs.net.evil.example"},
		{"untrusted pass, trusted fail", "Authentication-Results: evil.example; dmarc=pass header.from=nhs.net\nAuthentication-Results: mx.nhs.net; dmarc=fail header.from=nhs.net",
			false, "mx.nhs.net: dmarc=fail header.from=nhs.net; need"},
		// RFC 8601 section 5: the topmost trusted header is the receiving
		// server's, and its verdict is final.
		{"trusted fail on top, trusted pass below", "Authentication-Results: mx.nhs.net; dmarc=fail header.from=nhs.net\nAuthentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net",
			false, "mx.nhs.net: dmarc=fail header.from=nhs.net; need dmarc=pass or dkim=pass header.d=nhs.net (ignored 1 Authentication-Results from mx.nhs.net below the topmost: only the receiving server's counts)"},
		{"trusted without a verdict on top, trusted pass below", "Authentication-Results: mx.nhs.net; spf=pass smtp.mailfrom=nhs.net\nAuthentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net",
			false, "has no dmarc or dkim result (ignored 1 Authentication-Results from mx.nhs.net below the topmost"},
		{"trusted unreadable on top, trusted pass below", "Authentication-Results: mx.nhs.net; dmarc=fail (oops\nAuthentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net",
			false, "unreadable header"},
		{"trusted pass on top, untrusted and trusted below", "Authentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net\nAuthentication-Results: relay.example; dmarc=fail\nAuthentication-Results: mx.nhs.net; dmarc=fail header.from=nhs.net",
			true, "authenticated by mx.nhs.net: dmarc=pass header.from=nhs.net (ignored 1 Authentication-Results from mx.nhs.net below the topmost"},
		{"untrusted on top, trusted pass below", "Authentication-Results: gw.example; dmarc=fail\nAuthentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net",
			true, "ignored Authentication-Results from untrusted authserv-id gw.example"},
		// Look-alikes: Unicode case folding makes U+017F a plain s.
		{"look-alike authserv-id (long s)", "Authentication-Results: mx.nh\u017f.net; dmarc=pass header.from=nhs.net",
			false, `no Authentication-Results from mx.nhs.net (ignored Authentication-Results from untrusted authserv-id "mx.nh\u017f.net" (not ASCII))`},
		{"look-alike authserv-id, upper case", "Authentication-Results: MX.NH\u017f.NET.; dkim=pass header.d=nhs.net",
			false, "not ASCII"},
		{"look-alike header.from", "Authentication-Results: mx.nhs.net; dmarc=pass header.from=nh\u017f.net",
			false, `dmarc=pass header.from="nh\u017f.net"`},
		{"look-alike header.d", "Authentication-Results: mx.nhs.net; dkim=pass header.d=nh\u017f.net",
			false, `dkim=pass header.d="nh\u017f.net"`},
		{"exchange online style", "Authentication-Results: spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=nhs.net; dmarc=pass action=none header.from=nhs.net",
			false, "untrusted authserv-id (none)"},
		{"trusted but unreadable", "Authentication-Results: mx.nhs.net; dmarc=pass (header.from=nhs.net",
			false, "unreadable header"},
		{"injected through quoted string", `Authentication-Results: mx.nhs.net; spf=pass smtp.mailfrom="x;dmarc=pass header.from=nhs.net"@evil.example`,
			false, "has no dmarc or dkim result"},
		{"injected through comment", `Authentication-Results: mx.nhs.net; spf=fail (x;dkim=pass header.d=nhs.net) smtp.mailfrom=evil.example`,
			false, "has no dmarc or dkim result"},
	}
	p := testPolicy()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, reason := CheckAuthentication(parseHeader(t, tc.header), from, p)
			if ok != tc.ok {
				t.Errorf("ok = %v, want %v (reason %q)", ok, tc.ok, reason)
			}
			checkText(t, "reason", reason, tc.reason)
		})
	}
}

func TestCheckAuthenticationPolicy(t *testing.T) {
	h := parseHeader(t, "Authentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net")
	p := testPolicy()
	if ok, reason := CheckAuthentication(h, "", p); ok || !strings.Contains(reason, "no usable From address") {
		t.Errorf("empty from: got %v %q, want false and no usable From address", ok, reason)
	}
	p.TrustedAuthservIDs = nil
	if ok, reason := CheckAuthentication(h, "alice@nhs.net", p); ok || !strings.Contains(reason, "no trusted_authserv_ids configured") {
		t.Errorf("no trusted ids: got %v %q, want false and no trusted_authserv_ids configured", ok, reason)
	}
	p.TrustedAuthservIDs = []string{"relay.nhs.net", "mx.nhs.net"}
	if ok, _ := CheckAuthentication(h, "alice@nhs.net", p); !ok {
		t.Errorf("second trusted id: got false, want true")
	}
	// A configured id is compared ASCII-exact too: the Kelvin sign is not a k.
	p.TrustedAuthservIDs = []string{"mx.kent.nhs.net"}
	kelvin := parseHeader(t, "Authentication-Results: mx.\u212aent.nhs.net; dkim=pass header.d=kent.nhs.net")
	if ok, reason := CheckAuthentication(kelvin, "admin@kent.nhs.net", p); ok || !strings.Contains(reason, "not ASCII") {
		t.Errorf("Kelvin sign in the authserv-id: got %v %q, want false and not ASCII", ok, reason)
	}
	dkim := parseHeader(t, "Authentication-Results: mx.kent.nhs.net; dkim=pass header.d=\u212aent.nhs.net")
	if ok, reason := CheckAuthentication(dkim, "admin@kent.nhs.net", p); ok {
		t.Errorf("Kelvin sign in header.d: got %v %q, want false", ok, reason)
	}
}

func TestParseAuthResultsRejectsJunk(t *testing.T) {
	for _, v := range []string{"0;0=)", "mx; dkim)=pass", "mx; dkim=pa(ss)"} {
		_, rs, err := parseAuthResults(v)
		for _, r := range rs {
			if r.Value == "pass" || strings.ContainsAny(r.Method+r.Value, "()") {
				t.Errorf("parseAuthResults(%q) = %+v (err %v), want no such result", v, rs, err)
			}
		}
	}
}
