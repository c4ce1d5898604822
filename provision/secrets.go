package provision

import (
	"fmt"
	"io"
)

// Characters of generated secrets. Look-alikes (0/O, 1/l/I) are left out,
// and the symbols are ones that survive CSV, email and Excel unharmed.
const (
	upper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	lower   = "abcdefghijkmnopqrstuvwxyz"
	digits  = "23456789"
	symbols = "!#$%&*?"
)

// randIndex returns a uniform index below n from rnd (rejection sampling,
// so no modulo bias).
func randIndex(rnd io.Reader, n int) (int, error) {
	var b [1]byte
	limit := 256 - 256%n
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return 0, fmt.Errorf("read random bytes: %w", err)
		}
		if int(b[0]) < limit {
			return int(b[0]) % n, nil
		}
	}
}

// GeneratePassword makes a 16-character password with characters from all
// four categories of the guide's rule. It starts with a letter, so a
// spreadsheet never reads it as a formula.
func GeneratePassword(rnd io.Reader) (string, error) {
	const length = 16
	sets := []string{upper, lower, digits, symbols}
	all := upper + lower + digits + symbols
	buf := make([]byte, length)
	for i := range buf {
		set := all
		switch {
		case i == 0:
			set = upper + lower
		case i <= len(sets):
			set = sets[i-1] // one of each category, shuffled below
		}
		k, err := randIndex(rnd, len(set))
		if err != nil {
			return "", err
		}
		buf[i] = set[k]
	}
	// Shuffle everything but the first character.
	for i := length - 1; i > 1; i-- {
		j, err := randIndex(rnd, i)
		if err != nil {
			return "", err
		}
		j++
		buf[i], buf[j] = buf[j], buf[i]
	}
	return string(buf), nil
}

// GenerateLocalID makes a Local ID for a new user whose row left it blank:
// the organisation code, a dash and 10 random characters.
func GenerateLocalID(rnd io.Reader, org string) (string, error) {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	buf := make([]byte, 10)
	for i := range buf {
		k, err := randIndex(rnd, len(alphabet))
		if err != nil {
			return "", err
		}
		buf[i] = alphabet[k]
	}
	return org + "-" + string(buf), nil
}
