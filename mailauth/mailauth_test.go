package mailauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		content string
		want    string
		wantErr bool
	}{
		"plain":       {"s3cret", "s3cret", false},
		"newline":     {"s3cret\n", "s3cret", false},
		"crlf":        {"s3cret\r\nignored", "s3cret", false},
		"empty":       {"\n", "", true},
		"spaces kept": {" a b ", " a b ", false},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(tc.content), 0o600)
		got, err := ReadSecretFile(p)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q (error %v)", name, got, err, tc.want, tc.wantErr)
		}
	}
	if _, err := ReadSecretFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: got no error")
	}
}

// The token source asks the token endpoint once and reuses the token
// until it is near expiry.
func TestTokenSourceCaches(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" ||
			r.Form.Get("client_secret") != "shh" || r.Form.Get("scope") != "https://outlook.office365.com/.default" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600})
	}))
	defer srv.Close()
	ts, err := NewTokenSource(context.Background(), OAuth2Config{TokenURL: srv.URL, ClientID: "id", ClientSecret: "shh",
		Scope: "https://outlook.office365.com/.default"})
	if err != nil {
		t.Fatal(err)
	}
	c := Credentials{Username: "connector.data@nhs.net", Tokens: ts}
	for range 3 {
		tok, err := c.Token()
		if err != nil || tok != "tok-1" {
			t.Fatalf("got %q, %v; want tok-1", tok, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("token endpoint called %d times, want 1", n)
	}
	bad, _ := NewTokenSource(context.Background(), OAuth2Config{TokenURL: srv.URL, ClientID: "id", ClientSecret: "wrong"})
	if _, err := (Credentials{Tokens: bad}).Token(); err == nil {
		t.Error("wrong secret: got a token")
	}
}

// The cache keeps a token until expiryDelta before its expiry, and drops
// it when a server refuses it, but only if it is still the current one: a
// late refusal of a token already replaced (IMAP and SMTP share the
// cache) must not throw the new one away.
func TestTokenCacheRefreshAndRefusal(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("tok-%d", n), "token_type": "Bearer", "expires_in": 3600})
	}))
	defer srv.Close()
	ts, err := NewTokenSource(context.Background(), OAuth2Config{TokenURL: srv.URL, ClientID: "id", ClientSecret: "shh"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ts.now = func() time.Time { return now }
	c := Credentials{Tokens: ts}
	token := func() string {
		t.Helper()
		tok, err := c.Token()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"first", func() {}, "tok-1"},
		{"cached", func() {}, "tok-1"},
		{"refused", func() { c.Refused("tok-1") }, "tok-2"},
		{"late refusal of the old token", func() { c.Refused("tok-1") }, "tok-2"},
		{"still fresh 54 min on", func() { now = now.Add(54 * time.Minute) }, "tok-2"},
		{"within 5 min of expiry", func() { now = now.Add(2 * time.Minute) }, "tok-3"},
	}
	for _, s := range steps {
		s.do()
		if got := token(); got != s.want {
			t.Errorf("%s: got %s, want %s", s.name, got, s.want)
		}
	}
}

func TestXOAUTH2(t *testing.T) {
	x := &XOAUTH2{Username: "u@nhs.net", Token: "abc"}
	mech, ir, err := x.Start()
	if mech != "XOAUTH2" || string(ir) != "user=u@nhs.net\x01auth=Bearer abc\x01\x01" || err != nil {
		t.Errorf("Start: got %s %q %v", mech, ir, err)
	}
	if _, err := x.Next([]byte(`{"status":"401","schemes":"bearer","scope":"x"}`)); err == nil {
		t.Error("Next on an error challenge: got no error")
	}
}
