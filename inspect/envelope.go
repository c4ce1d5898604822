package inspect

import (
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
)

// Envelope is what was read from the message header.
type Envelope struct {
	MessageID  string    // without <>
	From       string    // the single From address, lower-case, "" if unusable
	Subject    string    // decoded
	Date       time.Time // the sender's Date (informational only); zero if missing or unparsable
	References []string  // without <>
}

// ReadEnvelope reads the informational fields of h. From is left to
// CheckFrom. It is lenient: a malformed field gives a zero value.
func ReadEnvelope(h message.Header) Envelope {
	var e Envelope
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		e.MessageID = ids[0]
	}
	e.Subject = decodeText(h.Get("Subject"))
	if t, err := mail.ParseDate(h.Get("Date")); err == nil {
		e.Date = t
	}
	e.References = msgIDs(h.Get("References"))
	return e
}

// msgIDs returns the ids between angle brackets in v, or, when v has none,
// its whitespace-separated words: some mailers write Message-IDs bare.
func msgIDs(v string) []string {
	var ids []string
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		if id := cleanID(rest[i+1 : i+j]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[i+j+1:]
	}
	if ids == nil {
		for _, f := range strings.Fields(v) {
			if id := cleanID(f); id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func cleanID(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' {
			return -1
		}
		return r
	}, s)
}
