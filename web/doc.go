// Package web is connectord's console for the people who run the
// connector: support reviewers approve or reject first-time senders' held
// files after a dry-run preview; operators also watch the batch's runs, retry
// the outbox and keep the Connector roster. Pages are rendered on the
// server with html/template and work without JavaScript.
//
// # Security model
//
// Every page but the sign-in page needs a session. Accounts are local
// (console_users; `connectord users add`) with argon2id password hashes.
// A session is a random 256-bit token in an HttpOnly, SameSite=Lax
// cookie (Secure, with the __Host- prefix, over TLS or behind a TLS
// proxy); the store keeps only its SHA-256, with an idle and an absolute
// timeout. Signing out deletes it.
//
// State-changing requests are POSTs and pass two checks: Go's
// http.CrossOriginProtection (Sec-Fetch-Site / Origin against Host), and a
// per-session token in every form, compared in constant time. The sign-in
// form, which has no session yet, carries a double-submit token cookie.
//
// Every sign-in attempt is charged in the store (console_login_failures)
// before its password is checked, in one transaction for all its counts:
// one account from one client address, one address over all accounts,
// and a far higher ceiling for one account over all addresses, so that
// failures from elsewhere do not lock a user out. A locked sign-in is
// refused before the check; a right password takes its attempt back. The
// client address is the peer's, or what a configured trusted proxy put in
// X-Forwarded-For. Password checks (19 MiB each) run in a few slots; a
// sign-in that cannot get one soon is asked to try again. A name no
// account can have is refused before any work, and the redirect after
// sign-in goes only to a path on this site. Reviewers reach the review, submission, run,
// organisation and validate pages; operators also the roster and the
// outbox, and may start a run. Every decision (approve, reject, roster
// change, run now, retry) is written to console_audit with who and when,
// and shown on the page it concerns. Generated passwords are never shown:
// results files are read without their GeneratedPassword column.
//
// Responses carry a Content-Security-Policy that allows only this origin's
// styles and images and no script at all.
package web
