package activedirectory

import (
	"context"
	"sync/atomic"

	"github.com/go-ldap/ldap/v3"
)

// Stats counts the requests a Client has sent: what a run cost in round
// trips. Each page of a paged search is one search.
type Stats struct {
	Searches, Adds, Modifies, Deletes int64
}

type counters struct {
	searches, adds, modifies, deletes atomic.Int64
}

// Stats returns the requests sent so far.
func (c *Client) Stats() Stats {
	return Stats{Searches: c.n.searches.Load(), Adds: c.n.adds.Load(), Modifies: c.n.modifies.Load(), Deletes: c.n.deletes.Load()}
}

func (c *Client) add(ctx context.Context, req *ldap.AddRequest) error {
	c.n.adds.Add(1)
	return c.do(ctx, func() error { return c.conn.Add(req) })
}

func (c *Client) modify(ctx context.Context, req *ldap.ModifyRequest) error {
	c.n.modifies.Add(1)
	return c.do(ctx, func() error { return c.conn.Modify(req) })
}

func (c *Client) del(ctx context.Context, dn string) error {
	c.n.deletes.Add(1)
	return c.do(ctx, func() error { return c.conn.Del(ldap.NewDelRequest(dn, nil)) })
}
