package ingest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// ensureProcessed finds or creates the processed mailbox, once per
// connection. When the configured name cannot be created at the top level
// (servers whose folders live under INBOX), INBOX<separator>name is used.
func (p *Poller) ensureProcessed() error {
	if p.processed != "" {
		return nil
	}
	c := p.sess.c
	exists := func(name string) (bool, error) {
		list, err := c.List("", name, nil).Collect()
		if err != nil {
			return false, fmt.Errorf("list %s: %w", name, err)
		}
		return len(list) > 0, nil
	}
	try := []string{p.Processed}
	if !strings.HasPrefix(strings.ToUpper(p.Processed), "INBOX") {
		inbox, err := c.List("", "INBOX", nil).Collect()
		if err == nil && len(inbox) == 1 && inbox[0].Delim != 0 {
			try = append(try, "INBOX"+string(inbox[0].Delim)+p.Processed)
		}
	}
	var firstErr error
	for _, name := range try {
		ok, err := exists(name)
		if err != nil {
			return err
		}
		if ok {
			p.processed = name
			return nil
		}
		err = c.Create(name, nil).Wait()
		var ie *imap.Error
		if err == nil || (errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
			p.Log.Info("created the processed mailbox", "mailbox", name)
			p.processed = name
			return nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return fmt.Errorf("create processed mailbox %s: %w", p.Processed, firstErr)
}

// move takes recorded messages out of the mailbox: MOVE when the server has
// it; else COPY, flag \Deleted and UID EXPUNGE exactly those UIDs; and
// without UIDPLUS only COPY and flag (a plain EXPUNGE could remove other
// clients' messages), relying on the local record to skip them next time.
func (p *Poller) move(uids []imap.UID) error {
	c := p.sess.c
	set := imap.UIDSetNum(uids...)
	if p.sess.caps.Has(imap.CapMove) {
		if _, err := c.Move(set, p.processed).Wait(); err != nil {
			return fmt.Errorf("move to %s: %w", p.processed, err)
		}
		return nil
	}
	if _, err := c.Copy(set, p.processed).Wait(); err != nil {
		return fmt.Errorf("copy to %s: %w", p.processed, err)
	}
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted, imap.FlagSeen}}
	if err := c.Store(set, flags, nil).Close(); err != nil {
		return fmt.Errorf("flag moved messages: %w", err)
	}
	if p.sess.caps.Has(imap.CapUIDPlus) {
		if err := c.UIDExpunge(set).Close(); err != nil {
			return fmt.Errorf("expunge moved messages: %w", err)
		}
	}
	return nil
}
