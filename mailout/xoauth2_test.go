package mailout

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/internal/mailstack"
	"connectord/mailauth"
	"connectord/store"
)

// oauthServer is an OAuth 2.0 token endpoint (client credentials) and the
// introspection endpoint Dovecot asks about each token.
func oauthServer(t *testing.T, token, user string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("client_secret") != "client-secret" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("POST /introspect", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.Form.Get("token") != token {
			json.NewEncoder(w).Encode(map[string]any{"active": false})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Exchange Online's SMTP AUTH takes an OAuth 2.0 token: the sender gets one
// with the client-credentials grant (the same source as IMAP) and sends it
// as XOAUTH2 over STARTTLS. Here Postfix asks Dovecot, whose oauth2 passdb
// asks the introspection endpoint.
func TestSendWithXOAUTH2(t *testing.T) {
	const user = "connector.data@nhs.net"
	idp := oauthServer(t, "good-token", user)
	stack := mailstack.Start(t, mailstack.WithOAuth2Introspection(idp.URL+"/introspect"))
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, secret := range map[string]string{"good credentials": "client-secret", "wrong client secret": "nope"} {
		t.Run(name, func(t *testing.T) {
			ts, err := mailauth.NewTokenSource(context.Background(), mailauth.OAuth2Config{
				TokenURL: idp.URL + "/token", ClientID: "connectord", ClientSecret: secret,
				Scope: "https://outlook.office365.com/.default"})
			if err != nil {
				t.Fatal(err)
			}
			s := &Sender{Store: st, From: user, LoopHeader: "X-Connectord-Loop", MaxAttempts: 1,
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
	stack.WaitForMail(t, "alice@nhs.net", 1)
}
