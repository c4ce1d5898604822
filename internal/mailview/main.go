// Command mailview prints the emails in Maildir folders the way a person
// reads them (who from, the subject, the text) and saves their attachments,
// for the demo. It is a development tool, not part of connectord.
//
//	go run ./internal/mailview -save DIR MAILDIR...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
)

func main() {
	save := flag.String("save", "", "directory to save attachments in")
	flag.Parse()
	for _, dir := range flag.Args() {
		if err := show(dir, *save); err != nil {
			fmt.Fprintln(os.Stderr, "mailview:", err)
			os.Exit(1)
		}
	}
}

type message struct {
	date time.Time
	name string // Maildir file names start with the delivery time
	raw  []byte
}

func show(maildir, save string) error {
	var msgs []message
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(maildir, sub))
		for _, e := range entries {
			raw, err := os.ReadFile(filepath.Join(maildir, sub, e.Name()))
			if err != nil {
				return err
			}
			mr, err := mail.CreateReader(bytes.NewReader(raw))
			if err != nil {
				return err
			}
			d, _ := mr.Header.Date()
			msgs = append(msgs, message{date: d, name: e.Name(), raw: raw})
		}
	}
	sort.Slice(msgs, func(i, j int) bool {
		if !msgs[i].date.Equal(msgs[j].date) {
			return msgs[i].date.Before(msgs[j].date)
		}
		return msgs[i].name < msgs[j].name
	})
	for _, m := range msgs {
		if err := print1(m.raw, save); err != nil {
			return err
		}
	}
	return nil
}

func print1(raw []byte, save string) error {
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subject, _ := mr.Header.Subject()
	from, _ := mr.Header.AddressList("From")
	to, _ := mr.Header.AddressList("To")
	fmt.Printf("  ┌ From: %s  To: %s\n  │ Subject: %s\n", addrs(from), addrs(to), subject)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			line := fmt.Sprintf("[attachment %s, %d bytes", name, len(body))
			if save != "" && name != "" {
				path := filepath.Join(save, filepath.Base(name))
				if err := os.WriteFile(path, body, 0o644); err != nil {
					return err
				}
				line += ", saved as " + path
			}
			fmt.Printf("  │ %s]\n", line)
		default:
			for _, l := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
				fmt.Printf("  │ %s\n", strings.TrimRight(l, "\r"))
			}
		}
	}
	fmt.Println("  └")
	return nil
}

func addrs(list []*mail.Address) string {
	var out []string
	for _, a := range list {
		out = append(out, a.Address)
	}
	return strings.Join(out, ", ")
}
