package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"connectord/batchday"
	"connectord/ingest"
	"connectord/inspect"
	"connectord/mailauth"
	"connectord/pushfile"
	"connectord/spool"
	"connectord/store"
)

// LoopHeader marks every email connectord sends; mail carrying it is
// never taken as a submission, so two instances cannot answer each other.
const LoopHeader = "X-Connectord-Loop"

// credentials reads the mailbox credentials named by the configuration.
func (a *app) credentials(ctx context.Context) (mailauth.Credentials, error) {
	c := mailauth.Credentials{Username: a.cfg.IMAP.Username}
	if a.cfg.IMAP.Auth == "oauth2" {
		ts, err := a.tokens(ctx)
		if err != nil {
			return c, err
		}
		c.Tokens = ts
		return c, nil
	}
	pw, err := a.cfg.IMAP.Password(os.Getenv, os.ReadFile)
	if err != nil {
		return c, err
	}
	c.Password = pw
	return c, nil
}

// tlsConfig trusts imap.ca_file when set.
func tlsConfig(caFile, address string) (*tls.Config, error) {
	host := address
	if i := strings.LastIndexByte(address, ':'); i >= 0 {
		host = address[:i]
	}
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s: no PEM certificates in it", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// ingestRules are the ingest rules from the configuration.
func (a *app) ingestRules(st *store.Store) (ingest.Rules, error) {
	loc, err := a.cfg.Location()
	if err != nil {
		return ingest.Rules{}, err
	}
	cutoff, err := batchday.ParseCutoff(a.cfg.Batch.Cutoff)
	if err != nil {
		return ingest.Rules{}, err
	}
	own := []string{strings.ToLower(a.cfg.IMAP.Username)}
	if from := strings.ToLower(a.cfg.SMTP.From); from != own[0] {
		own = append(own, from)
	}
	return ingest.Rules{
		Mailbox: a.cfg.IMAP.Mailbox,
		Policy: inspect.Policy{
			OwnAddresses: own, LoopHeader: LoopHeader,
			AllowedDomains: a.cfg.Ingest.AllowedDomains, RequireAuthenticatedSender: a.cfg.Ingest.RequireAuthenticatedSender,
			TrustedAuthservIDs: a.cfg.Ingest.TrustedAuthservIDs, MaxAttachmentBytes: a.cfg.Ingest.MaxAttachmentBytes,
			MaxMessageBytes: a.cfg.Ingest.MaxMessageBytes,
		},
		Location: loc, Cutoff: cutoff, Reviewers: a.cfg.Reviewers, ConsoleURL: a.cfg.Console.PublicURL,
		ReadOptions: func(ctx context.Context) (pushfile.Options, error) { return a.readOptions(ctx, st) },
	}, nil
}

// spoolDir is where received messages are kept.
func (a *app) spoolDir() string { return filepath.Join(a.cfg.DataDir, "spool") }

// openSpool opens the spool that goes with st: segment files in the spool
// directory on SQLite; on PostgreSQL, blobs in the database that every
// node reads, with only scratch files in the directory.
func (a *app) openSpool(st *store.Store) (*spool.Spool, error) {
	if st.OnPostgres() {
		return spool.OpenInDatabase(st, a.spoolDir())
	}
	return spool.Open(a.spoolDir())
}

// poller builds the mailbox poller. Its first sync removes orphaned spool
// segments (left by a process that died between writing a batch and
// recording it), holding the spool's lock.
func (a *app) poller(ctx context.Context, st *store.Store) (*ingest.Poller, error) {
	creds, err := a.credentials(ctx)
	if err != nil {
		return nil, err
	}
	tc, err := tlsConfig(a.cfg.IMAP.CAFile, a.cfg.IMAP.Address)
	if err != nil {
		return nil, err
	}
	rules, err := a.ingestRules(st)
	if err != nil {
		return nil, err
	}
	sp, err := a.openSpool(st)
	if err != nil {
		return nil, err
	}
	return &ingest.Poller{
		Server: ingest.Server{Address: a.cfg.IMAP.Address, TLS: a.cfg.IMAP.TLS, TLSConfig: tc, Creds: creds,
			Timeout: a.cfg.IMAP.CommandTimeout},
		Recorder:  &ingest.Recorder{Store: st, Spool: sp, Rules: rules, Log: a.log},
		Mailbox:   a.cfg.IMAP.Mailbox,
		Processed: a.cfg.IMAP.ProcessedMailbox,
		BatchSize: a.cfg.IMAP.BatchSize, PollInterval: a.cfg.IMAP.PollInterval, Log: a.log,
		AfterSpool: a.hooks.afterSpool, AfterRecord: a.hooks.afterRecord,
	}, nil
}

// dataDir makes sure the data directory exists and is writable.
func (a *app) dataDir() error {
	if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data_dir %s: %w", a.cfg.DataDir, err)
	}
	return nil
}
