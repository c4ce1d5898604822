package mailout

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectord/internal/mailstack"
	"connectord/internal/storetest"
	"connectord/mailauth"
	"connectord/store"
)

// identityProvider is an OAuth 2.0 token endpoint (client credentials)
// issuing token-1, token-2, ..., and the introspection endpoint Dovecot
// asks about each token: every token it issued is good until revoked.
type identityProvider struct {
	*httptest.Server
	mu      sync.Mutex
	issued  int
	revoked map[string]bool
}

func startIdentityProvider(t *testing.T, user string) *identityProvider {
	t.Helper()
	p := &identityProvider{revoked: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("client_secret") != "client-secret" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		p.mu.Lock()
		p.issued++
		tok := fmt.Sprintf("token-%d", p.issued)
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("POST /introspect", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		tok := r.Form.Get("token")
		p.mu.Lock()
		active := strings.HasPrefix(tok, "token-") && !p.revoked[tok]
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !active {
			json.NewEncoder(w).Encode(map[string]any{"active": false})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user})
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func (p *identityProvider) revoke(tok string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.revoked[tok] = true
}

func (p *identityProvider) tokensIssued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issued
}

// Exchange Online's SMTP AUTH takes an OAuth 2.0 token: the sender gets one
// with the client-credentials grant (the same source as IMAP) and sends it
// as XOAUTH2 over STARTTLS. Here Postfix asks Dovecot, whose oauth2 passdb
// asks the introspection endpoint.
func TestSendWithXOAUTH2(t *testing.T) {
	const user = "connector.data@nhs.net"
	idp := startIdentityProvider(t, user)
	stack := mailstack.Start(t, mailstack.WithOAuth2Introspection(idp.URL+"/introspect"))
	st := storetest.Open(t)
	for name, secret := range map[string]string{"good credentials": "client-secret", "wrong client secret": "nope"} {
		t.Run(name, func(t *testing.T) {
			ts, err := mailauth.NewTokenSource(context.Background(), mailauth.OAuth2Config{
				TokenURL: idp.URL + "/token", ClientID: "connectord", ClientSecret: secret,
				Scope: "https://outlook.office365.com/.default"})
			if err != nil {
				t.Fatal(err)
			}
			s := &Mailer{Store: st, From: user, LoopHeader: "X-Connectord-Loop", MaxAttempts: 1,
				Relay: Relay{Address: stack.SMTPAddr, TLS: TLSStart, TLSConfig: stack.TLSConfig(), Timeout: 10 * time.Second,
					Creds: mailauth.Credentials{Username: user, Tokens: ts}},
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			m := store.OutboxMessage{Kind: store.MailAck, Recipient: "alice@nhs.net", Subject: name, Body: "x",
				MessageID: strings.ReplaceAll(name, " ", "-") + "@nhs.net"}
			if err := st.InTx(context.Background(), func(tx *store.Tx) error { return tx.Enqueue(&m, time.Now()) }); err != nil {
				t.Fatal(err)
			}
			stats, err := s.DrainOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if secret == "client-secret" && stats.Sent != 1 {
				t.Errorf("got %+v, want the message sent", stats)
			}
			if secret != "client-secret" && (stats.Sent != 0 || stats.Failed != 1) {
				t.Errorf("got %+v, want it failed (no token)", stats)
			}
		})
	}

	// A token the server stops taking (revoked, or issued before the
	// mailbox's permission was granted) is dropped at the first refusal:
	// that attempt is deferred, the next one fetches a fresh token and
	// sends, long before the old token would have expired.
	t.Run("revoked token", func(t *testing.T) {
		ts, err := mailauth.NewTokenSource(context.Background(), mailauth.OAuth2Config{
			TokenURL: idp.URL + "/token", ClientID: "connectord", ClientSecret: "client-secret"})
		if err != nil {
			t.Fatal(err)
		}
		old, err := ts.Token()
		if err != nil {
			t.Fatal(err)
		}
		idp.revoke(old.AccessToken)
		issued := idp.tokensIssued()
		now := time.Now()
		s := &Mailer{Store: st, From: user, LoopHeader: "X-Connectord-Loop", MaxAttempts: 3,
			Relay: Relay{Address: stack.SMTPAddr, TLS: TLSStart, TLSConfig: stack.TLSConfig(), Timeout: 10 * time.Second,
				Creds: mailauth.Credentials{Username: user, Tokens: ts}},
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
		m := store.OutboxMessage{Kind: store.MailAck, Recipient: "alice@nhs.net", Subject: "after revocation", Body: "x",
			MessageID: "after-revocation@nhs.net"}
		if err := st.InTx(context.Background(), func(tx *store.Tx) error { return tx.Enqueue(&m, now) }); err != nil {
			t.Fatal(err)
		}
		if stats, err := s.DrainOnce(context.Background()); err != nil || stats.Retried != 1 {
			t.Fatalf("with the revoked token: got %+v, %v; want the message deferred", stats, err)
		}
		now = now.Add(time.Hour) // past any backoff
		if stats, err := s.DrainOnce(context.Background()); err != nil || stats.Sent != 1 {
			t.Fatalf("after the refusal: got %+v, %v; want the message sent with a fresh token", stats, err)
		}
		if n := idp.tokensIssued() - issued; n != 1 {
			t.Errorf("%d tokens fetched after the refusal, want 1", n)
		}
	})
	stack.WaitForMail(t, "alice@nhs.net", 2)
}
