package store

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"
)

// The store's SQL is written once, with SQLite's placeholders: "?" for the
// next argument and "?N" for the Nth. PostgreSQL numbers them "$N", so its
// connections go through rebindConnector, which rewrites each statement
// (once: the rewritten text is kept) before the driver sees it, and turns
// Go booleans into the integers the schema stores flags as.

// rebindConnector opens driver connections that take SQLite placeholders.
type rebindConnector struct {
	driver.Connector
	cache *sync.Map // query → rebound query
}

func newRebindConnector(c driver.Connector) *rebindConnector {
	return &rebindConnector{Connector: c, cache: &sync.Map{}}
}

func (c *rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &rebindConn{conn: dc, cache: c.cache}, nil
}

// rebindConn is a driver connection whose statements are rebound. It
// passes on the interfaces database/sql and the store use.
type rebindConn struct {
	conn  driver.Conn
	cache *sync.Map
}

func (c *rebindConn) rebind(q string) string {
	if v, ok := c.cache.Load(q); ok {
		return v.(string)
	}
	r := rebindPlaceholders(q)
	c.cache.Store(q, r)
	return r
}

func (c *rebindConn) Prepare(q string) (driver.Stmt, error) { return c.conn.Prepare(c.rebind(q)) }
func (c *rebindConn) Close() error                          { return c.conn.Close() }
func (c *rebindConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *rebindConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, c.rebind(q))
}

func (c *rebindConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *rebindConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.conn.(driver.ExecerContext).ExecContext(ctx, c.rebind(q), args)
}

func (c *rebindConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.conn.(driver.QueryerContext).QueryContext(ctx, c.rebind(q), args)
}

func (c *rebindConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *rebindConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *rebindConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// CheckNamedValue stores a bool as the integer 1 or 0, as SQLite does.
func (c *rebindConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
		return nil
	}
	if ch, ok := c.conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// rebindPlaceholders turns SQLite's "?" and "?N" into PostgreSQL's "$N",
// leaving quoted strings, quoted names and comments as they are.
func rebindPlaceholders(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	next := 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case '\'', '"':
			end := strings.IndexByte(q[i+1:], c)
			if end < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+end+2])
			i += end + 1
		case '-':
			if i+1 < len(q) && q[i+1] == '-' {
				end := strings.IndexByte(q[i:], '\n')
				if end < 0 {
					b.WriteString(q[i:])
					return b.String()
				}
				b.WriteString(q[i : i+end])
				i += end - 1
				continue
			}
			b.WriteByte(c)
		case '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(q[i+1 : j])
				i = j - 1
				continue
			}
			next++
			b.WriteString(strconv.Itoa(next))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
