package web

import (
	"strings"

	"connectord/provision"
)

// categoryStatus is the status code of a category.
func categoryStatus(key string) string {
	if key == deniedOrg || key == deniedLimit {
		return string(provision.Denied)
	}
	return key
}

// categoryLabel names a category for a list of counts.
func categoryLabel(key string) string {
	if r := categoryReason(key); r != "" {
		return categoryStatus(key) + ", " + r
	}
	return key
}

// categoryReason is why the rows of an ACCESS_DENIED category were
// refused, in words; "" for the other categories.
func categoryReason(key string) string {
	switch key {
	case deniedOrg:
		return "not the sender's organisation"
	case deniedLimit:
		return "creation limit reached"
	}
	return ""
}

// categoryMeaning explains a category: for a reviewer, what tonight's
// run would do (future); for a processed file, what was done.
func categoryMeaning(key string, future bool) string {
	if !future {
		switch key {
		case deniedOrg:
			return "the sender does not hold the Connector role for the row's organisation: nothing was done."
		case deniedLimit:
			return "the organisation's mailbox creation limit was reached: no mailbox was created."
		}
		return provision.Status(key).Meaning()
	}
	switch provision.Status(key) {
	case provision.New:
		return "A new mailbox would be created for each of these rows."
	case provision.Updated:
		return "The existing mailbox would be updated: Detail says which fields would change."
	case provision.NoChange:
		return "The row matches its mailbox: nothing would change."
	case provision.Contact:
		return "The Local ID belongs to a contact migrated from NHSmail 1: contacts are not updated, so nothing would change."
	case provision.Duplicate:
		return "The row looks like a mailbox made by hand without a Local ID: it would not be updated. The sender would be asked to set its Local ID."
	case provision.Leaver:
		return "The Local ID belongs to another organisation's mailbox, so the user would be taken for a leaver: nothing would change."
	case provision.Invalid:
		return "Fields of the row are wrong: nothing would be done with it, and the sender would be told what to fix."
	}
	switch key {
	case deniedOrg:
		return "The sender does not hold the Connector role for the row's organisation: nothing would be done."
	case deniedLimit:
		return "The organisation's mailbox creation limit would be reached: no mailbox would be created."
	}
	return ""
}

// rowWords says in a few words what happens to one row.
func rowWords(key string, future bool) string {
	type pair struct{ future, past string }
	words := map[string]pair{
		string(provision.New):       {"would be created", "created"},
		string(provision.Updated):   {"would be updated", "updated"},
		string(provision.NoChange):  {"nothing would change", "no change"},
		string(provision.Contact):   {"a contact: not updated", "a contact: not updated"},
		string(provision.Duplicate): {"made by hand: not updated", "made by hand: not updated"},
		string(provision.Leaver):    {"another organisation's: not updated", "another organisation's: not updated"},
		string(provision.Invalid):   {"would not be applied", "not applied"},
		deniedOrg:                   {"not the sender's organisation", "not the sender's organisation"},
		deniedLimit:                 {"creation limit reached", "creation limit reached"},
	}
	w, ok := words[key]
	switch {
	case !ok:
		return ""
	case future:
		return w.future
	}
	return w.past
}

// futureDetail says a dry run's Detail for a reviewer: what would change.
func futureDetail(detail string) string {
	if rest, ok := strings.CutPrefix(detail, "changed: "); ok {
		return "would change: " + rest
	}
	return detail
}
