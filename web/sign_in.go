package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"connectord/store"
)

// maxSignInName is the longest name an account may have (`connectord
// users add` refuses longer ones).
const maxSignInName = 64

const wrongPassword = "The name or password is not right."

// signInName returns name as an account holds it (ASCII lower case), and
// whether an account can have it at all: at most 64 ASCII letters, digits
// and . _ - @, starting with a letter or digit, as `connectord users add`
// requires. Any other name is refused before any database or hash work.
// Only ASCII is lower-cased: Unicode case folding would make look-alikes
// such as the Kelvin sign (U+212A) into a real name's letters.
func signInName(raw string) (string, bool) {
	if raw == "" || len(raw) > maxSignInName {
		return "", false
	}
	b := []byte(raw)
	for i, c := range b {
		switch {
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-' || c == '@'):
		default:
			return "", false
		}
	}
	return string(b), true
}

// signInRefusal is a sign-in turned down: the status and the sentence
// for the form.
type signInRefusal struct {
	status     int
	msg        string
	retryAfter string // seconds, for a Retry-After header; "" for none
}

func (s *Server) lockedRefusal(until time.Time) *signInRefusal {
	return &signInRefusal{status: http.StatusTooManyRequests,
		msg: "Too many failed sign-ins for this account or from this address. Try again after " +
			until.In(s.deps.Location).Format("15:04") + "."}
}

var busyRefusal = &signInRefusal{status: http.StatusServiceUnavailable, retryAfter: "5",
	msg: "Many sign-ins are being checked at the moment. Try again in a few seconds."}

// signInKeys are the counts a sign-in from addr to the account name is
// charged to.
func (s *Server) signInKeys(name, addr string) []store.LoginKey {
	a := throttleAddr(addr)
	return []store.LoginKey{
		{Key: "account-address:" + name + " " + a, LoginLimit: s.cfg.AccountAddressLimit, ClearOnSuccess: true},
		{Key: "address:" + a, LoginLimit: s.cfg.AddressLimit},
		{Key: "account:" + name, LoginLimit: s.cfg.AccountLimit},
	}
}

// signIn decides a sign-in: the account, or why not. The attempt is
// charged as a failure before the password is checked (store.ReserveLogin),
// so parallel attempts cannot outrun the limits; a locked sign-in is
// refused without a check. The attempt is taken back when the password is
// right, and when it was never checked because every hash slot stayed
// busy.
func (s *Server) signIn(ctx context.Context, name, password, addr string) (store.ConsoleUser, *signInRefusal, error) {
	keys := s.signInKeys(name, addr)
	att, err := s.deps.Store.ReserveLogin(ctx, keys, s.now())
	if err != nil {
		return store.ConsoleUser{}, nil, err
	}
	if att.Refused {
		s.log.Warn("console sign-in refused: throttled", "name", name, "addr", addr, "until", att.LockedUntil)
		return store.ConsoleUser{}, s.lockedRefusal(att.LockedUntil), nil
	}
	user, ok, err := s.verify(ctx, name, password)
	if err != nil {
		if rerr := s.deps.Store.ReleaseLogin(context.WithoutCancel(ctx), keys, false); rerr != nil {
			s.log.Warn("take back a sign-in attempt that was not checked", "name", name, "err", rerr)
		}
		if errors.Is(err, errHashesBusy) {
			s.log.Warn("console sign-in refused: too many password checks at once", "name", name, "addr", addr)
			return store.ConsoleUser{}, busyRefusal, nil
		}
		return store.ConsoleUser{}, nil, err
	}
	if !ok {
		s.log.Warn("console sign-in failed", "name", name, "addr", addr)
		if !att.LockedUntil.IsZero() {
			return store.ConsoleUser{}, s.lockedRefusal(att.LockedUntil), nil
		}
		return store.ConsoleUser{}, &signInRefusal{status: http.StatusUnauthorized, msg: wrongPassword}, nil
	}
	if err := s.deps.Store.ReleaseLogin(ctx, keys, true); err != nil {
		return store.ConsoleUser{}, nil, err
	}
	return user, nil, nil
}

// verify looks the account up and checks the password in a hash slot. An
// unknown name costs as much as a wrong password. ok is false for a wrong
// password, an unknown name and a disabled account.
func (s *Server) verify(ctx context.Context, name, password string) (store.ConsoleUser, bool, error) {
	user, err := s.deps.Store.ConsoleUser(ctx, name)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return user, false, err
	}
	release, err := s.hashes.acquire(ctx)
	if err != nil {
		return user, false, err
	}
	defer release()
	hash := user.PasswordHash
	if !known {
		hash = s.dummy.get()
	}
	ok, herr := s.cfg.checkPassword(hash, password)
	if herr != nil && known {
		s.log.Error("console account has an unreadable password hash", "name", name, "err", herr)
	}
	return user, ok && known && !user.Disabled(), nil
}
