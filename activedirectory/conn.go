package activedirectory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Client is a connection to the directory, bound as the service account.
// It is safe for concurrent use: requests from several goroutines are in
// flight on the one connection at once. After a network error or a
// cancelled context the connection is closed; Dial a new Client.
type Client struct {
	conn     *ldap.Conn
	cfg      Config
	attrs    mapping
	orgs     orgTemplate
	domainDN string         // defaultNamingContext: sAMAccountName is unique in it
	limits   map[string]int // lower-case attribute name → most characters (rangeUpper)
	log      *slog.Logger
	n        counters

	mu       sync.Mutex
	ous      map[string]bool // organisation containers known to exist
	twoStep  bool            // the server refused a password in an add
	afterAdd func(dn string)
}

// AfterAdd sets fn to run after a two-step creation's add, before the
// password is set: kill tests stop the process there. nil runs nothing.
func (c *Client) AfterAdd(fn func(dn string)) {
	c.mu.Lock()
	c.afterAdd = fn
	c.mu.Unlock()
}

// URL is the directory's address, as configured.
func (c *Client) URL() string { return c.cfg.URL }

// Dial connects over TLS, binds as the service account and reads what the
// client needs from the directory (its domain and, from the schema, that
// the configured attributes exist and how long their values may be).
func Dial(ctx context.Context, cfg Config, log *slog.Logger) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	attrs, _ := newMapping(cfg.Attributes)          // checked by Validate
	orgs, _ := parseOrgTemplate(cfg.OrganisationDN) // checked by Validate
	pw, err := cfg.password()
	if err != nil {
		return nil, err
	}
	conn, err := dialTLS(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{conn: conn, cfg: cfg, attrs: attrs, orgs: orgs, log: log, ous: map[string]bool{}}
	if err := c.do(ctx, func() error { return conn.Bind(cfg.BindDN, pw) }); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bind to %s as %s: %w", cfg.URL, cfg.BindDN, describeBindError(err))
	}
	if err := c.readDirectory(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	tlsVersion := ""
	if st, ok := conn.TLSConnectionState(); ok {
		tlsVersion = tls.VersionName(st.Version)
	}
	log.Info("connected to the directory", "url", cfg.URL, "bind_dn", cfg.BindDN, "domain", c.domainDN, "tls", tlsVersion)
	return c, nil
}

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }

// dialTLS opens an encrypted, unbound connection with every deadline set.
func dialTLS(ctx context.Context, cfg Config) (*ldap.Conn, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("directory.ldap.url: %w", err)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, map[string]string{"ldaps": "636", "ldap": "389"}[u.Scheme]
	}
	tc, err := tlsConfig(cfg.CAFile, host)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	d := net.Dialer{Timeout: cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cfg.URL, err)
	}
	dc := &deadlineConn{Conn: raw, timeout: cfg.Timeout}
	if u.Scheme == "ldaps" {
		tconn := tls.Client(dc, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, fmt.Errorf("TLS with %s: %w", cfg.URL, err)
		}
		conn := ldap.NewConn(tconn, true)
		conn.Start()
		conn.SetTimeout(cfg.Timeout)
		return conn, nil
	}
	conn := ldap.NewConn(dc, false)
	conn.Start()
	conn.SetTimeout(cfg.Timeout)
	// StartTLS's handshake reads the socket directly: bound it too.
	raw.SetReadDeadline(time.Now().Add(cfg.Timeout))
	err = conn.StartTLS(tc)
	raw.SetReadDeadline(time.Time{})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("StartTLS with %s: %w", cfg.URL, err)
	}
	return conn, nil
}

func tlsConfig(caFile, host string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("directory.ldap.ca_file: %w", err)
	}
	tc.RootCAs = x509.NewCertPool()
	if !tc.RootCAs.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("directory.ldap.ca_file %s: no PEM certificate in it", caFile)
	}
	return tc, nil
}

// deadlineConn gives every write a deadline, so that a server that stops
// reading cannot block the connection's writer for ever (the LDAP library
// sets none; its per-request timeout starts only once a write is done).
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (d *deadlineConn) Write(p []byte) (int, error) {
	if err := d.Conn.SetWriteDeadline(time.Now().Add(d.timeout)); err != nil {
		return 0, err
	}
	return d.Conn.Write(p)
}

// do runs one operation, closing the connection if ctx ends first (which
// fails the operation, and everything else in flight, at once).
func (c *Client) do(ctx context.Context, op func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.conn.Close() })
	err := op()
	if !stop() {
		return fmt.Errorf("%w (the directory connection was closed)", context.Cause(ctx))
	}
	return err
}
