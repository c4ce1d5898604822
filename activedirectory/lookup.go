package activedirectory

import (
	"context"

	"github.com/go-ldap/ldap/v3"
)

// LookupLocalIDs finds the users and contacts under base_dn whose Local ID
// is one of ids, in one search per Config.LookupBatch IDs. The result maps
// each id that was found to its entries: usually one, more where AD holds
// the Local ID on several (it does not enforce uniqueness); an id not
// found is absent.
//
// Local IDs are the same when they are equal ignoring the case of ASCII
// letters (as in connectord's own directory). AD's match ignores more
// (Samba and Windows take É for é): an entry the server matched whose Local
// ID differs from every asked id beyond ASCII case is not returned, and is
// logged.
func (c *Client) LookupLocalIDs(ctx context.Context, ids []string) (map[string][]Entry, error) {
	out := make(map[string][]Entry, len(ids))
	for start := 0; start < len(ids); start += c.cfg.LookupBatch {
		batch := ids[start:min(start+c.cfg.LookupBatch, len(ids))]
		if err := c.lookupBatch(ctx, batch, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LookupLocalID finds the entries with one Local ID: the read-back after a
// crash, to learn whether a change took effect.
func (c *Client) LookupLocalID(ctx context.Context, id string) ([]Entry, error) {
	found, err := c.LookupLocalIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	for _, es := range found {
		return es, nil
	}
	return nil, nil
}

func (c *Client) lookupBatch(ctx context.Context, ids []string, out map[string][]Entry) error {
	exact := make(map[string]bool, len(ids))
	for _, id := range ids {
		exact[id] = true
	}
	filter := "(&" + entryFilter + orFilter(c.cfg.LocalIDAttribute, ids) + ")"
	req := ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, c.entryAttributes(), nil)
	// Paged: a batch finds at most a few more entries than ids, but AD
	// refuses an unpaged result larger than MaxPageSize (1000).
	return wrapf(c.paged(ctx, req, func(le *ldap.Entry) error {
		e := c.entry(le)
		key, ok := e.LocalID, exact[e.LocalID]
		if !ok {
			key, ok = foldMatchASCII(ids, e.LocalID)
		}
		if !ok {
			c.log.Warn("the directory matched an entry whose Local ID is not one asked for (it differs beyond the case of ASCII letters); not taken as that Local ID",
				"dn", e.DN, "local_id", e.LocalID)
			return nil
		}
		out[key] = append(out[key], e)
		return nil
	}), "look up %d Local IDs", len(ids))
}

// foldMatchASCII is the asked id equal to got ignoring the case of ASCII
// letters only.
func foldMatchASCII(ids []string, got string) (string, bool) {
	for _, id := range ids {
		if equalFoldASCII(id, got) {
			return id, true
		}
	}
	return "", false
}
