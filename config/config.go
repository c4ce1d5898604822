// Package config holds connectord's one configuration struct: its defaults,
// a strict YAML loader (unknown keys are errors) and validation with
// messages an operator can act on. Secrets never live in the YAML: keys
// ending in _file name files that hold them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration. Zero values are filled by Defaults.
type Config struct {
	// DataDir holds the database (connectord.db) and the spool.
	DataDir   string    `yaml:"data_dir"`
	Directory Directory `yaml:"directory"`
	IMAP      IMAP      `yaml:"imap"`
	OAuth2    OAuth2    `yaml:"oauth2"`
	Ingest    Ingest    `yaml:"ingest"`
	Batch     Batch     `yaml:"batch"`
	SMTP      SMTP      `yaml:"smtp"`
	Ops       Ops       `yaml:"ops"`
	Console   Console   `yaml:"console"`
	// Reviewers are told when a first-time sender's file is held.
	Reviewers []string `yaml:"reviewers"`
	Log       Log      `yaml:"log"`
}

// IMAP is the connector mailbox.
type IMAP struct {
	Address string `yaml:"address"` // host:port
	TLS     string `yaml:"tls"`     // tls | starttls | none (none: loopback only)
	// CAFile, when set, is a PEM file of certificate authorities to trust
	// instead of the system's (a private CA, or a test server).
	CAFile       string `yaml:"ca_file"`
	Auth         string `yaml:"auth"` // password | oauth2
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"`
	PasswordEnv  string `yaml:"password_env"`
	Mailbox      string `yaml:"mailbox"`
	// ProcessedMailbox receives each message once it is safely recorded.
	ProcessedMailbox string        `yaml:"processed_mailbox"`
	PollInterval     time.Duration `yaml:"poll_interval"`
	CommandTimeout   time.Duration `yaml:"command_timeout"`
	BatchSize        int           `yaml:"batch_size"`
}

// OAuth2 is the OAuth 2.0 client-credentials grant used for IMAP and SMTP
// when their auth is oauth2 (Exchange Online).
type OAuth2 struct {
	TokenURL         string `yaml:"token_url"`
	ClientID         string `yaml:"client_id"`
	ClientSecretFile string `yaml:"client_secret_file"`
	Scope            string `yaml:"scope"`
}

// Ingest decides what each received message is.
type Ingest struct {
	AllowedDomains             []string `yaml:"allowed_domains"`
	RequireAuthenticatedSender bool     `yaml:"require_authenticated_sender"`
	TrustedAuthservIDs         []string `yaml:"trusted_authserv_ids"`
	MaxAttachmentBytes         int64    `yaml:"max_attachment_bytes"`
	// MaxMessageBytes is the largest message (its IMAP RFC822.SIZE) that
	// is fetched whole; 0 derives it from MaxAttachmentBytes.
	MaxMessageBytes int64 `yaml:"max_message_bytes"`
}

// Batch is the batch: when it runs and which day a file belongs to.
type Batch struct {
	Timezone string `yaml:"timezone"`
	Cutoff   string `yaml:"cutoff"` // HH:MM; files received at or after it go to the next day's batch
	// Schedule is a five-field cron spec in Timezone.
	Schedule string `yaml:"schedule"`
	// SyncTimeout bounds the mailbox sync a run starts with.
	SyncTimeout time.Duration `yaml:"sync_timeout"`
	// KeepFilesDays is how long the raw message and results file of a
	// settled submission are kept; each run removes older ones. 0 keeps
	// them for ever.
	KeepFilesDays int `yaml:"keep_files_days"`
}

// SMTP is the relay connectord's emails go through.
type SMTP struct {
	Address      string        `yaml:"address"`
	TLS          string        `yaml:"tls"` // tls | starttls | none (loopback only)
	CAFile       string        `yaml:"ca_file"`
	Auth         string        `yaml:"auth"` // none | password | oauth2
	Username     string        `yaml:"username"`
	PasswordFile string        `yaml:"password_file"`
	PasswordEnv  string        `yaml:"password_env"`
	From         string        `yaml:"from"`
	MaxAttempts  int           `yaml:"max_attempts"`
	Timeout      time.Duration `yaml:"timeout"`
}

// Ops is the operations endpoint: /healthz and /metrics.
type Ops struct {
	Listen string `yaml:"listen"`
}

// Directory configures the mailbox directory the engine maintains.
type Directory struct {
	// Domain is the mail domain of new mailboxes (first.last@Domain).
	Domain    string    `yaml:"domain"`
	Picklists Picklists `yaml:"picklists"`
	// Backend is where files are applied: sqlite (connectord's own
	// directory in the store) or ldap (Active Directory, see LDAP).
	Backend string `yaml:"backend"`
	LDAP    LDAP   `yaml:"ldap"`
}

// Picklists names files that replace the built-in pick lists, one value
// per line. An empty path keeps the built-in list.
type Picklists struct {
	Title              string `yaml:"title"`
	ClinicalRole       string `yaml:"clinical_role"`
	ClinicalSpeciality string `yaml:"clinical_speciality"`
	WorkArea           string `yaml:"work_area"`
}

// Log configures log/slog output.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// DatabaseFile is the file name of the store inside DataDir.
const DatabaseFile = "connectord.db"

// Defaults returns the configuration used when a key is not set.
func Defaults() Config {
	return Config{
		DataDir:   "./var",
		Directory: Directory{Domain: "nhs.net", Backend: BackendSQLite},
		IMAP: IMAP{
			Address: "127.0.0.1:993", TLS: "tls", Auth: "password", Username: "connector.data@nhs.net",
			Mailbox: "INBOX", ProcessedMailbox: "Processed", PollInterval: 60 * time.Second,
			CommandTimeout: 2 * time.Minute, BatchSize: 200,
		},
		OAuth2: OAuth2{Scope: "https://outlook.office365.com/.default"},
		Ingest: Ingest{
			AllowedDomains: []string{"nhs.net"}, RequireAuthenticatedSender: true,
			TrustedAuthservIDs: []string{"mx.nhs.net"}, MaxAttachmentBytes: 20 << 20,
		},
		Batch: Batch{Timezone: "Europe/London", Cutoff: "20:00", Schedule: "30 20 * * *", SyncTimeout: 10 * time.Minute,
			KeepFilesDays: 30},
		SMTP: SMTP{
			Address: "127.0.0.1:587", TLS: "starttls", Auth: "password", Username: "connector.data@nhs.net",
			From: "connector.data@nhs.net", MaxAttempts: 8, Timeout: time.Minute,
		},
		Ops:     Ops{Listen: "127.0.0.1:9464"},
		Console: Console{Listen: "127.0.0.1:8080", SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour},
		Log:     Log{Level: "info", Format: "text"},
	}
}

// DatabasePath is where the store lives.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, DatabaseFile) }

// Load reads a YAML file over Defaults. Unknown keys, wrong types and
// invalid values are errors naming the key.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes YAML over Defaults and validates the result.
func Parse(data []byte) (Config, error) {
	cfg := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%s", cleanYAMLError(err))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// cleanYAMLError turns yaml.v3's multi-line type errors into one line.
func cleanYAMLError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	msg = strings.ReplaceAll(msg, "in type config.", "in ")
	return msg
}

// Validate reports every invalid value at once.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("data_dir: must not be empty"))
	}
	if d := c.Directory.Domain; d == "" || strings.ContainsAny(d, "@ \t") || !strings.Contains(d, ".") {
		errs = append(errs, fmt.Errorf("directory.domain: %q is not a mail domain (for example nhs.net)", d))
	}
	errs = append(errs, c.Directory.validate()...)
	errs = append(errs, c.validateIngest()...)
	errs = append(errs, c.validateConsole()...)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level: %q is not one of debug, info, warn, error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log.format: %q is not one of text, json", c.Log.Format))
	}
	return errors.Join(errs...)
}
