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

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration. Zero values are filled by Defaults.
type Config struct {
	// DataDir holds the database (connectord.db) and the spool.
	DataDir   string    `yaml:"data_dir"`
	Directory Directory `yaml:"directory"`
	Log       Log       `yaml:"log"`
}

// Directory configures the mailbox directory the engine maintains.
type Directory struct {
	// Domain is the mail domain of new mailboxes (first.last@Domain).
	Domain    string    `yaml:"domain"`
	Picklists Picklists `yaml:"picklists"`
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
		Directory: Directory{Domain: "nhs.net"},
		Log:       Log{Level: "info", Format: "text"},
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
