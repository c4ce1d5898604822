package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a loopback certificate and key and returns their paths.
func selfSigned(t *testing.T) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return cert, keyPath
}

// Over TLS the session cookie is Secure, HttpOnly, SameSite=Lax and
// __Host- prefixed, and responses ask for HTTPS from then on.
func TestTLSCookies(t *testing.T) {
	f := newFixture(t)
	cert, key := selfSigned(t)
	cfg := f.srv.cfg
	cfg.TLSCertFile, cfg.TLSKeyFile = cert, key
	srv, err := New(f.srv.deps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })

	c := f.client(t)
	c.base = "https://" + ln.Addr().String()
	c.c.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // our own test certificate
	var setCookie []string
	c.c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		setCookie = append(setCookie, req.Response.Header.Values("Set-Cookie")...)
		return nil
	}
	if status, body := c.signIn(reviewerName, testPassword); status != http.StatusOK || !strings.Contains(body, "Sign out") {
		t.Fatalf("sign in over TLS: %d", status)
	}
	var session string
	for _, sc := range setCookie {
		if strings.HasPrefix(sc, "__Host-connectord-session=") {
			session = sc
		}
	}
	for _, want := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(session, want) {
			t.Errorf("session cookie %q lacks %s", session, want)
		}
	}
	resp, err := c.c.Get(c.base + "/review")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no Strict-Transport-Security over TLS")
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
	for _, c := range resp.Cookies() {
		if c.Name == loginCookie && (!c.HttpOnly || c.Secure) {
			t.Errorf("login cookie over plain HTTP: %+v", c)
		}
	}
}

// The binary builds and serves plain pages without the NHS.UK frontend.
func TestPlainPagesWithoutTheFrontend(t *testing.T) {
	f := newFixture(t)
	for _, nhs := range []bool{false, true} {
		f.srv.nhs = nhs
		rec := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, `href="/static/console.css"`) {
			t.Errorf("nhs=%v: got %d without the console's stylesheet", nhs, rec.Code)
		}
		if got := strings.Contains(body, "nhsuk-frontend.min.css"); got != nhs {
			t.Errorf("nhs=%v: links the NHS.UK stylesheet: %v", nhs, got)
		}
	}
	for path, want := range map[string]int{"/static/console.css": 200, "/assets/.keep": 404, "/assets/": 404, "/static/nope.css": 404} {
		rec := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: got %d, want %d", path, rec.Code, want)
		}
	}
}

// The client is the peer, unless the peer is a trusted proxy: then the
// nearest X-Forwarded-For address that is not a trusted proxy.
func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.9/32"), netip.MustParsePrefix("10.1.0.0/16")}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxies configured", "10.0.0.9:5555", []string{"203.0.113.7, 198.51.100.2"}, nil, "10.0.0.9"},
		{"a peer that is not a proxy", "192.0.2.4:5555", []string{"198.51.100.2"}, proxies, "192.0.2.4"},
		{"the address the proxy appended", "10.0.0.9:5555", []string{"203.0.113.7, 198.51.100.2"}, proxies, "198.51.100.2"},
		{"two headers", "10.0.0.9:5555", []string{"203.0.113.7", "198.51.100.2"}, proxies, "198.51.100.2"},
		{"a chain of trusted proxies", "10.0.0.9:5555", []string{"203.0.113.7, 198.51.100.2, 10.1.2.3"}, proxies, "198.51.100.2"},
		{"no header", "10.0.0.9:5555", nil, proxies, "10.0.0.9"},
		{"garbage from the proxy", "10.0.0.9:5555", []string{"198.51.100.2, unknown"}, proxies, "10.0.0.9"},
		{"garbage beyond the client", "10.0.0.9:5555", []string{"evil, 198.51.100.2"}, proxies, "198.51.100.2"},
		{"with a port", "10.0.0.9:5555", []string{"198.51.100.2:61000"}, proxies, "198.51.100.2"},
		{"IPv6", "10.0.0.9:5555", []string{"[2001:db8::1]:61000"}, proxies, "2001:db8::1"},
		{"only trusted hops", "10.0.0.9:5555", []string{"10.1.0.1, 10.1.0.2"}, proxies, "10.1.0.1"},
		{"IPv4-mapped peer", "[::ffff:192.0.2.4]:5555", nil, nil, "192.0.2.4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{cfg: Config{TrustedProxies: tc.trusted}}
			r := httptest.NewRequest(http.MethodPost, "/login", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientAddr(r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// An IPv6 client is counted by its /64.
func TestThrottleAddr(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.4":             "192.0.2.4",
		"2001:db8:1:2:3:4:5:6":  "2001:db8:1:2::/64",
		"2001:db8:1:2::ffff":    "2001:db8:1:2::/64",
		"::1":                   "::/64",
		"not an address at all": "not an address at all",
	} {
		if got := throttleAddr(in); got != want {
			t.Errorf("throttleAddr(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	if _, err := HashPassword("short"); err != ErrWeakPassword {
		t.Errorf("short password: got %v, want ErrWeakPassword", err)
	}
	h, err := HashPassword(testPassword)
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash: %q, %v", h, err)
	}
	if h2, _ := HashPassword(testPassword); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{testPassword: true, testPassword + " ": false, "": false} {
		if ok, err := checkPassword(h, pw); ok != want || err != nil {
			t.Errorf("check %q: got %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "$2a$10$bcrypt", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=8,t=1,p=1$!!$a2V5"} {
		if ok, err := checkPassword(bad, testPassword); ok || err == nil {
			t.Errorf("hash %q: got %v, %v; want an error", bad, ok, err)
		}
	}
}
