package provision

import (
	"fmt"

	"connectord/pushfile"
)

// lostZeros settles a row whose Local ID is not in the directory but looks
// like one that is with its leading zeros dropped by a spreadsheet
// ("123" for "000123", same organisation): going on would create a second
// mailbox for one person, so the row is INVALID, naming the Local ID it
// probably means. lost reports whether that is so. Only a number not
// starting with 0 is looked up, with one indexed query.
func (r *run) lostZeros(id, org string) (res pushfile.Result, lost bool, err error) {
	if !strippedNumber(id) {
		return res, false, nil
	}
	padded, addr, found, err := r.dir.ZeroPadded(r.ctx, id, org)
	if err != nil || !found {
		return res, false, err
	}
	return result(Invalid, fmt.Sprintf(
		"%s: %q is not in the directory, but %q (%s) of %s is: a spreadsheet probably dropped its leading zeros, "+
			"and this row would create a second mailbox for the same person; format the column as Text in Excel and use %q",
		r.idCol, id, padded, addr, org, padded), ""), true, nil
}

// strippedNumber reports whether id is a number that may have lost leading
// zeros: digits only, not starting with 0.
func strippedNumber(id string) bool {
	if id == "" || id[0] == '0' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}
