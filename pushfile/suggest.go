package pushfile

import (
	"strings"
	"unicode/utf8"
)

// maxSuggestLen bounds the length of a value we look for a near match of,
// so that a huge cell costs no quadratic work.
const maxSuggestLen = 64

// nearest returns the candidate closest to s, comparing the forms norm gives,
// or "" when none is close enough to be a likely typo: within an edit
// distance of a third of the length (at least 1, at most 3), or the only
// candidate that starts with s (for s of 4 or more characters).
func nearest(s string, candidates []string, norm func(string) string) string {
	ns := norm(s)
	n := utf8.RuneCountInString(ns)
	if n == 0 || n > maxSuggestLen {
		return ""
	}
	limit := min(max(n/3, 1), 3)
	best, bestD := "", limit+1
	prefix, prefixes := "", 0
	for _, c := range candidates {
		nc := norm(c)
		if d := levenshtein(ns, nc); d < bestD {
			best, bestD = c, d
		}
		if n >= 4 && strings.HasPrefix(nc, ns) {
			prefix = c
			prefixes++
		}
	}
	if best == "" && prefixes == 1 {
		return prefix
	}
	return best
}

// levenshtein returns the edit distance between a and b in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// didYouMean returns ` (did you mean "x"?)` for a suggestion x, or "".
func didYouMean(suggestion string) string {
	if suggestion == "" {
		return ""
	}
	return ` (did you mean "` + suggestion + `"?)`
}
