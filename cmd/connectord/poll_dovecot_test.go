package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/internal/mailstack"
	"connectord/store"
)

// TestPollOnceAgainstDovecot runs `connectord poll -once` from a config
// file against a real Dovecot, with mail that came in through Postfix:
// once with a password over implicit TLS, once with OAuth 2.0 client
// credentials (XOAUTH2) over STARTTLS.
func TestPollOnceAgainstDovecot(t *testing.T) {
	idp := startTokenEndpoints(t)
	s := mailstack.Start(t, mailstack.WithOAuth2Introspection(idp.URL+"/introspect"))
	bounce, err := os.ReadFile("../../inspect/testdata/bounce.eml")
	if err != nil {
		t.Fatal(err)
	}
	csv := "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"

	tests := []struct {
		name string
		imap string // the imap: and oauth2: sections
	}{
		{"password over implicit TLS", fmt.Sprintf(`imap:
  address: %s
  tls: tls
  ca_file: %s
  password_file: %%s
`, s.IMAPSAddr, s.CACertPEM)},
		{"XOAUTH2 over STARTTLS", fmt.Sprintf(`imap:
  address: %s
  tls: starttls
  ca_file: %s
  auth: oauth2
oauth2:
  token_url: %s/token
  client_id: connectord
  client_secret_file: %%s
`, s.IMAPAddr, s.CACertPEM, idp.URL)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			secret := filepath.Join(dir, "secret")
			pw := s.Password
			if strings.Contains(tc.imap, "oauth2") {
				pw = clientSecret
			}
			if err := os.WriteFile(secret, []byte(pw+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := fmt.Sprintf("data_dir: %s\n"+tc.imap+"reviewers: [support@nhs.net]\nlog:\n  level: warn\n",
				filepath.Join(dir, "var"), secret)
			path := filepath.Join(dir, "connectord.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			c := &cli{t: t, db: filepath.Join(dir, "var", "connectord.db")}
			must := func(args ...string) string { t.Helper(); return c.must(append([]string{"-config", path}, args...)...) }
			must("org", "import", "../../testdata/organisations.csv")
			must("senders", "add", "admin.leeds@nhs.net", "-org", "RR8,A81001")
			must("senders", "add", "new.admin@nhs.net", "-org", "RR8")
			trust(t, c.db, "admin.leeds@nhs.net")

			msgs := []struct{ from, state string }{
				{"admin.leeds@nhs.net", store.StateAccepted},
				{"new.admin@nhs.net", store.StateHeld},
				{"stranger@nhs.net", store.StateRejected},
				{"", store.StateIgnored}, // the bounce
			}
			for _, m := range msgs {
				raw := bounce
				if m.from != "" {
					raw = imaptest.Submission(m.from, "push.csv", csv)
				}
				sendSMTP(t, s.SMTPAddr, m.from, imaptest.User, raw)
			}
			s.WaitForMail(t, imaptest.User, len(msgs))

			out := must("poll", "-once")
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) != len(msgs) {
				t.Fatalf("poll -once printed %d lines, want one per message (%d):\n%s", len(lines), len(msgs), out)
			}
			// Postfix may deliver them in any order: match lines by sender.
			want := map[string]string{}
			for _, m := range msgs {
				want[m.from] = m.state
			}
			for _, l := range lines {
				f := strings.Split(l, "\t")
				if len(f) < 4 {
					t.Fatalf("line %q: want uid, submission, state, sender, file, reason", l)
				}
				from := f[3]
				if f[2] == store.StateIgnored {
					from = "" // the bounce, from MAILER-DAEMON
				}
				state, ok := want[from]
				if !ok || f[2] != state {
					t.Errorf("line %q: want %s from %s", l, state, from)
				}
				delete(want, from)
			}
			if again := must("poll", "-once"); again != "" {
				t.Errorf("second poll -once printed %q, want nothing", again)
			}
			if all, _ := imaptest.Count(t, s.IMAPAddr, imaptest.User, s.Password, "INBOX"); all != 0 {
				t.Errorf("INBOX holds %d messages after poll -once", all)
			}
			listed := strings.Split(strings.TrimSpace(must("submissions", "list", "-json")), "\n")
			if len(listed) != len(msgs) {
				t.Errorf("submissions list -json: %d lines, want %d", len(listed), len(msgs))
			}
			for _, l := range listed {
				var j struct {
					ReceivedAt time.Time `json:"received_at"`
					BatchDay   string    `json:"batch_day"`
				}
				if err := json.Unmarshal([]byte(l), &j); err != nil {
					t.Fatalf("%q: %v", l, err)
				}
				if time.Since(j.ReceivedAt) > time.Minute || j.BatchDay == "" {
					t.Errorf("received_at %s, batch_day %q: want Dovecot's delivery time (now), not the Date header", j.ReceivedAt, j.BatchDay)
				}
			}
		})
	}
}

func trust(t *testing.T, db, sender string) {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.InTx(context.Background(), func(tx *store.Tx) error { return tx.Trust(sender, "test", 0, time.Now()) })
	if err != nil {
		t.Fatal(err)
	}
}

// sendSMTP hands a message to Postfix without TLS (loopback needs no auth).
func sendSMTP(t *testing.T, addr, from, to string, raw []byte) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from); err != nil {
		t.Fatalf("MAIL FROM:<%s>: %v", from, err)
	}
	if err := c.Rcpt(to); err != nil {
		t.Fatalf("RCPT TO:<%s>: %v", to, err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("DATA: %v", err)
	}
	c.Quit()
}

const clientSecret = "client-secret"

// startTokenEndpoints serves the client-credentials token endpoint and the
// introspection endpoint Dovecot asks, on loopback.
func startTokenEndpoints(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_secret") != clientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": "good-token", "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("POST /introspect", func(w http.ResponseWriter, r *http.Request) {
		resp := map[string]any{"active": false}
		if r.ParseForm() == nil && r.PostForm.Get("token") == "good-token" {
			resp = map[string]any{"active": true, "username": imaptest.User}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
