package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
	"connectord/internal/mailstack"
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

// serving is 'connectord serve' running in the test process.
type serving struct {
	log    syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// serve puts settings (YAML sections) in place of the setup config's log
// section, starts serve, and waits until its log matches listening; it
// returns the first submatch (the address it listens on). The daemon's log
// is printed if the test fails; stop is the caller's.
func (m *mailboxSetup) serve(t *testing.T, settings string, listening *regexp.Regexp) (*serving, string) {
	t.Helper()
	raw, err := os.ReadFile(m.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(raw), "log:\n  level: warn", settings+"\nlog:\n  level: info", 1)
	if err := os.WriteFile(m.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &serving{cancel: cancel, done: make(chan int, 1)}
	go func() {
		d.done <- run(ctx, []string{"-config", m.config, "serve"}, strings.NewReader(""), io.Discard, &d.log)
	}()
	t.Cleanup(func() {
		cancel()
		select { // a test that failed early still waits, before its data goes
		case <-d.done:
		case <-time.After(30 * time.Second):
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.log.String())
		}
	})
	var addr string
	waitFor(t, "serve to listen", 10*time.Second, func() bool {
		if mm := listening.FindStringSubmatch(d.log.String()); mm != nil {
			addr = mm[1]
			return true
		}
		return false
	})
	return d, addr
}

// stop cancels serve, as SIGTERM does, and checks it exits 0 in time.
func (d *serving) stop(t *testing.T) {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		d.done <- code // for the cleanup
		if code != 0 {
			t.Errorf("serve exited %d after being told to stop, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of being told to")
	}
	if !strings.Contains(d.log.String(), "connectord stopped") {
		t.Errorf("no clean stop logged")
	}
}

func TestServe(t *testing.T) {
	m := newMailboxSetup(t, 50)
	// The relay is not reachable: mail waits in the outbox, which is fine here.
	d, ops := m.serve(t, `smtp:
  address: 127.0.0.1:1
  tls: none
  auth: none
ops:
  listen: 127.0.0.1:0
console:
  listen: ""`, regexp.MustCompile(`ops endpoint listening"? addr=([0-9.:]+)`))
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
	d.stop(t)
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

// serve logs, at info, what became of each message it takes and each
// email it hands to the relay (real Postfix), the results email included.
func TestServeLogsEachMessageAndMail(t *testing.T) {
	stack := mailstack.Start(t, mailstack.WithUsers("admin.leeds@nhs.net"))
	m := newMailboxSetup(t, 50)
	d, _ := m.serve(t, fmt.Sprintf(`smtp:
  address: %s
  tls: none
  auth: none
ops:
  listen: ""
console:
  listen: ""`, stack.SMTPAddr), regexp.MustCompile(`(connectord running)`))
	noon := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	m.srv.Append(t, imaptest.Submission("admin.leeds@nhs.net", "a.csv", goodFile), noon)
	logged := func(what string, re *regexp.Regexp) {
		t.Helper()
		waitFor(t, what, 20*time.Second, func() bool { return re.MatchString(d.log.String()) })
	}
	logged("the disposition", regexp.MustCompile(`level=INFO msg="message taken" submission=1 uid=1 sender=admin.leeds@nhs.net file=a.csv state=accepted reason="for the batch of 2026-03-03"`))
	logged("the acknowledgement", regexp.MustCompile(`level=INFO msg="mail sent" outbox=1 kind=ack to=admin.leeds@nhs.net message_id=[0-9a-f]+@nhs.net submission=1`))

	// A night run beside serve queues the results; the next message serve
	// takes wakes its sender.
	m.must("batch", "run", "-no-sync", "-day", "2026-03-03")
	bounce, err := os.ReadFile("../../inspect/testdata/bounce.eml")
	if err != nil {
		t.Fatal(err)
	}
	m.srv.Append(t, bounce, noon.Add(time.Hour))
	logged("the bounce's disposition", regexp.MustCompile(`msg="message taken" submission=2 uid=2 sender=\S+ file="" state=ignored`))
	logged("the results email", regexp.MustCompile(`level=INFO msg="mail sent" outbox=2 kind=results to=admin.leeds@nhs.net message_id=[0-9a-f]+@nhs.net submission=1`))
	d.stop(t)
}
