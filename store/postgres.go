package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPostgres opens the PostgreSQL database at url (postgres://…) and
// applies any pending migrations. A non-empty password is used instead of
// any in url, so that it can be kept out of the configuration file. Every
// node of a deployment opens the same database.
func OpenPostgres(ctx context.Context, url, password string, opts ...Option) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err) // pgx leaves the password out of its errors
	}
	if password != "" {
		cfg.Password = password
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "connectord"
	}
	db := sql.OpenDB(newRebindConnector(stdlib.GetConnector(*cfg)))
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns)
	where := fmt.Sprintf("database %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	s := &Store{db: db, dialect: dialectPostgres, msgIDDomain: DefaultMessageIDDomain}
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return s, nil
}

// postgresMaxConns bounds one node's connections to PostgreSQL: the
// poller, the night, the outbox and the console each hold at most one or
// two at a time, and write transactions take turns anyway.
const postgresMaxConns = 8
