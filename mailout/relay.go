package mailout

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"connectord/mailauth"
)

// TLS modes of the relay connection.
const (
	TLSImplicit = "tls"
	TLSStart    = "starttls"
	TLSNone     = "none" // loopback only
)

// Relay is the SMTP server mail is handed to.
type Relay struct {
	Address   string // host:port
	TLS       string
	TLSConfig *tls.Config
	// Creds: no username means no SMTP AUTH; a token source means XOAUTH2;
	// else a password (AUTH PLAIN, over TLS unless the relay is loopback).
	Creds   mailauth.Credentials
	Timeout time.Duration
}

// client makes a go-mail client for the relay, and says which OAuth 2.0
// access token it logs in with, if any.
func (r *Relay) client() (c *gomail.Client, token string, err error) {
	host, portText, err := net.SplitHostPort(r.Address)
	if err != nil {
		return nil, "", fmt.Errorf("smtp.address %q: %w", r.Address, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, "", fmt.Errorf("smtp.address %q: bad port", r.Address)
	}
	loopback := isLoopback(host)
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(r.Timeout), gomail.WithHELO(helo())}
	tc := r.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	switch r.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSConfig(tc))
	case TLSStart:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(tc))
	case TLSNone:
		if !loopback {
			return nil, "", fmt.Errorf("smtp.tls none is only allowed to a loopback relay, not %s", r.Address)
		}
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, "", fmt.Errorf("smtp.tls %q is not one of tls, starttls, none", r.TLS)
	}
	if u := r.Creds.Username; u != "" {
		if r.Creds.Tokens != nil {
			if token, err = r.Creds.Token(); err != nil {
				return nil, "", err
			}
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2), gomail.WithUsername(u), gomail.WithPassword(token))
		} else {
			auth := gomail.SMTPAuthPlain
			if r.TLS == TLSNone {
				auth = gomail.SMTPAuthPlainNoEnc // loopback only, checked above
			}
			opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(u), gomail.WithPassword(r.Creds.Password))
		}
	}
	if c, err = gomail.NewClient(host, opts...); err != nil {
		return nil, "", fmt.Errorf("smtp client: %w", err)
	}
	return c, token, nil
}

// isAuthRefusal reports whether a dial failed because the relay refused
// the credentials (RFC 4954: 535, or another 5xx to AUTH).
func isAuthRefusal(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func helo() string {
	return "connectord.localdomain"
}
