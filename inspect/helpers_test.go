package inspect

import (
	"bufio"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// crlf turns a readable test message with \n line ends into RFC 5322 form.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// parseHeader parses header fields written one per line.
func parseHeader(t testing.TB, raw string) message.Header {
	t.Helper()
	th, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(crlf(raw + "\n\n"))))
	if err != nil {
		t.Fatalf("parse header %q: %v", raw, err)
	}
	return message.Header{Header: th}
}
