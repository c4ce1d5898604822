package mailout

import (
	"time"

	"connectord/store"
)

// Header is one header field of an email connectord sends.
type Header struct{ Name, Value string }

// Headers are the header fields of the email for outbox row m sent at
// date, from address from, with loop header loopHeader: those compose
// writes (its test holds them together), for the console to show what
// was sent.
func Headers(m *store.OutboxMessage, from, loopHeader string, date time.Time) []Header {
	h := []Header{{"From", "<" + from + ">"}, {"To", "<" + m.Recipient + ">"}, {"Subject", m.Subject}}
	if !date.IsZero() {
		h = append(h, Header{"Date", date.Format(time.RFC1123Z)})
	}
	h = append(h, Header{"Message-ID", "<" + m.MessageID + ">"})
	if m.InReplyTo != "" {
		ref := "<" + m.InReplyTo + ">"
		h = append(h, Header{"In-Reply-To", ref}, Header{"References", ref})
	}
	return append(h, Header{"Auto-Submitted", "auto-replied"}, Header{loopHeader, from},
		Header{"X-Auto-Response-Suppress", "All"})
}
