package synth

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// addressBase is the local part the engine gives a new mailbox of this
// name (provision.AddressBase, which this package cannot import: provision's
// benchmarks import synth). A test holds the two equal over the whole pool.
func addressBase(first, last string) string {
	f, l := foldName(first), foldName(last)
	switch {
	case f != "" && l != "":
		return f + "." + l
	case f != "":
		return f
	case l != "":
		return l
	}
	return "user"
}

// foldName lower-cases, strips accents, keeps letters and digits, turns
// runs of spaces and hyphens into one hyphen and drops anything else. The
// pool holds no letter without a decomposition (ß, ø…), so that case of
// the engine's folding is not needed here.
func foldName(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case r == '-' || unicode.IsSpace(r):
			hyphen = true
		}
	}
	return b.String()
}

// addressBook numbers addresses the way the engine does: the first person
// of a name is first.last, the next first.last2, then first.last3… It
// holds one counter per name pair, so its size is bounded by the pool,
// not by the number of people.
type addressBook map[string]int

func (a addressBook) next(first, last, domain string) string {
	base := addressBase(first, last)
	a[base]++
	if n := a[base]; n > 1 {
		return base + strconv.Itoa(n) + "@" + domain
	}
	return base + "@" + domain
}
