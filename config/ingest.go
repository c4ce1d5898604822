package config

import (
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
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

// validateIngest checks everything the mailbox side needs: the IMAP
// connection, the ingest rules, the batch, the SMTP relay, the ops
// endpoint and the reviewers, in that order.
func (c Config) validateIngest() []error {
	var errs []error
	errs = append(errs, c.validateIMAP()...)
	errs = append(errs, c.validateIngestRules()...)
	errs = append(errs, c.validateBatch()...)
	errs = append(errs, c.validateSMTP()...)
	if _, _, err := net.SplitHostPort(c.Ops.Listen); c.Ops.Listen != "" && err != nil {
		errs = append(errs, fmt.Errorf("ops.listen: %q must be host:port (empty turns the endpoint off)", c.Ops.Listen))
	}
	for _, r := range c.Reviewers {
		if _, err := mail.ParseAddress(r); err != nil {
			errs = append(errs, fmt.Errorf("reviewers: %q is not an email address", r))
		}
	}
	return errs
}

func (c Config) validateIMAP() []error {
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
	return errs
}

// validateIngestRules checks the ingest section: who may send and how
// large a message may be.
func (c Config) validateIngestRules() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(c.Ingest.AllowedDomains) == 0 {
		bad("ingest.allowed_domains: name at least one domain (nhs.net)")
	}
	// Senders and authserv-ids are compared ASCII-exact, so a value that is
	// not ASCII would never match anything.
	for _, d := range c.Ingest.AllowedDomains {
		if d == "" || strings.ContainsAny(d, "@ ") {
			bad("ingest.allowed_domains: %q is not a domain", d)
		} else if !isASCII(d) {
			bad("ingest.allowed_domains: %+q is not ASCII (write an internationalised domain in its xn-- form)", d)
		}
	}
	if c.Ingest.RequireAuthenticatedSender && len(c.Ingest.TrustedAuthservIDs) == 0 {
		bad("ingest.trusted_authserv_ids: name your MTA's authserv-id, or senders can never be authenticated")
	}
	for _, id := range c.Ingest.TrustedAuthservIDs {
		if !isASCII(id) {
			bad("ingest.trusted_authserv_ids: %+q is not ASCII, and a header with it is never trusted", id)
		}
	}
	if c.Ingest.MaxAttachmentBytes < 1024 {
		bad("ingest.max_attachment_bytes: %d is too small", c.Ingest.MaxAttachmentBytes)
	}
	if m := c.Ingest.MaxMessageBytes; m < 0 || m > 0 && m < c.Ingest.MaxAttachmentBytes {
		bad("ingest.max_message_bytes: %d is smaller than max_attachment_bytes (%d); leave it 0 to derive it from that",
			m, c.Ingest.MaxAttachmentBytes)
	}
	return errs
}

func (c Config) validateBatch() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if _, err := c.Location(); err != nil {
		errs = append(errs, err)
	}
	if _, err := time.Parse("15:04", c.Batch.Cutoff); err != nil {
		bad("batch.cutoff: %q is not a time of day such as 20:00", c.Batch.Cutoff)
	}
	if _, err := cron.ParseStandard(c.Batch.Schedule); err != nil {
		bad("batch.schedule: %q is not a five-field cron schedule (for example \"30 20 * * *\")", c.Batch.Schedule)
	}
	if c.Batch.SyncTimeout < 0 {
		bad("batch.sync_timeout: must not be negative")
	}
	if c.Batch.KeepFilesDays < 0 {
		bad("batch.keep_files_days: must not be negative (0 keeps files for ever)")
	}
	return errs
}

// Password reads the IMAP password from its file or environment variable.
func (m IMAP) Password(getenv func(string) string, readFile func(string) ([]byte, error)) (string, error) {
	return secret("imap", m.PasswordFile, m.PasswordEnv, getenv, readFile)
}

// secret reads a password from a file (its first line) or an environment
// variable, naming section's keys in errors.
func secret(section, file, env string, getenv func(string) string, readFile func(string) ([]byte, error)) (string, error) {
	switch {
	case file != "":
		b, err := readFile(file)
		if err != nil {
			return "", fmt.Errorf("%s.password_file: %w", section, err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		if line = strings.TrimRight(line, "\r"); line != "" {
			return line, nil
		}
		return "", fmt.Errorf("%s.password_file: %s is empty", section, file)
	case env != "":
		if v := getenv(env); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s.password_env: $%s is empty", section, env)
	}
	return "", fmt.Errorf("%s: set password_file or password_env", section)
}

func (c Config) validateSMTP() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	m := c.SMTP
	if _, _, err := net.SplitHostPort(m.Address); err != nil {
		bad("smtp.address: %q must be host:port (for example smtp.office365.com:587)", m.Address)
	}
	switch m.TLS {
	case "tls", "starttls":
	case "none":
		if !IsLoopback(m.Address) {
			bad("smtp.tls: none is only allowed to a loopback relay, not %s", m.Address)
		}
	default:
		bad("smtp.tls: %q is not one of tls, starttls, none", m.TLS)
	}
	switch m.Auth {
	case "none", "password":
	case "oauth2":
		if c.OAuth2.TokenURL == "" || c.OAuth2.ClientID == "" || c.OAuth2.ClientSecretFile == "" {
			bad("oauth2: token_url, client_id and client_secret_file are needed when smtp.auth is oauth2")
		}
	default:
		bad("smtp.auth: %q is not one of none, password, oauth2", m.Auth)
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		bad("smtp.from: %q must be the connector's address", m.From)
	}
	if m.MaxAttempts < 1 {
		bad("smtp.max_attempts: %d must be at least 1", m.MaxAttempts)
	}
	if m.Timeout < time.Second {
		bad("smtp.timeout: %s is too short (at least 1s)", m.Timeout)
	}
	return errs
}

// Password reads the SMTP password from its file or environment variable.
func (m SMTP) Password(getenv func(string) string, readFile func(string) ([]byte, error)) (string, error) {
	return secret("smtp", m.PasswordFile, m.PasswordEnv, getenv, readFile)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
