package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"connectord/store"
	"connectord/web"
)

const usersUsage = `connectord users add NAME -role reviewer|operator
connectord users list
connectord users disable NAME
connectord users password NAME

The web console's accounts. add and password read the password from the
first line of standard input (at least 12 characters); it is stored only
as an argon2id hash. Operators can do everything reviewers can, and also
keep the Connector roster, retry the outbox and start a run of the batch now.
disable stops an account signing in and ends its sessions; password sets
a new password, enables the account again and ends its sessions.

  printf '%s\n' "$PASSWORD" | connectord users add alice -role reviewer`

// userName is what a console account may be called: lower case letters,
// digits, and . _ - @ (an email address will do).
var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

func runUsers(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("users", flag.ContinueOnError)
	role := fs.String("role", "", "reviewer or operator")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say add, list, disable or password")
	}
	if len(pos) == 2 {
		pos[1] = strings.ToLower(strings.TrimSpace(pos[1]))
	}
	switch {
	case pos[0] == "add" && len(pos) == 2:
		return a.usersAdd(ctx, pos[1], *role)
	case pos[0] == "list" && len(pos) == 1:
		return a.usersList(ctx)
	case pos[0] == "disable" && len(pos) == 2:
		return a.usersDisable(ctx, pos[1])
	case pos[0] == "password" && len(pos) == 2:
		return a.usersPassword(ctx, pos[1])
	}
	return usagef("unknown or incomplete users command %q", strings.Join(pos, " "))
}

// usersAdd is 'users add NAME -role ROLE'.
func (a *app) usersAdd(ctx context.Context, name, role string) error {
	if !userName.MatchString(name) {
		return usagef("%q is not a usable name: lower-case letters, digits and . _ - @, at most 64", name)
	}
	if role != store.RoleReviewer && role != store.RoleOperator {
		return usagef("-role must be reviewer or operator")
	}
	hash, err := a.readPasswordHash()
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.AddConsoleUser(ctx, store.ConsoleUser{Name: name, Role: role, PasswordHash: hash, CreatedAt: time.Now()})
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%s already has an account (connectord users password %s sets a new password)", name, name)
	}
	if err != nil {
		return err
	}
	article := "a"
	if role == store.RoleOperator {
		article = "an"
	}
	fmt.Fprintf(a.stderr, "%s can sign in to the console as %s %s\n", name, article, role)
	return nil
}

// usersList is 'users list'.
func (a *app) usersList(ctx context.Context) error {
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := st.ConsoleUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tSTATUS")
	for _, u := range users {
		status := "enabled"
		if u.Disabled() {
			status = "disabled " + u.DisabledAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, u.CreatedAt.Local().Format("2006-01-02 15:04"), status)
	}
	return tw.Flush()
}

// usersDisable is 'users disable NAME'.
func (a *app) usersDisable(ctx context.Context, name string) error {
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.DisableConsoleUser(ctx, name, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "%s can no longer sign in to the console; their sessions have ended\n", name)
	return nil
}

// usersPassword is 'users password NAME'.
func (a *app) usersPassword(ctx context.Context, name string) error {
	hash, err := a.readPasswordHash()
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetConsolePassword(ctx, name, hash); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "%s has a new password; their sessions have ended\n", name)
	return nil
}

// readPasswordHash reads a password from the first line of standard input
// and hashes it.
func (a *app) readPasswordHash() (string, error) {
	line, err := bufio.NewReader(io.LimitReader(a.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("give the password on standard input, for example: printf '%%s\\n' \"$PASSWORD\" | connectord users ...")
	}
	hash, err := web.HashPassword(pw)
	if errors.Is(err, web.ErrWeakPassword) {
		return "", usagef("%v", err)
	}
	return hash, err
}
