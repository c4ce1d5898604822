package web

import (
	"net/url"
	"strconv"
)

// keysetNav links the newer and older pages of a list that runs newest
// first; each page is named by the row it starts after.
type keysetNav struct {
	Label                string // the navigation's accessible name
	Newer, Older         string // hrefs; "" when there is none
	NewerText, OlderText string
}

// keyset works out a list page's links: rows is how many the store gave
// for limit+1 asked, first and last the ids at the page's ends. The list
// was asked for rows before (older than) before, or after (newer than)
// after, or neither (the newest).
func keyset(path string, q url.Values, n, limit int, first, last, before, after int64) keysetNav {
	nav := keysetNav{NewerText: "newer entries", OlderText: "older entries"}
	more := n > limit
	link := func(key string, id int64) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "before" && k != "after" && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		v.Set(key, strconv.FormatInt(id, 10))
		return path + "?" + v.Encode()
	}
	if n == 0 {
		return nav
	}
	if (after != 0 && more) || before != 0 {
		nav.Newer = link("after", first)
	}
	if (before != 0 && more) || (before == 0 && after == 0 && more) || after != 0 {
		nav.Older = link("before", last)
	}
	return nav
}

// pageNav links the numbered pages of a list.
type pageNav struct {
	Label      string
	Prev, Next string
	Pages      []pageLink
}

type pageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool // an ellipsis
}

// numbered links pages 1..pages with page current, the first and last,
// and two either side of the current one.
func numbered(label string, current, pages int, href func(n int) string) pageNav {
	nav := pageNav{Label: label}
	if pages <= 1 {
		return nav
	}
	if current > 1 {
		nav.Prev = href(current - 1)
	}
	if current < pages {
		nav.Next = href(current + 1)
	}
	gap := false
	for n := 1; n <= pages; n++ {
		if n == 1 || n == pages || (n >= current-2 && n <= current+2) {
			nav.Pages = append(nav.Pages, pageLink{N: n, Href: href(n), Current: n == current})
			gap = false
		} else if !gap {
			nav.Pages = append(nav.Pages, pageLink{Gap: true})
			gap = true
		}
	}
	return nav
}

// cursor reads a page cursor from the query: a row id, 0 when absent or
// not a number.
func cursor(q url.Values, key string) int64 {
	id, err := strconv.ParseInt(q.Get(key), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// trimPage keeps limit of the limit+1 rows a store list gave: the extra
// one is the furthest from the cursor (the newest when the page was
// asked for rows newer than after).
func trimPage[T any](rows []T, limit int, after int64) []T {
	if len(rows) <= limit {
		return rows
	}
	if after != 0 {
		return rows[len(rows)-limit:]
	}
	return rows[:limit]
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
