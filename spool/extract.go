package spool

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"connectord/inspect"
	"connectord/store"
)

// ErrFileChanged is returned (as a *FileChangedError) when the CSV file in
// a spooled message is not the one recorded when the message was received.
var ErrFileChanged = errors.New("the spooled file is not the one received")

// FileChangedError says which SHA-256 was recorded and which the spool
// yields now.
type FileChangedError struct {
	Submission int64
	Recorded   string // SHA-256 recorded when the message was received
	Found      string // SHA-256 of the bytes the spool yields now
}

func (e *FileChangedError) Error() string {
	return fmt.Sprintf("the CSV file in the spooled message of submission %d is not the one received: its SHA-256 is %s, but %s was recorded when it arrived; the spool was altered or damaged since",
		e.Submission, e.Found, e.Recorded)
}

// Is makes a FileChangedError an ErrFileChanged.
func (e *FileChangedError) Is(target error) bool { return target == ErrFileChanged }

// ExtractCSV writes a submission's CSV file, read again from its spooled
// message, to dst: transfer-decoded only, byte for byte as received. It
// checks the bytes against the SHA-256 recorded when the message arrived
// and returns a *FileChangedError when they differ. dst receives the bytes
// as they are read, so on any error its contents must be thrown away.
func (s *Spool) ExtractCSV(sub store.Submission, p inspect.Policy, dst io.Writer) error {
	if sub.FileSHA256 == "" {
		return fmt.Errorf("submission %d has no CSV file (%s)", sub.ID, sub.Reason)
	}
	msg, err := s.Open(sub.Spool)
	if err != nil {
		return fmt.Errorf("submission %d: %w", sub.ID, err)
	}
	defer msg.Close()
	// A file taken under a larger limit stays readable after the limit
	// is lowered.
	p.MaxAttachmentBytes = max(p.AttachmentLimit(), sub.FileSize)
	ins, err := inspect.Inspect(msg, p, dst)
	if err != nil {
		return fmt.Errorf("read submission %d from the spool: %w", sub.ID, err)
	}
	if ins.CSV == nil {
		return fmt.Errorf("the spooled message of submission %d no longer yields its CSV file: %s", sub.ID, ins.AttachmentProblem)
	}
	if found := hex.EncodeToString(ins.CSV.SHA256[:]); found != sub.FileSHA256 {
		return &FileChangedError{Submission: sub.ID, Recorded: sub.FileSHA256, Found: found}
	}
	return nil
}
