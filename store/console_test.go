package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestConsoleUsersAndSessions(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	if err := st.AddConsoleUser(ctx, ConsoleUser{Name: " Alice ", Role: RoleReviewer, PasswordHash: "h", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddConsoleUser(ctx, ConsoleUser{Name: "alice", Role: RoleOperator, PasswordHash: "h2", CreatedAt: now}); !errors.Is(err, ErrExists) {
		t.Fatalf("add twice: got %v, want ErrExists", err)
	}
	if err := st.AddConsoleUser(ctx, ConsoleUser{Name: "eve", Role: "admin", PasswordHash: "h", CreatedAt: now}); err == nil {
		t.Fatal("role admin: got no error, want the CHECK to refuse it")
	}
	u, err := st.ConsoleUser(ctx, "ALICE")
	if err != nil || u.Name != "alice" || u.Role != RoleReviewer || u.Disabled() {
		t.Fatalf("lookup: got %+v, %v; want enabled reviewer alice", u, err)
	}
	if err := st.CreateConsoleSession(ctx, ConsoleSession{TokenHash: "t1", User: u, CSRFToken: "c", CreatedAt: now, LastSeenAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetConsoleFlash(ctx, "t1", "ok\tdone"); err != nil {
		t.Fatal(err)
	}
	cs, err := st.ConsoleSession(ctx, "t1")
	if err != nil || cs.User.Name != "alice" || cs.CSRFToken != "c" || cs.Flash != "ok\tdone" || !cs.CreatedAt.Equal(now) {
		t.Fatalf("session: got %+v, %v", cs, err)
	}
	if err := st.ClearConsoleFlash(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if err := st.TouchConsoleSession(ctx, "t1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if cs, _ = st.ConsoleSession(ctx, "t1"); cs.Flash != "" || !cs.LastSeenAt.Equal(now.Add(time.Hour)) {
		t.Errorf("after touch: got flash %q, last seen %v", cs.Flash, cs.LastSeenAt)
	}
	if n, err := st.DeleteExpiredConsoleSessions(ctx, now, now); err != nil || n != 0 {
		t.Errorf("expire nothing: got %d, %v", n, err)
	}
	if err := st.DisableConsoleUser(ctx, "alice", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ConsoleSession(ctx, "t1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("session after disable: got %v, want ErrNotFound", err)
	}
	if u, _ = st.ConsoleUser(ctx, "alice"); !u.Disabled() {
		t.Error("disable: account still enabled")
	}
	if err := st.DisableConsoleUser(ctx, "nobody", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("disable unknown: got %v, want ErrNotFound", err)
	}
	if err := st.SetConsolePassword(ctx, "alice", "h3"); err != nil {
		t.Fatal(err)
	}
	if u, _ = st.ConsoleUser(ctx, "alice"); u.Disabled() || u.PasswordHash != "h3" {
		t.Errorf("new password: got %+v, want enabled with h3", u)
	}
	list, err := st.ConsoleUsers(ctx)
	if err != nil || len(list) != 1 {
		t.Errorf("list: got %v, %v", list, err)
	}
}

func TestConsoleAudit(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	for _, a := range []ConsoleAudit{
		{At: now, Actor: "rita", Action: AuditApprove, Subject: "submission 1"},
		{At: now, Actor: "oscar", Action: AuditRosterPut, Subject: "a@nhs.net", Detail: "RR8"},
		{At: now, Actor: "oscar", Action: AuditRosterRemove, Subject: "a@nhs.net"},
	} {
		if err := st.AddConsoleAudit(ctx, &a); err != nil || a.ID == 0 {
			t.Fatalf("add: %v (id %d)", err, a.ID)
		}
	}
	got, err := st.ConsoleAuditLog(ctx, ConsoleAuditFilter{Actions: []string{AuditRosterPut, AuditRosterRemove}})
	if err != nil || len(got) != 2 || got[0].Action != AuditRosterRemove {
		t.Errorf("roster actions: got %+v, %v; want two, newest first", got, err)
	}
	got, _ = st.ConsoleAuditLog(ctx, ConsoleAuditFilter{Subject: "submission 1", Limit: 5})
	if len(got) != 1 || got[0].Actor != "rita" || !got[0].At.Equal(now) {
		t.Errorf("by subject: got %+v", got)
	}
}
