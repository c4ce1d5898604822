package pgtest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// adminTimeout bounds one administrative statement (CREATE DATABASE and
// friends); generous, for a loaded machine.
const adminTimeout = time.Minute

// DB is a database made for one test.
type DB struct {
	Name string
	URL  string // the login role, over TCP; it owns the database
}

// Option changes how Database makes a database.
type Option func(*dbConfig)

type dbConfig struct {
	template string
	setup    func(ctx context.Context, url string) error
}

// WithTemplate makes the database a copy of template name, which setup
// fills once per server, the first time a test asks for it (a migration,
// say). setup gets the template's URL and must close every connection it
// opened before it returns. Copying a template is much faster than running
// the migrations again (docs/testing.md has the figures).
func WithTemplate(name string, setup func(ctx context.Context, url string) error) Option {
	return func(c *dbConfig) { c.template, c.setup = name, setup }
}

// template is one template database on a server, made once.
type template struct {
	once sync.Once
	db   string
	err  error
}

var (
	namePart     = regexp.MustCompile(`[^a-z0-9]+`)
	templateName = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
)

// Database makes a fresh database for the test, owned by the login role,
// and drops it when the test ends (on a private server the whole server
// goes instead).
func (s *Server) Database(t testing.TB, opts ...Option) DB {
	t.Helper()
	var cfg dbConfig
	for _, o := range opts {
		o(&cfg)
	}
	src := "template1"
	if cfg.template != "" {
		var err error
		if src, err = s.template(cfg.template, cfg.setup); err != nil {
			t.Fatalf("pgtest: template %s: %v", cfg.template, err)
		}
	}
	s.mu.Lock()
	s.seq++
	name := fmt.Sprintf("t%d_%s", s.seq, strings.Trim(namePart.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_"))
	s.mu.Unlock()
	if len(name) > 63 {
		name = name[:63]
	}
	if err := s.admin(fmt.Sprintf("CREATE DATABASE %s OWNER %s TEMPLATE %s",
		ident(name), ident(s.role), ident(src))); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	if s.shared {
		t.Cleanup(func() {
			if err := s.admin("DROP DATABASE IF EXISTS " + ident(name) + " WITH (FORCE)"); err != nil {
				t.Errorf("pgtest: drop database %s: %v", name, err)
			}
		})
	}
	return DB{Name: name, URL: s.urlFor(name)}
}

// template returns the name of template database name, making it with
// setup the first time.
func (s *Server) template(name string, setup func(ctx context.Context, url string) error) (string, error) {
	if !templateName.MatchString(name) {
		return "", fmt.Errorf("name must be 1 to 40 of a-z, 0-9 and _")
	}
	s.mu.Lock()
	tp := s.templates[name]
	if tp == nil {
		tp = &template{db: "tmpl_" + name}
		s.templates[name] = tp
	}
	s.mu.Unlock()
	tp.once.Do(func() { tp.err = s.makeTemplate(tp.db, setup) })
	return tp.db, tp.err
}

func (s *Server) makeTemplate(db string, setup func(ctx context.Context, url string) error) error {
	if err := s.admin(fmt.Sprintf("CREATE DATABASE %s OWNER %s", ident(db), ident(s.role))); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if err := setup(ctx, s.urlFor(db)); err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	// A copy needs the template to have no sessions; a connection setup
	// forgot would make every CREATE DATABASE fail, so end them here.
	return s.admin(fmt.Sprintf(`SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '%s';
		ALTER DATABASE %s WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`, db, ident(db)))
}

// Terminate ends every session whose application_name is name, as an
// operator's pg_terminate_backend would, and waits until they are gone. It
// returns how many there were.
func (s *Server) Terminate(t testing.TB, name string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.AdminURL)
	if err != nil {
		t.Fatalf("pgtest: connect as admin: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000))
		FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`, name).Scan(&n)
	if err != nil {
		t.Fatalf("pgtest: terminate %q: %v", name, err)
	}
	return n
}

// admin runs sql as the superuser on a connection of its own, so that it
// works the same before and after a restart of the server.
func (s *Server) admin(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.AdminURL)
	if err != nil {
		return fmt.Errorf("connect as admin: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return err
	}
	return nil
}

// urlFor is the login role's URL for database db.
func (s *Server) urlFor(db string) string {
	u := *s.base
	u.Path = "/" + db
	return u.String()
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
