package activedirectory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

var errNotFound = errors.New("no such entry")

func orNotFound(err error) error {
	if err == nil || ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return errNotFound
	}
	return err
}

// search runs one (unpaged) search. Continuation references (AD returns
// some for its other partitions when searching a domain's root) are dropped.
func (c *Client) search(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
	var res *ldap.SearchResult
	c.n.searches.Add(1)
	err := c.do(ctx, func() error {
		var err error
		res, err = c.conn.Search(req)
		return err
	})
	return res, err
}

// searchOne returns the single entry a search finds, or nil for none (also
// when the base does not exist).
func (c *Client) searchOne(ctx context.Context, base string, scope int, filter string, attrs []string) (*ldap.Entry, error) {
	res, err := c.search(ctx, ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 2, 0, false, filter, attrs, nil))
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(res.Entries) == 0 {
		return nil, nil
	}
	return res.Entries[0], nil
}

// paged runs a paged search (RFC 2696), calling fn for each entry. Only one
// page is in memory at a time. If fn fails, the server is told to drop the
// rest of the result and fn's error is returned.
func (c *Client) paged(ctx context.Context, req *ldap.SearchRequest, fn func(*ldap.Entry) error) error {
	paging := ldap.NewControlPaging(uint32(c.cfg.PageSize))
	req.Controls = append(req.Controls, paging)
	for {
		res, err := c.search(ctx, req)
		if err != nil {
			return err
		}
		for _, e := range res.Entries {
			if err := fn(e); err != nil {
				c.abandonPaged(ctx, req, paging, res)
				return err
			}
		}
		cookie := pagingCookie(res)
		if len(cookie) == 0 {
			return nil
		}
		paging.SetCookie(cookie)
	}
}

func pagingCookie(res *ldap.SearchResult) []byte {
	if ctrl, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging); ok {
		return ctrl.Cookie
	}
	return nil
}

// abandonPaged ends a paged search early: a page size of 0 with the cookie
// tells the server to free the result (RFC 2696).
func (c *Client) abandonPaged(ctx context.Context, req *ldap.SearchRequest, paging *ldap.ControlPaging, res *ldap.SearchResult) {
	cookie := pagingCookie(res)
	if len(cookie) == 0 {
		return
	}
	paging.PagingSize = 0
	paging.SetCookie(cookie)
	if _, err := c.search(ctx, req); err != nil {
		c.log.Debug("ending a paged search early", "err", err)
	}
}

// entryFilter matches the people connectord deals with: users (not
// computers, which are users too) and contacts.
const entryFilter = "(objectCategory=person)(|(objectClass=user)(objectClass=contact))"

// orFilter matches any of the values of attr.
func orFilter(attr string, values []string) string {
	var b strings.Builder
	b.WriteString("(|")
	for _, v := range values {
		b.WriteString("(" + attr + "=" + ldap.EscapeFilter(v) + ")")
	}
	b.WriteString(")")
	return b.String()
}

func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
