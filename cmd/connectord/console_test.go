package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/store"
)

// The README's path for a new operator: create an account, start serve,
// sign in to the console and approve a held file.
func TestConsoleApproveThroughServe(t *testing.T) {
	m := newMailboxSetup(t, 50)
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"-config", m.config, "users", "add", "olive", "-role", "operator"},
		strings.NewReader("olive's long password\n"), &out, &errb); code != 0 {
		t.Fatalf("users add: exit %d: %s", code, errb.String())
	}

	d, base := m.serve(t, `smtp:
  address: 127.0.0.1:1
  tls: none
  auth: none
ops:
  listen: ""
console:
  listen: 127.0.0.1:0`, regexp.MustCompile(`console listening"? component=console url=(http://[0-9.:]+)/`))
	m.srv.Append(t, imaptest.Submission("new.admin@nhs.net", "first.csv", "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"), time.Now())
	st := m.store()
	defer st.Close()
	var id int64
	waitFor(t, "the file to be held", 15*time.Second, func() bool {
		subs, _ := st.Submissions(context.Background(), store.SubmissionFilter{State: store.StateHeld})
		if len(subs) == 1 {
			id = subs[0].ID
		}
		return id != 0
	})

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post := func(path string, form url.Values, page string) string {
		t.Helper()
		form.Set("csrf", token.FindStringSubmatch(page)[1])
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	queue := post("/login", url.Values{"name": {"olive"}, "password": {"olive's long password"}}, get("/login"))
	if !strings.Contains(queue, "first.csv") || !strings.Contains(queue, "new.admin@nhs.net") {
		t.Fatalf("the review queue after sign-in lacks the held file:\n%s", queue)
	}
	done2 := post("/review/"+itoa64(id)+"/approve", url.Values{}, get("/review/"+itoa64(id)))
	if !strings.Contains(done2, "Approved first.csv") {
		t.Errorf("approve: no confirmation:\n%s", done2)
	}
	if sub, err := st.Submission(context.Background(), id); err != nil || sub.State != store.StateAccepted || sub.ReviewedBy != "olive" {
		t.Errorf("after approve: %+v, %v; want accepted by olive", sub, err)
	}
	d.stop(t)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
