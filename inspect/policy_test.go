package inspect

import (
	"encoding/base64"
	"strings"
	"testing"
)

// The message limit left unset leaves room for an attachment at its limit
// in base64 (lines of 76 characters and CRLF), with 4 MiB for the rest of
// the email.
func TestMaxMessageBytes(t *testing.T) {
	tests := []struct {
		name            string
		attach, message int64
		want            int64
		wantShown       string
	}{
		{"defaults", 0, 0, 367922*78 + 4<<20, "31.4 MiB"},
		{"derived from the attachment limit", 1 << 20, 0, 18397*78 + 4<<20, "5.4 MiB"},
		{"set", 20 << 20, 50 << 20, 50 << 20, "50 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Policy{MaxAttachmentBytes: tc.attach, MaxMessageBytes: tc.message}
			got := p.MessageLimit()
			if got != tc.want || formatBytes(got) != tc.wantShown {
				t.Errorf("got %d (%s), want %d (%s)", got, formatBytes(got), tc.want, tc.wantShown)
			}
		})
	}
	// An attachment at its limit, encoded as mail programs do, fits.
	const attach = 1 << 20
	enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", attach)))
	lines := (len(enc) + 75) / 76
	if encoded := int64(len(enc) + 2*lines); DefaultMaxMessageBytes(attach)-4<<20 < encoded {
		t.Errorf("a %d-byte attachment is %d bytes in base64, more than the %d the limit leaves for it",
			attach, encoded, DefaultMaxMessageBytes(attach)-4<<20)
	}
}
