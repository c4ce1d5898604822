package mailstack

import (
	"strconv"
	"strings"
)

// DefaultUsers are the mailboxes every stack has; their password is
// DefaultPassword. Our product accepts only @nhs.net senders, so the test
// domains are real NHS ones; the stack never relays off-host, so mail for
// them stays in the stack.
var DefaultUsers = []string{
	"connector.data@nhs.net",
	"alice@nhs.net",
	"bob@nhs.net",
	"reviewer@nhs.net",
	"support@nhs.net",
}

// DefaultPassword is the password of the users created at start.
const DefaultPassword = "secret"

// Option changes how Start sets up a stack.
type Option func(*config)

type config struct {
	users         []string
	tls           bool
	introspectURL string
}

func defaultConfig() config {
	return config{users: append([]string(nil), DefaultUsers...), tls: true}
}

// WithUsers adds mailboxes, with DefaultPassword, to the default ones.
func WithUsers(addrs ...string) Option {
	return func(c *config) { c.users = append(c.users, addrs...) }
}

// WithoutTLS starts the stack with no TLS at all: no STARTTLS is offered and
// there are no implicit-TLS listeners.
func WithoutTLS() Option {
	return func(c *config) { c.tls = false }
}

// WithOAuth2Introspection makes IMAP and SMTP also accept SASL XOAUTH2 and
// OAUTHBEARER, with each token checked by a POST to url, which must be
// http://127.0.0.1:PORT/... (an httptest.Server's URL plus a path). Password
// logins keep working. For every login Dovecot sends
//
//	POST <url>
//	Content-Type: application/x-www-form-urlencoded
//
//	token=<token>&client_id=&client_secret=
//
// and reads a JSON object from the reply, whatever its status (a 4xx body is
// read too; a 5xx is a temporary failure). It accepts the token when
// "username" equals the login name (case-insensitively) and "active" is true
// or absent; {"active": false} refuses it (RFC 7662). Dovecot checks nothing
// else, not even "exp". scripts/mailstack.sh has the details.
func WithOAuth2Introspection(url string) Option {
	return func(c *config) { c.introspectURL = url }
}

// env returns the script's settings, with fresh free ports.
func (c config) env() ([]string, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	tls := "1"
	if !c.tls {
		tls = "0"
	}
	return []string{
		"MAILSTACK_IMAP_PORT=" + strconv.Itoa(ports[0]),
		"MAILSTACK_IMAPS_PORT=" + strconv.Itoa(ports[1]),
		"MAILSTACK_SMTP_PORT=" + strconv.Itoa(ports[2]),
		"MAILSTACK_SMTPS_PORT=" + strconv.Itoa(ports[3]),
		"MAILSTACK_LMTP_PORT=" + strconv.Itoa(ports[4]),
		"MAILSTACK_TLS=" + tls,
		"MAILSTACK_DOMAINS=nhs.net nhs.uk",
		"MAILSTACK_USERS=" + strings.Join(c.users, " "),
		"MAILSTACK_PASSWORD=" + DefaultPassword,
		"MAILSTACK_OAUTH2_INTROSPECTION_URL=" + c.introspectURL,
	}, nil
}
