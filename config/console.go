package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
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
	AllowPlainHTTPBehindProxy bool `yaml:"allow_plain_http_behind_proxy"`
	// TrustedProxies are the addresses (or CIDR ranges) of the proxies in
	// front of the console. Only a request from one of them has its
	// X-Forwarded-For read, for the client address failed sign-ins are
	// counted against.
	TrustedProxies []string      `yaml:"trusted_proxies"`
	SessionIdle    time.Duration `yaml:"session_idle"`
	SessionMax     time.Duration `yaml:"session_max"`
	// PublicURL is the address people open the console at (behind any
	// proxy), for the links in the emails to reviewers; empty: the
	// emails give command lines only.
	PublicURL string `yaml:"public_url"`
}

// checkPublicURL accepts an absolute https URL of the console (http only
// on a loopback host), without user, query or fragment, in ASCII.
func checkPublicURL(s string) error {
	bad := func(why string) error {
		return fmt.Errorf("console.public_url: %q %s; for example https://connector.example.nhs.uk/", s, why)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return bad("must be ASCII, without spaces or control characters")
		}
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return bad("is not a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return bad("must start with https://")
	case u.Host == "" || u.Hostname() == "":
		return bad("has no host")
	case u.User != nil:
		return bad("must not hold a user name or password")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.HasSuffix(s, "#"):
		return bad("must not have a query or a fragment")
	case u.Scheme == "http" && !IsLoopback(u.Host):
		return bad("must use https (plain http only on a loopback address)")
	}
	return nil
}

// TrustedProxyPrefixes returns TrustedProxies as address ranges: a single
// address is a range of one.
func (m Console) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range m.TrustedProxies {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("console.trusted_proxies: %q is not an IP address or a CIDR range such as 10.0.0.0/24", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (c Config) validateConsole() []error {
	var errs []error
	m := c.Console
	if m.PublicURL != "" {
		if err := checkPublicURL(m.PublicURL); err != nil {
			errs = append(errs, err)
		}
	}
	if m.Listen == "" {
		return errs
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
	if _, err := m.TrustedProxyPrefixes(); err != nil {
		errs = append(errs, err)
	}
	if m.AllowPlainHTTPBehindProxy && len(m.TrustedProxies) == 0 {
		errs = append(errs, fmt.Errorf("console.allow_plain_http_behind_proxy: set console.trusted_proxies to the proxy's address, so failed sign-ins are counted against each client rather than the proxy"))
	}
	if m.SessionIdle < time.Minute || m.SessionMax < m.SessionIdle {
		errs = append(errs, fmt.Errorf("console.session_idle must be at least 1m and session_max at least session_idle"))
	}
	return errs
}
