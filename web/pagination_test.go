package web

import (
	"net/url"
	"testing"
)

func TestKeyset(t *testing.T) {
	q := url.Values{"state": {"held"}, "before": {"9"}, "sender": {""}}
	for _, tc := range []struct {
		name                 string
		n                    int
		before, after        int64
		wantNewer, wantOlder string
	}{
		{"the newest, more", 4, 0, 0, "", "/x?before=7&state=held"},
		{"the newest, no more", 3, 0, 0, "", ""},
		{"older, more", 4, 9, 0, "/x?after=5&state=held", "/x?before=7&state=held"},
		{"older, the last", 2, 9, 0, "/x?after=5&state=held", ""},
		{"newer, more", 4, 0, 3, "/x?after=5&state=held", "/x?before=7&state=held"},
		{"newer, the newest", 3, 0, 3, "", "/x?before=7&state=held"},
		{"nothing", 0, 9, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nav := keyset("/x", q, tc.n, 3, 5, 7, tc.before, tc.after)
			if nav.Newer != tc.wantNewer || nav.Older != tc.wantOlder {
				t.Errorf("got newer %q, older %q; want %q, %q", nav.Newer, nav.Older, tc.wantNewer, tc.wantOlder)
			}
		})
	}
	if got := trimPage([]int{9, 8, 7, 6}, 3, 5); got[0] != 8 || len(got) != 3 {
		t.Errorf("a page newer than a row drops the newest: got %v", got)
	}
	if got := trimPage([]int{9, 8, 7, 6}, 3, 0); got[2] != 7 || len(got) != 3 {
		t.Errorf("a page older than a row drops the oldest: got %v", got)
	}
}

func TestNumbered(t *testing.T) {
	nav := numbered("Pages", 6, 12, func(n int) string { return "/p?page=" + itoa(n) })
	var got string
	for _, p := range nav.Pages {
		switch {
		case p.Gap:
			got += "… "
		case p.Current:
			got += "[" + itoa(p.N) + "] "
		default:
			got += itoa(p.N) + " "
		}
	}
	if want := "1 … 4 5 [6] 7 8 … 12 "; got != want || nav.Prev != "/p?page=5" || nav.Next != "/p?page=7" {
		t.Errorf("pages %q, prev %q, next %q; want %q", got, nav.Prev, nav.Next, want)
	}
	if nav := numbered("Pages", 1, 1, func(int) string { return "" }); len(nav.Pages) != 0 {
		t.Error("one page has page links")
	}
}
