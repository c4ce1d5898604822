package web

import (
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
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
	f := newFixture(t, quickCheck)
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

// quickCheck stands in for argon2id where a test signs in so often that
// the hash (slow on purpose, slower under the race detector) would be
// most of its time, and is not what the test is about.
func quickCheck(cfg *Config) {
	cfg.checkPassword = func(hash, password string) (bool, error) {
		return hash == testHash() && password == testPassword, nil
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

// clientFrom is a client whose connections come from addr, another
// loopback address.
func (f *fixture) clientFrom(t *testing.T, addr string) *client {
	t.Helper()
	c := f.client(t)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	c.c = &http.Client{Jar: jar, Transport: tr}
	return c
}

// hashWatch stands in for the password check: it counts the checks, how
// many ran at once at most, and can hold each one until released.
type hashWatch struct {
	mu                   sync.Mutex
	total, running, peak int
	// entered, when set, is told of each check as it starts; release,
	// when set, is waited for before the check goes on.
	entered chan struct{}
	release chan struct{}
}

func (h *hashWatch) option(cfg *Config) { cfg.checkPassword = h.check }

func (h *hashWatch) check(hash, password string) (bool, error) {
	h.mu.Lock()
	h.total++
	h.running++
	h.peak = max(h.peak, h.running)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.running--
		h.mu.Unlock()
	}()
	if h.entered != nil {
		h.entered <- struct{}{}
	}
	if h.release != nil {
		<-h.release
	}
	return checkPassword(hash, password)
}

func (h *hashWatch) counts() (total, peak int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total, h.peak
}

// signInRequest is a sign-in form post from c (which has read the
// sign-in page already).
func signInRequest(t *testing.T, c *client, name, password string) *http.Request {
	t.Helper()
	form := url.Values{"name": {name}, "password": {password}, "csrf": {c.csrf}}
	req, err := http.NewRequest(http.MethodPost, c.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	return req
}

// send sends req and returns its status and body, or 0 with the error
// reported.
func send(t *testing.T, c *client, req *http.Request) (int, string) {
	resp, err := c.c.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp.StatusCode, string(b)
}

// parallelSignIns signs in with each of the clients at once and returns
// their statuses.
func parallelSignIns(t *testing.T, clients []*client, names []string, password string) []int {
	t.Helper()
	statuses := make([]int, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		req := signInRequest(t, c, names[i], password)
		wg.Go(func() { statuses[i], _ = send(t, c, req) })
	}
	wg.Wait()
	return statuses
}

func readyClients(t *testing.T, f *fixture, n int) []*client {
	t.Helper()
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = f.client(t)
		clients[i].get("/login")
	}
	return clients
}

// Parallel wrong passwords for one account from one address reach the
// password hash at most as often as the limit allows.
func TestSignInRaceReservesBeforeTheHash(t *testing.T) {
	var w hashWatch
	f := newFixture(t, w.option)
	const n, limit = 24, 5
	names := make([]string, n)
	for i := range names {
		names[i] = "tess"
	}
	statuses := parallelSignIns(t, readyClients(t, f, n), names, "not her password")
	locked := 0
	for i, st := range statuses {
		switch st {
		case http.StatusTooManyRequests:
			locked++
		case http.StatusUnauthorized, http.StatusServiceUnavailable:
		default:
			t.Errorf("sign-in %d: got %d, want 401, 429 or 503", i, st)
		}
	}
	if total, _ := w.counts(); total > limit {
		t.Errorf("%d parallel wrong passwords: got %d hashed, want at most %d", n, total, limit)
	}
	if locked == 0 {
		t.Errorf("%d parallel wrong passwords: got no 429, want the account locked", n)
	}
}

// A flood of sign-ins that all reach the hash runs no more hashes at once
// than there are slots.
func TestSignInHashesAtOnceAreBounded(t *testing.T) {
	var w hashWatch
	f := newFixture(t, w.option, func(cfg *Config) {
		cfg.HashSlots = 2
		cfg.AddressLimit.Limit = 1000
	})
	const n = 24
	names := make([]string, n)
	for i := range names {
		names[i] = "nobody" + string(rune('a'+i))
	}
	statuses := parallelSignIns(t, readyClients(t, f, n), names, "not a password")
	busy := 0
	for i, st := range statuses {
		switch st {
		case http.StatusServiceUnavailable:
			busy++
		case http.StatusUnauthorized:
		default:
			t.Errorf("sign-in %d: got %d, want 401 or 503", i, st)
		}
	}
	total, peak := w.counts()
	if peak > 2 {
		t.Errorf("hashes at once: got %d, want at most 2", peak)
	}
	if total+busy != n {
		t.Errorf("got %d hashed and %d told to try again, want %d in all", total, busy, n)
	}
}

// When every slot stays busy, a sign-in waits briefly and is told to try
// again shortly; that attempt is not counted against the account.
func TestSignInBusyTriesAgainShortly(t *testing.T) {
	w := hashWatch{entered: make(chan struct{}, 2), release: make(chan struct{})}
	f := newFixture(t, w.option, func(cfg *Config) {
		cfg.HashSlots = 1
		cfg.HashWait = 10 * time.Millisecond
		cfg.AccountAddressLimit.Limit = 1
	})
	rita, tess := f.client(t), f.client(t)
	rita.get("/login")
	tess.get("/login")
	done := make(chan int, 1)
	req := signInRequest(t, rita, reviewerName, testPassword)
	go func() { st, _ := send(t, rita, req); done <- st }()
	<-w.entered // rita's check holds the only slot
	tessDone := make(chan string, 1)
	treq := signInRequest(t, tess, "tess", testPassword)
	go func() {
		st, body := send(t, tess, treq)
		tessDone <- fmt.Sprint(st, " ", body)
	}()
	select {
	case got := <-tessDone:
		if !strings.HasPrefix(got, "503 ") || !strings.Contains(got, "Try again in a few seconds") {
			t.Errorf("sign-in while the slot is taken: got %.200s, want 503 and try again", got)
		}
	case <-w.entered:
		t.Errorf("a second hash started while the only slot was taken")
	}
	close(w.release)
	if st := <-done; st != http.StatusOK {
		t.Errorf("the sign-in holding the slot: got %d, want it signed in", st)
	}
	f.login(t, "tess") // the busy attempt did not count towards her limit of 1
}

// Failures against an account from one address do not lock its owner
// out elsewhere.
func TestSignInLockOutIsPerAddress(t *testing.T) {
	f := newFixture(t)
	mallory := f.clientFrom(t, "127.0.0.2")
	for i := 1; i <= 5; i++ {
		want := http.StatusUnauthorized
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if status, _ := mallory.signIn("tess", "guess"); status != want {
			t.Fatalf("failure %d from 127.0.0.2: got %d, want %d", i, status, want)
		}
	}
	if status, _ := mallory.signIn("tess", testPassword); status != http.StatusTooManyRequests {
		t.Errorf("right password from the locked address: got %d, want 429", status)
	}
	tess := f.clientFrom(t, "127.0.0.3")
	if status, body := tess.signIn("tess", testPassword); status != http.StatusOK || !strings.Contains(body, "Sign out") {
		t.Errorf("tess from another address: got %d, want signed in:\n%.300s", status, body)
	}
}

// Failures from many addresses lock the account for everyone at the
// account's ceiling, and an address trying many accounts is locked too.
func TestSignInCeilingAndAddressLimits(t *testing.T) {
	f := newFixture(t, quickCheck, func(cfg *Config) { cfg.AccountLimit.Limit = 6 })
	for i, addr := range []string{"127.0.0.2", "127.0.0.3"} {
		c := f.clientFrom(t, addr)
		for j := 1; j <= 3; j++ {
			want := http.StatusUnauthorized
			if i == 1 && j == 3 {
				want = http.StatusTooManyRequests
			}
			if status, _ := c.signIn("tess", "guess"); status != want {
				t.Fatalf("failure %d from %s: got %d, want %d", j, addr, status, want)
			}
		}
	}
	if status, _ := f.clientFrom(t, "127.0.0.4").signIn("tess", testPassword); status != http.StatusTooManyRequests {
		t.Errorf("tess at the account's ceiling: got %d, want 429", status)
	}
	f.setNow(f.now().Add(16 * time.Minute))
	if status, _ := f.clientFrom(t, "127.0.0.4").signIn("tess", testPassword); status != http.StatusOK {
		t.Errorf("tess after the lock-out: got %d, want signed in", status)
	}

	scan := f.clientFrom(t, "127.0.0.5")
	for i := 1; i <= 20; i++ {
		want := http.StatusUnauthorized
		if i == 20 {
			want = http.StatusTooManyRequests
		}
		if status, _ := scan.signIn("someone"+string(rune('a'+i%5)), "guess"); status != want {
			t.Fatalf("failure %d from 127.0.0.5: got %d, want %d", i, status, want)
		}
	}
	if status, _ := scan.signIn(reviewerName, testPassword); status != http.StatusTooManyRequests {
		t.Errorf("another account from the locked address: got %d, want 429", status)
	}
	if status, _ := f.clientFrom(t, "127.0.0.6").signIn(reviewerName, testPassword); status != http.StatusOK {
		t.Errorf("rita from another address: got %d, want signed in", status)
	}
}

// A name no account can have is refused before any hash or database
// work, and so never fills the failure table nor locks the address.
func TestSignInUnusableNames(t *testing.T) {
	var w hashWatch
	f := newFixture(t, w.option)
	c := f.client(t)
	for i, name := range []string{
		strings.Repeat("a", 65), strings.Repeat("t", 60<<10), "te\u017fs", "r\u0131ta", "ri\u212aa", "tess\x00", "-tess", "tess smith",
	} {
		for range 3 {
			if status, body := c.signIn(name, "guess"); status != http.StatusUnauthorized || !strings.Contains(body, "not right") {
				t.Fatalf("name %d: got %d, want 401", i, status)
			}
		}
	}
	if total, _ := w.counts(); total != 0 {
		t.Errorf("unusable names: got %d hashed, want none", total)
	}
	if status, body := c.signIn("RITA", testPassword); status != http.StatusOK || !strings.Contains(body, "Sign out") {
		t.Errorf("RITA after 24 unusable names: got %d, want signed in as rita", status)
	}
}

// signInAs signs in with extra request headers.
func (c *client) signInAs(name, password string, h http.Header) int {
	c.t.Helper()
	c.get("/login")
	h = h.Clone()
	h.Set("Origin", c.base)
	status, _ := c.postRaw("/login", url.Values{"name": {name}, "password": {password}, "csrf": {c.csrf}}, h)
	return status
}

// X-Forwarded-For counts only from a trusted proxy: anyone else who sends
// it gets no fresh count per made-up address.
func TestSignInBehindATrustedProxy(t *testing.T) {
	xff := func(addr string) http.Header { return http.Header{"X-Forwarded-For": {addr}} }
	t.Run("not trusted", func(t *testing.T) {
		f := newFixture(t, quickCheck)
		c := f.clientFrom(t, "127.0.0.2")
		for i := 1; i <= 6; i++ {
			want := http.StatusUnauthorized
			if i >= 5 {
				want = http.StatusTooManyRequests
			}
			if st := c.signInAs("tess", "guess", xff(fmt.Sprintf("198.51.100.%d", i))); st != want {
				t.Errorf("failure %d with a made-up X-Forwarded-For: got %d, want %d", i, st, want)
			}
		}
	})
	t.Run("trusted", func(t *testing.T) {
		f := newFixture(t, quickCheck, func(cfg *Config) {
			cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}
		})
		proxy := f.clientFrom(t, "127.0.0.2")
		for i := 1; i <= 5; i++ {
			want := http.StatusUnauthorized
			if i == 5 {
				want = http.StatusTooManyRequests
			}
			if st := proxy.signInAs("tess", "guess", xff("198.51.100.7")); st != want {
				t.Errorf("failure %d from 198.51.100.7: got %d, want %d", i, st, want)
			}
		}
		if st := f.clientFrom(t, "127.0.0.2").signInAs("tess", testPassword, xff("198.51.100.7")); st != http.StatusTooManyRequests {
			t.Errorf("tess through the proxy from the locked address: got %d, want 429", st)
		}
		if st := f.clientFrom(t, "127.0.0.2").signInAs("tess", testPassword, xff("198.51.100.8")); st != http.StatusOK {
			t.Errorf("tess through the proxy from another address: got %d, want signed in", st)
		}
	})
}
