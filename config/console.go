package config

import (
	"fmt"
	"net"
	"time"
)

// Console is the web console for reviewers and operators.
type Console struct {
	// Listen is host:port; empty turns the console off.
	Listen string `yaml:"listen"`
	// TLSCert and TLSKey are PEM files; both set serves HTTPS.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// AllowPlainHTTPBehindProxy lets the console listen without TLS on a
	// non-loopback address, for a TLS-terminating proxy in front.
	AllowPlainHTTPBehindProxy bool          `yaml:"allow_plain_http_behind_proxy"`
	SessionIdle               time.Duration `yaml:"session_idle"`
	SessionMax                time.Duration `yaml:"session_max"`
}

func (c Config) validateConsole() []error {
	var errs []error
	m := c.Console
	if m.Listen == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(m.Listen); err != nil {
		errs = append(errs, fmt.Errorf("console.listen: %q must be host:port, or empty to turn the console off", m.Listen))
	}
	if (m.TLSCert == "") != (m.TLSKey == "") {
		errs = append(errs, fmt.Errorf("console.tls_cert and console.tls_key go together"))
	}
	if m.TLSCert == "" && !IsLoopback(m.Listen) && !m.AllowPlainHTTPBehindProxy {
		errs = append(errs, fmt.Errorf("console.listen: %s is not loopback: set tls_cert and tls_key, or allow_plain_http_behind_proxy: true behind a TLS proxy", m.Listen))
	}
	if m.SessionIdle < time.Minute || m.SessionMax < m.SessionIdle {
		errs = append(errs, fmt.Errorf("console.session_idle must be at least 1m and session_max at least session_idle"))
	}
	return errs
}
