// Package stackscript holds what the test harnesses share that start a
// private server with one of the project's scripts (scripts/mailstack.sh,
// scripts/sambadc.sh, scripts/pgstack.sh): finding the script, an
// environment a developer's shell cannot change, and the tail of a log.
package stackscript

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Find walks up from the working directory (a test runs in its package's
// directory) to go.mod and returns scripts/name there.
func Find(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "scripts", name)
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("script %s: %w", name, err)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// CleanEnv is the process environment without the variables whose names
// start with prefix (the script's own settings), so that a developer's
// shell cannot change a test's server.
func CleanEnv(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

// Tail returns the last n lines of the file at path, or the error that
// stopped it being read.
func Tail(path string, n int) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n"), nil
}
