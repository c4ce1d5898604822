package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/store"
)

// syncBuffer is a bytes.Buffer safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond every 20 ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServe(t *testing.T) {
	m := newMailboxSetup(t, 50)
	// The relay is not reachable: mail waits in the outbox, which is fine here.
	cfg, _ := os.ReadFile(m.config)
	cfg = bytes.Replace(cfg, []byte("log:\n  level: warn"), []byte(`smtp:
  address: 127.0.0.1:1
  tls: none
  auth: none
ops:
  listen: 127.0.0.1:0
console:
  listen: ""
log:
  level: info`), 1)
	os.WriteFile(m.config, cfg, 0o644)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-config", m.config, "serve"}, strings.NewReader(""), io.Discard, &stderr)
	}()
	addrRE := regexp.MustCompile(`ops endpoint listening"? addr=([0-9.:]+)`)
	var ops string
	defer func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", stderr.String())
		}
	}()
	waitFor(t, "the ops endpoint", 10*time.Second, func() bool {
		if mm := addrRE.FindStringSubmatch(stderr.String()); mm != nil {
			ops = mm[1]
			return true
		}
		return false
	})
	m.srv.Append(t, imaptest.Submission("admin.leeds@nhs.net", "a.csv", "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"), time.Now())
	st := m.store()
	defer st.Close()
	waitFor(t, "the message to be taken", 15*time.Second, func() bool {
		subs, _ := st.Submissions(context.Background(), store.SubmissionFilter{})
		return len(subs) == 1
	})
	var health map[string]any
	waitFor(t, "a healthy /healthz", 10*time.Second, func() bool {
		resp, err := http.Get("http://" + ops + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		health = nil
		json.NewDecoder(resp.Body).Decode(&health)
		return resp.StatusCode == 200 && health["mailbox_connected"] == true
	})
	// The counter is bumped just after the submission's row commits, so
	// wait for it rather than reading /metrics once.
	var metrics string
	want := []string{`connectord_messages_total{disposition="accepted"} 1`, `connectord_outbox_messages{state="pending"}`, "connectord_imap_reconnects"}
	waitFor(t, "/metrics to count the message", 10*time.Second, func() bool {
		resp, err := http.Get("http://" + ops + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		metrics = string(body)
		for _, w := range want {
			if !strings.Contains(metrics, w) {
				return false
			}
		}
		return true
	})
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after SIGTERM-like cancel, want 0\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of being told to")
	}
	if !strings.Contains(stderr.String(), "connectord stopped") {
		t.Errorf("no clean stop logged:\n%s", stderr.String())
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown key":         {"imap:\n  adress: x\n", "field adress not found"},
		"plaintext off-host":  {"imap:\n  address: mail.example.org:143\n  tls: none\n", "loopback"},
		"unwritable data dir": {"data_dir: /proc/connectord\n", "data_dir"},
		"bad schedule":        {"batch:\n  schedule: every night\n", "batch.schedule"},
		"console without TLS": {"console:\n  listen: 0.0.0.0:8080\n", "console.listen"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			os.WriteFile(path, []byte(tc.yaml), 0o644)
			var stderr bytes.Buffer
			code := run(context.Background(), []string{"-config", path, "serve"}, strings.NewReader(""), io.Discard, &stderr)
			msg := strings.TrimSpace(stderr.String())
			if code == 0 || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want a refusal in one line mentioning %q", code, msg, tc.want)
			}
		})
	}
}
