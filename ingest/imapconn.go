package ingest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"connectord/mailauth"
)

// TLS modes of the IMAP connection.
const (
	TLSImplicit = "tls"
	TLSStart    = "starttls"
	TLSNone     = "none"
)

// Server says how to reach and log in to the connector mailbox.
type Server struct {
	Address   string
	TLS       string      // TLSImplicit, TLSStart or TLSNone (loopback only)
	TLSConfig *tls.Config // nil: system roots, server name from Address
	Creds     mailauth.Credentials
	// Timeout bounds any one wait for the server: a read that gets no byte
	// for this long drops the connection (go-imap has no command timeouts).
	Timeout time.Duration
}

// session is one logged-in IMAP connection.
type session struct {
	c       *imapclient.Client
	caps    imap.CapSet
	updates chan struct{} // a new message arrived (EXISTS); buffered, lossy
}

func (s *session) close() { s.c.Close() }

// stallConn drops the connection when a read or write waits longer than
// timeout without progress. The timeout is long enough to include an IDLE
// wait (the poller ends each IDLE itself before then).
type stallConn struct {
	net.Conn
	timeout time.Duration
}

func (c *stallConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *stallConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}

// dial connects, upgrades to TLS as configured, and logs in. idleWait is
// the longest the poller will sit in IDLE, added to the stall timeout.
func (s *Server) dial(ctx context.Context, idleWait time.Duration) (*session, error) {
	if s.TLS == TLSNone && !isLoopbackAddr(s.Address) {
		return nil, fmt.Errorf("imap: refusing to log in without TLS to %s (only loopback may use tls: none)", s.Address)
	}
	d := net.Dialer{Timeout: s.Timeout}
	raw, err := d.DialContext(ctx, "tcp", s.Address)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.Address, err)
	}
	conn := &stallConn{Conn: raw, timeout: s.Timeout + idleWait}
	// Closing the connection when ctx ends unblocks every pending command.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	sess := &session{updates: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: s.tlsConfig(),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case sess.updates <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	switch s.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			stop()
			return nil, fmt.Errorf("TLS with %s: %w", s.Address, err)
		}
		c = imapclient.New(tc, opts)
	case TLSStart:
		c, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			raw.Close()
			stop()
			return nil, fmt.Errorf("STARTTLS with %s: %w", s.Address, err)
		}
	default:
		c = imapclient.New(conn, opts)
	}
	sess.c = c
	if err := s.login(c); err != nil {
		c.Close()
		stop()
		return nil, err
	}
	caps, err := c.Capability().Wait()
	if err != nil {
		c.Close()
		stop()
		return nil, fmt.Errorf("imap CAPABILITY: %w", err)
	}
	sess.caps = caps
	go func() { <-c.Closed(); stop() }()
	return sess, nil
}

func (s *Server) tlsConfig() *tls.Config {
	if s.TLSConfig != nil {
		return s.TLSConfig.Clone()
	}
	host, _, _ := net.SplitHostPort(s.Address)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

func (s *Server) login(c *imapclient.Client) error {
	cr := s.Creds
	if cr.Tokens != nil {
		tok, err := cr.Token()
		if err != nil {
			return err
		}
		if err := c.Authenticate(&mailauth.XOAUTH2{Username: cr.Username, Token: tok}); err != nil {
			var refused *imap.Error
			if errors.As(err, &refused) || errors.Is(err, mailauth.ErrTokenRefused) {
				cr.Refused(tok) // the next login asks for a fresh token
			}
			return fmt.Errorf("imap XOAUTH2 as %s: %w", cr.Username, err)
		}
		return nil
	}
	if err := c.Login(cr.Username, cr.Password).Wait(); err != nil {
		return fmt.Errorf("imap LOGIN as %s: %w", cr.Username, err)
	}
	return nil
}

func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
