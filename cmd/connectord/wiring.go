package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"connectord/config"
	"connectord/ingest"
	"connectord/ldapdirectory"
	"connectord/mailauth"
	"connectord/mailout"
	"connectord/provision"
	"connectord/scheduler"
	"connectord/store"
)

// tokenSource is the one OAuth 2.0 token source IMAP and SMTP share.
type tokenSource struct {
	once sync.Once
	ts   *mailauth.TokenCache
	err  error
}

func (a *app) tokens(ctx context.Context) (*mailauth.TokenCache, error) {
	a.oauth.once.Do(func() {
		secret, err := mailauth.ReadSecretFile(a.cfg.OAuth2.ClientSecretFile)
		if err != nil {
			a.oauth.err = fmt.Errorf("oauth2.client_secret_file: %w", err)
			return
		}
		a.oauth.ts, a.oauth.err = mailauth.NewTokenSource(context.WithoutCancel(ctx), mailauth.OAuth2Config{
			TokenURL: a.cfg.OAuth2.TokenURL, ClientID: a.cfg.OAuth2.ClientID, ClientSecret: secret, Scope: a.cfg.OAuth2.Scope})
	})
	return a.oauth.ts, a.oauth.err
}

// holder names this process in the batch lock.
func holder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// holderAlive reports whether the process named by holder still runs. A
// holder on another host cannot be checked and counts as alive.
func holderAlive(h string) bool {
	host, pidText, ok := strings.Cut(h, ":")
	me, _ := os.Hostname()
	if !ok || host != me {
		return true
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		return true
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// messageIDDomain is the right-hand side of our Message-IDs.
func (a *app) messageIDDomain() string {
	_, d, _ := strings.Cut(strings.ToLower(a.cfg.SMTP.From), "@")
	if d == "" {
		d = store.DefaultMessageIDDomain
	}
	return d
}

// directoryBackend is where files are applied, by directory.backend.
func (a *app) directoryBackend() provision.Backend {
	if a.cfg.Directory.Backend == config.BackendLDAP {
		return ldapdirectory.Backend(a.cfg.Directory.LDAP.AD(), a.log,
			ldapdirectory.Hooks{AfterRecord: a.hooks.afterRecordRow, AfterAdd: a.hooks.afterAdd})
	}
	return provision.EmbeddedBackend
}

// batch builds the batch. poller may be nil (no mailbox sync).
func (a *app) batch(st *store.Store, poller *ingest.Poller) (*scheduler.Batch, error) {
	rules, err := a.ingestRules(st)
	if err != nil {
		return nil, err
	}
	sp, err := a.openSpool(st)
	if err != nil {
		return nil, err
	}
	n := &scheduler.Batch{
		Store: st, Spool: sp, Policy: rules.Policy,
		Processor:   &provision.Processor{Domain: a.cfg.Directory.Domain, Log: a.log},
		Directory:   a.directoryBackend(),
		ReadOptions: rules.ReadOptions, DataDir: a.cfg.DataDir,
		SyncTimeout: a.cfg.Batch.SyncTimeout, Keep: time.Duration(a.cfg.Batch.KeepFilesDays) * 24 * time.Hour, Holder: holder(), Alive: holderAlive, Log: a.log,
		AfterFile: a.hooks.afterFile, AfterPurgeFiles: a.hooks.afterPurge, AfterApply: a.hooks.afterApply,
	}
	if poller != nil {
		n.Sync = func(ctx context.Context) error { _, err := poller.SyncOnce(ctx); return err }
	}
	return n, nil
}

// mailer builds the outbox mailer.
func (a *app) mailer(ctx context.Context, st *store.Store) (*mailout.Mailer, error) {
	tc, err := tlsConfig(a.cfg.SMTP.CAFile, a.cfg.SMTP.Address)
	if err != nil {
		return nil, err
	}
	creds := mailauth.Credentials{}
	switch a.cfg.SMTP.Auth {
	case "password":
		creds.Username = a.cfg.SMTP.Username
		if creds.Password, err = a.cfg.SMTP.Password(os.Getenv, os.ReadFile); err != nil {
			return nil, err
		}
	case "oauth2":
		creds.Username = a.cfg.SMTP.Username
		if creds.Tokens, err = a.tokens(ctx); err != nil {
			return nil, err
		}
	}
	return &mailout.Mailer{
		Store: st,
		Relay: mailout.Relay{Address: a.cfg.SMTP.Address, TLS: a.cfg.SMTP.TLS, TLSConfig: tc, Creds: creds,
			Timeout: a.cfg.SMTP.Timeout},
		From: a.cfg.SMTP.From, LoopHeader: LoopHeader, DataDir: a.cfg.DataDir, MaxAttempts: a.cfg.SMTP.MaxAttempts,
		MaxAttachmentBytes: a.cfg.Ingest.MaxAttachmentBytes, Interval: 15 * time.Second, Log: a.log,
		AfterHandOff: a.hooks.afterHandOff,
	}, nil
}
