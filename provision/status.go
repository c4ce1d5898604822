package provision

// Status is a row's result, as written in the results file's Result column.
type Status string

// The statuses, in the order reports list them.
const (
	New       Status = "PROCESSED_NEW"
	Updated   Status = "PROCESSED_UPDATED"
	NoChange  Status = "PROCESSED_NOCHANGE"
	Contact   Status = "PROCESSED_CONTACT"
	Duplicate Status = "PROCESSED_DUPLICATE"
	Leaver    Status = "PROCESSED_LEAVER"
	Invalid   Status = "INVALID"
	Denied    Status = "ACCESS_DENIED"
)

// Statuses lists every status in report order.
func Statuses() []Status {
	return []Status{New, Updated, NoChange, Contact, Duplicate, Leaver, Invalid, Denied}
}

// Meaning is the guide's one-line explanation of a status (section 3.2),
// for results emails and reports.
func (s Status) Meaning() string {
	switch s {
	case New:
		return "a new mailbox was created for this row."
	case Updated:
		return "an existing mailbox was updated."
	case NoChange:
		return "the row matches the existing mailbox, so nothing was changed."
	case Contact:
		return "the Local ID matches a contact migrated from NHSmail 1; contacts are not updated."
	case Duplicate:
		return "the row looks like an existing mailbox that was created by hand without a Local ID; it was not updated."
	case Leaver:
		return "the mailbox with this Local ID belongs to another organisation, so the user is assumed to be a leaver; it was not updated."
	case Invalid:
		return "one or more fields of the row are wrong; nothing was done. Detail says what to fix."
	case Denied:
		return "you may not make this change: the organisation is not one you hold the Connector role for, or its mailbox creation limit is reached."
	}
	return ""
}

// Counts holds how many rows got each status.
type Counts map[Status]int

// Total is the number of rows counted.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}
