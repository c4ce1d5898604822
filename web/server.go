package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"connectord/batchday"
	"connectord/ingest"
	"connectord/inspect"
	"connectord/pushfile"
	"connectord/scheduler"
	"connectord/store"
)

// Deps are what the console works with: the same functions the CLI and
// the daemon call.
type Deps struct {
	Store  *store.Store
	Review *ingest.Review
	// Batch runs a batch day ("run day D now"); its Spool, Policy,
	// Processor and DataDir also serve the review preview and the
	// processed submissions' results.
	Batch       *scheduler.Batch
	ReadOptions func(ctx context.Context) (pushfile.Options, error)
	// WakeMail asks the outbox sender to send now; nil does nothing.
	WakeMail func()
	// Ran, when set, is told of each run started from the console once
	// it has finished (for metrics and health, as the schedule does).
	Ran      func(store.BatchRun)
	Location *time.Location
	Cutoff   batchday.Cutoff
	// Schedule is batch.schedule (cron), shown on the nights page.
	Schedule string
	// MailFrom and LoopHeader are what the outbox sender writes in every
	// email's From and loop header (smtp.from), for showing a mail as
	// sent.
	MailFrom, LoopHeader string
	Log                  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Config is how the console is served.
type Config struct {
	// TLSCertFile and TLSKeyFile, both set, serve HTTPS.
	TLSCertFile, TLSKeyFile string
	// BehindProxy says a TLS-terminating proxy is in front: cookies are
	// Secure.
	BehindProxy bool
	// TrustedProxies are the proxies whose X-Forwarded-For is believed:
	// a request from one of them comes from the nearest address in that
	// header that is not itself a trusted proxy. Empty: the header is
	// ignored and the client is the peer.
	TrustedProxies []netip.Prefix
	// SessionIdle and SessionMax end a session after that long without a
	// request, and that long after sign-in.
	SessionIdle, SessionMax time.Duration
	// MaxUploadBytes bounds a file sent to the validate page.
	MaxUploadBytes int64
	// PreviewMaxRows is the largest held file the review page dry-runs:
	// a dry run holds the database's write lock while it works.
	PreviewMaxRows int
	// Failed sign-ins are throttled per account and client address
	// together (AccountAddressLimit), per client address over all
	// accounts (AddressLimit), and per account over all addresses
	// (AccountLimit, a ceiling far above the first, so failures from
	// elsewhere rarely lock a user out).
	AccountAddressLimit, AddressLimit, AccountLimit store.LoginLimit
	// HashSlots password checks run at once at most (each holds 19 MiB;
	// by default one per CPU, at most 4, since a check is all CPU and
	// more at once would only take more memory); a sign-in waits up to
	// HashWait for a slot, then is asked to try again shortly.
	HashSlots int
	HashWait  time.Duration
	// TempDir holds uploaded files while they are checked; "" is the
	// system's.
	TempDir string

	// checkPassword checks a password against its hash; nil is the
	// argon2id check. Tests count and watch the hashes here.
	checkPassword func(hash, password string) (bool, error)
}

// DefaultConfig returns the defaults for what the configuration file does
// not set.
func DefaultConfig() Config {
	return Config{
		SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour,
		MaxUploadBytes: inspect.DefaultMaxAttachmentBytes, PreviewMaxRows: 100_000,
		AccountAddressLimit: store.LoginLimit{Limit: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute},
		AddressLimit:        store.LoginLimit{Limit: 20, Window: 15 * time.Minute, Lockout: 15 * time.Minute},
		AccountLimit:        store.LoginLimit{Limit: 100, Window: 15 * time.Minute, Lockout: 15 * time.Minute},
		HashSlots:           min(runtime.GOMAXPROCS(0), 4), HashWait: 2 * time.Second,
	}
}

// Server is the console. Build it with New; it is safe for concurrent use.
type Server struct {
	deps    Deps
	cfg     Config
	log     *slog.Logger
	pages   *pages
	nhs     bool // the NHS.UK frontend assets are in this build
	tls     *tls.Config
	handler http.Handler

	previewMu sync.Mutex   // one dry run (or index) made at a time: a dry run holds the write lock
	nonce     string       // this process, in the key of a kept dry run
	dryRuns   atomic.Int64 // dry runs made, for tests and the benchmark
	runs      batchRunner
	dummy     dummyHash
	hashes    *hashSlots
}

// New checks the configuration, parses every template (a broken one fails
// here, at start-up) and loads the TLS key pair when one is configured.
func New(deps Deps, cfg Config) (*Server, error) {
	if deps.Store == nil || deps.Review == nil || deps.Batch == nil || deps.ReadOptions == nil {
		return nil, errors.New("console: Store, Review, Batch and ReadOptions are required")
	}
	def := DefaultConfig()
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = def.SessionIdle
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = def.SessionMax
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = def.MaxUploadBytes
	}
	if cfg.PreviewMaxRows <= 0 {
		cfg.PreviewMaxRows = def.PreviewMaxRows
	}
	for _, l := range []struct{ cfg, def *store.LoginLimit }{
		{&cfg.AccountAddressLimit, &def.AccountAddressLimit}, {&cfg.AddressLimit, &def.AddressLimit}, {&cfg.AccountLimit, &def.AccountLimit},
	} {
		if l.cfg.Limit <= 0 {
			*l.cfg = *l.def
		}
	}
	if cfg.HashSlots <= 0 {
		cfg.HashSlots = def.HashSlots
	}
	if cfg.HashWait <= 0 {
		cfg.HashWait = def.HashWait
	}
	if cfg.checkPassword == nil {
		cfg.checkPassword = checkPassword
	}
	if deps.Location == nil {
		deps.Location = time.UTC
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.WakeMail == nil {
		deps.WakeMail = func() {}
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{deps: deps, cfg: cfg, log: log.With("component", "console"), nhs: nhsAssetsPresent()}
	var err error
	if s.pages, err = parsePages(templateFuncs(deps.Location)); err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	if (cfg.TLSCertFile == "") != (cfg.TLSKeyFile == "") {
		return nil, errors.New("console: the TLS certificate and key go together")
	}
	if cfg.TLSCertFile != "" {
		pair, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("console TLS key pair: %w", err)
		}
		s.tls = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	if !s.nhs {
		s.log.Warn("the NHS.UK frontend is not in this build (run scripts/console-assets.sh before go build): serving plain pages")
	}
	if s.nonce, err = newToken(); err != nil {
		return nil, err
	}
	s.hashes = newHashSlots(cfg.HashSlots, cfg.HashWait)
	s.runs.s = s
	s.handler = s.routes()
	return s, nil
}

// Handler is the console's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// secure reports whether the browser reaches the console over HTTPS.
func (s *Server) secure() bool { return s.tls != nil || s.cfg.BehindProxy }

func (s *Server) now() time.Time { return s.deps.Now() }

// Serve serves on ln until ctx ends, then shuts down: it stops taking
// requests, lets those under way finish (for up to 10 s), and waits for a
// run started from the console to stop (between files).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	scheme := "http"
	if s.tls != nil {
		scheme = "https"
	}
	s.log.Info("console listening", "url", scheme+"://"+ln.Addr().String()+"/")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.runs.setContext(ctx)
	srv := &http.Server{
		Handler:           s.handler,
		TLSConfig:         s.tls,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // an upload of max_attachment_bytes on a slow link
		WriteTimeout:      5 * time.Minute, // a preview of a large file
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if s.tls != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	var err error
	select {
	case err = <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	case <-ctx.Done():
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = srv.Shutdown(sctx)
		scancel()
		<-errc
	}
	cancel()
	s.runs.wait()
	return err
}

// tempFile creates a scratch file for an upload.
func (s *Server) tempFile() (*os.File, error) {
	f, err := os.CreateTemp(s.cfg.TempDir, "connectord-upload-*.csv")
	if err != nil {
		return nil, fmt.Errorf("scratch file: %w", err)
	}
	return f, nil
}
