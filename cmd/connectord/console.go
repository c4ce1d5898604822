package main

import (
	"context"
	"fmt"
	"net"

	"connectord/web"
)

// startConsole returns the console's server loop, or nil when the console
// is off (console.listen empty). The templates, the TLS key pair and the
// listening socket are all set up here, so a broken template, a bad key
// or a port in use stops serve at start-up.
func (a *app) startConsole(deps web.Deps) (func(ctx context.Context) error, error) {
	c := a.cfg.Console
	if c.Listen == "" {
		return nil, nil
	}
	cfg := web.DefaultConfig()
	cfg.TLSCertFile, cfg.TLSKeyFile = c.TLSCert, c.TLSKey
	cfg.BehindProxy = c.AllowPlainHTTPBehindProxy
	proxies, err := c.TrustedProxyPrefixes()
	if err != nil {
		return nil, err
	}
	cfg.TrustedProxies = proxies
	cfg.SessionIdle, cfg.SessionMax = c.SessionIdle, c.SessionMax
	cfg.MaxUploadBytes = a.cfg.Ingest.MaxAttachmentBytes
	srv, err := web.New(deps, cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, fmt.Errorf("console.listen: %w", err)
	}
	return func(ctx context.Context) error { return srv.Serve(ctx, ln) }, nil
}
