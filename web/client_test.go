package web

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// client is a cookie-keeping HTTP client that fills in each form's token
// from the last page it read, as a browser would.
type client struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
	// last is the URL of the last page read, after any redirects.
	last *url.URL
}

func (f *fixture) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, c: &http.Client{Jar: jar}, base: f.url}
}

// login signs in and checks it worked.
func (f *fixture) login(t *testing.T, name string) *client {
	t.Helper()
	c := f.client(t)
	if status, body := c.signIn(name, testPassword); status != http.StatusOK || !strings.Contains(body, "Sign out") {
		t.Fatalf("sign in as %s: status %d, want 200 and a signed-in page:\n%s", name, status, body)
	}
	return c
}

func (c *client) signIn(name, password string) (int, string) {
	c.t.Helper()
	c.get("/login")
	return c.post("/login", url.Values{"name": {name}, "password": {password}})
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) (int, string) {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	c.last = resp.Request.URL
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	body := string(b)
	if m := csrfField.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return resp.StatusCode, body
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form as a same-origin page would, with the token unless
// the form has its own csrf value.
func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	return c.postRaw(path, form, http.Header{"Origin": {c.base}})
}

func (c *client) postRaw(path string, form url.Values, h http.Header) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}
