package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// nextCases are post-sign-in targets as the form or query carries them
// (already decoded once), and where the browser must be sent.
var nextCases = []struct {
	name, next, want string
}{
	{"empty", "", "/review"},
	{"a page", "/review/12", "/review/12"},
	{"a filtered list", "/submissions?day=2026-01-05&state=held", "/submissions?day=2026-01-05&state=held"},
	{"an encoded query", "/submissions?sender=alice.smith%40nhs.net", "/submissions?sender=alice.smith%40nhs.net"},
	{"a fragment", "/nights#runs", "/nights#runs"},

	{"tab", "/\t/evil.example/", "/review"},
	{"newline", "/\n/evil.example/", "/review"},
	{"carriage return and newline", "/\r\n/evil.example/", "/review"},
	{"space", "/ /evil.example/", "/review"},
	{"NUL", "/\x00/evil.example/", "/review"},
	{"escape", "/\x1b/evil.example/", "/review"},
	{"DEL", "/\x7f/evil.example/", "/review"},
	{"percent-encoded tab", "/%09/evil.example/", "/review"},
	{"percent-encoded newline", "/%0a/evil.example/", "/review"},
	{"percent-encoded header", "/%0D%0ASet-Cookie:%20a=b", "/review"},
	{"percent-encoded NUL", "/%00/evil.example/", "/review"},
	{"percent-encoded DEL", "/%7F/evil.example/", "/review"},
	{"percent-encoded space", "/%20/evil.example/", "/review"},
	{"bad escape", "/%zz/evil.example/", "/review"},
	{"lone percent", "/%", "/review"},

	{"two slashes", "//evil.example/", "/review"},
	{"three slashes", "///evil.example/", "/review"},
	{"slash backslash", "/\\evil.example/", "/review"},
	{"two backslashes", "\\\\evil.example/", "/review"},
	{"backslash slash", "\\/evil.example/", "/review"},
	{"backslash later", "/review\\..\\evil", "/review"},
	{"encoded slash", "/%2F/evil.example/", "/review"},
	{"encoded slash, lower case", "/%2f/evil.example/", "/review"},
	{"encoded backslash", "/%5C/evil.example/", "/review"},
	{"encoded backslashes", "/%5c%5cevil.example/", "/review"},

	{"https", "https://evil.example/", "/review"},
	{"HTTPS", "HTTPS://evil.example/", "/review"},
	{"scheme without slashes", "https:evil.example", "/review"},
	{"scheme with one slash", "https:/evil.example", "/review"},
	{"javascript", "javascript:alert(1)", "/review"},
	{"JavaScript", "JaVaScRiPt:alert(1)", "/review"},
	{"javascript after a space", " javascript:alert(1)", "/review"},
	{"data", "data:text/html,<script>alert(1)</script>", "/review"},

	{"full-width solidus", "/\uff0fevil.example/", "/review"},
	{"full-width solidi", "\uff0f\uff0fevil.example/", "/review"},
	{"full-width reverse solidus", "/\uff3cevil.example/", "/review"},
	{"encoded full-width solidus", "/%EF%BC%8Fevil.example/", "/review"},
	{"right-to-left override", "/review\u202e", "/review"},
	{"encoded right-to-left override", "/review%E2%80%AE", "/review"},

	{"host only", "evil.example", "/review"},
	{"relative path", "review", "/review"},
	{"user info", "@evil.example", "/review"},
	{"query only", "?next=//evil.example", "/review"},
}

func TestSafeNext(t *testing.T) {
	for _, tc := range nextCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeNext(tc.next); got != tc.want {
				t.Errorf("safeNext(%q): got %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}

var nextField = regexp.MustCompile(`name="next" value="([^"]*)"`)

// The sign-in page carries only a safe target in its form, and both the
// sign-in and the page a signed-in user opens redirect only on this site.
func TestSignInRedirectStaysOnSite(t *testing.T) {
	f := newFixture(t)
	rita := f.login(t, reviewerName)
	rita.c.CheckRedirect = noFollow
	for _, tc := range nextCases {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client(t)
			c.c.CheckRedirect = noFollow
			_, body := c.get("/login?next=" + url.QueryEscape(tc.next))
			m := nextField.FindStringSubmatch(body)
			if m == nil || html.UnescapeString(m[1]) != tc.want {
				t.Errorf("the form's next: got %q, want %q", m, tc.want)
			}
			form := url.Values{"name": {reviewerName}, "password": {testPassword}, "next": {tc.next}, "csrf": {c.csrf}}
			if status, loc := location(t, c, http.MethodPost, "/login", form); status != http.StatusSeeOther || loc != tc.want {
				t.Errorf("sign in: got %d to %q, want 303 to %q", status, loc, tc.want)
			}
			if status, loc := location(t, rita, http.MethodGet, "/login?next="+url.QueryEscape(tc.next), nil); status != http.StatusSeeOther || loc != tc.want {
				t.Errorf("signed in, open the sign-in page: got %d to %q, want 303 to %q", status, loc, tc.want)
			}
		})
	}
}

// The exact request of the report: the tab arrives percent-encoded in the
// query.
func TestSignInRedirectWithAnEncodedTab(t *testing.T) {
	f := newFixture(t)
	rita := f.login(t, reviewerName)
	rita.c.CheckRedirect = noFollow
	if status, loc := location(t, rita, http.MethodGet, "/login?next=/%09/evil.example/", nil); loc != "/review" {
		t.Errorf("got %d to %q, want 303 to /review", status, loc)
	}
}

func noFollow(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// location sends a request (a form when form is not nil) and returns the
// status and the Location header.
func location(t *testing.T, c *client, method, path string, form url.Values) (int, string) {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.base)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}
