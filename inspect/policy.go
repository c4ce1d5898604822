package inspect

// DefaultMaxAttachmentBytes is the default limit on the decoded size of the CSV attachment.
const DefaultMaxAttachmentBytes = 20 << 20

// Policy is what Inspect needs to know about this deployment. The zero value
// fails closed: no domain is allowed and no authserv-id is trusted.
type Policy struct {
	OwnAddresses               []string // our From addresses (compared ASCII-exact, ignoring ASCII case)
	LoopHeader                 string   // e.g. "X-Connectord-Loop"; present with any value means the mail is ours
	AllowedDomains             []string // exact sender domains, ASCII, e.g. []string{"nhs.net"}
	RequireAuthenticatedSender bool
	TrustedAuthservIDs         []string // authserv-ids of our own MTA, e.g. "mx.nhs.net"
	MaxAttachmentBytes         int64    // decoded CSV size limit; <= 0 means DefaultMaxAttachmentBytes
	// MaxMessageBytes is the largest message (its RFC822.SIZE) fetched
	// whole; <= 0 means DefaultMaxMessageBytes of the attachment limit.
	MaxMessageBytes int64
}

// DefaultPolicy returns the defaults of the configuration. TrustedAuthservIDs
// stays empty: which MTA to trust is a deployment decision with no safe default.
func DefaultPolicy() Policy {
	return Policy{
		LoopHeader:                 "X-Connectord-Loop",
		AllowedDomains:             []string{"nhs.net"},
		RequireAuthenticatedSender: true,
		MaxAttachmentBytes:         DefaultMaxAttachmentBytes,
	}
}

// AttachmentLimit is the largest decoded CSV taken: MaxAttachmentBytes, or
// its default.
func (p Policy) AttachmentLimit() int64 {
	if p.MaxAttachmentBytes <= 0 {
		return DefaultMaxAttachmentBytes
	}
	return p.MaxAttachmentBytes
}

// DefaultMaxMessageBytes is the message size limit that goes with an
// attachment limit: room for the attachment encoded in base64 (4/3 of its
// size, in lines of 76 characters with CRLF: 78 bytes for every 57) and 4
// MiB more for the header, the text and anything else in the email. For
// the default 20 MiB attachment limit that is 31.4 MiB.
func DefaultMaxMessageBytes(maxAttachmentBytes int64) int64 {
	if maxAttachmentBytes <= 0 {
		maxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	return (maxAttachmentBytes+56)/57*78 + 4<<20
}

// MessageLimit is the largest message (its RFC822.SIZE) fetched whole:
// MaxMessageBytes, or the default for the attachment limit.
func (p Policy) MessageLimit() int64 {
	if p.MaxMessageBytes <= 0 {
		return DefaultMaxMessageBytes(p.AttachmentLimit())
	}
	return p.MaxMessageBytes
}
