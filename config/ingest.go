package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"
)

// Location loads batch.timezone.
func (c Config) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.Batch.Timezone)
	if err != nil {
		return nil, fmt.Errorf("batch.timezone: %q is not a time zone (for example Europe/London)", c.Batch.Timezone)
	}
	return loc, nil
}

// IsLoopback reports whether a host:port names this machine.
func IsLoopback(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c Config) validateIngest() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	m := c.IMAP
	if _, _, err := net.SplitHostPort(m.Address); err != nil {
		bad("imap.address: %q must be host:port (for example outlook.office365.com:993)", m.Address)
	}
	switch m.TLS {
	case "tls", "starttls":
	case "none":
		if !IsLoopback(m.Address) {
			bad("imap.tls: none sends the password in clear and is only allowed to a loopback address, not %s", m.Address)
		}
	default:
		bad("imap.tls: %q is not one of tls, starttls, none", m.TLS)
	}
	switch m.Auth {
	case "password":
		if m.PasswordFile == "" && m.PasswordEnv == "" {
			// Checked when the mailbox is used, so that offline commands
			// (validate, process) work with a partial config.
		}
	case "oauth2":
		if c.OAuth2.TokenURL == "" || c.OAuth2.ClientID == "" || c.OAuth2.ClientSecretFile == "" {
			bad("oauth2: token_url, client_id and client_secret_file are needed when imap.auth is oauth2")
		}
	default:
		bad("imap.auth: %q is not one of password, oauth2", m.Auth)
	}
	if _, err := mail.ParseAddress(m.Username); err != nil {
		bad("imap.username: %q must be the connector mailbox's address", m.Username)
	}
	if m.Mailbox == "" || m.ProcessedMailbox == "" || m.Mailbox == m.ProcessedMailbox {
		bad("imap.mailbox and imap.processed_mailbox must be set and differ")
	}
	if m.PollInterval < time.Second {
		bad("imap.poll_interval: %s is too short (at least 1s)", m.PollInterval)
	}
	if m.CommandTimeout < time.Second {
		bad("imap.command_timeout: %s is too short (at least 1s)", m.CommandTimeout)
	}
	if m.BatchSize < 1 || m.BatchSize > 5000 {
		bad("imap.batch_size: %d must be from 1 to 5000", m.BatchSize)
	}
	if len(c.Ingest.AllowedDomains) == 0 {
		bad("ingest.allowed_domains: name at least one domain (nhs.net)")
	}
	for _, d := range c.Ingest.AllowedDomains {
		if d == "" || strings.ContainsAny(d, "@ ") {
			bad("ingest.allowed_domains: %q is not a domain", d)
		}
	}
	if c.Ingest.RequireAuthenticatedSender && len(c.Ingest.TrustedAuthservIDs) == 0 {
		bad("ingest.trusted_authserv_ids: name your MTA's authserv-id, or senders can never be authenticated")
	}
	if c.Ingest.MaxAttachmentBytes < 1024 {
		bad("ingest.max_attachment_bytes: %d is too small", c.Ingest.MaxAttachmentBytes)
	}
	if _, err := c.Location(); err != nil {
		errs = append(errs, err)
	}
	if _, err := time.Parse("15:04", c.Batch.Cutoff); err != nil {
		bad("batch.cutoff: %q is not a time of day such as 20:00", c.Batch.Cutoff)
	}
	for _, r := range c.Reviewers {
		if _, err := mail.ParseAddress(r); err != nil {
			bad("reviewers: %q is not an email address", r)
		}
	}
	return errs
}

// Password reads the IMAP password from its file or environment variable.
func (m IMAP) Password(getenv func(string) string, readFile func(string) ([]byte, error)) (string, error) {
	switch {
	case m.PasswordFile != "":
		b, err := readFile(m.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("imap.password_file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case m.PasswordEnv != "":
		if v := getenv(m.PasswordEnv); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("imap.password_env: $%s is empty", m.PasswordEnv)
	}
	return "", errors.New("imap: set password_file or password_env")
}
