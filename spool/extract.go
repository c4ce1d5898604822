package spool

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"connectord/inspect"
	"connectord/store"
)

// Inspect reads the spooled message at ref with inspect.Inspect, writing
// its CSV file (transfer-decoded only, byte for byte as received) to dst.
// Every CSV that comes out of the spool comes through here: on receipt,
// and through ExtractCSV for the batch, the console's preview and
// 'connectord submissions file'.
func (s *Spool) Inspect(ref store.SpoolRef, p inspect.Policy, dst io.Writer) (*inspect.Inspection, error) {
	msg, err := s.Open(ref)
	if err != nil {
		return nil, err
	}
	defer msg.Close()
	ins, err := inspect.Inspect(msg, p, dst)
	if err != nil {
		return nil, fmt.Errorf("read spooled message: %w", err)
	}
	return ins, nil
}

// InspectHeader is Inspect for a message of size bytes of which only the
// header section was spooled, because it was larger than the policy's
// message limit (inspect.InspectHeader).
func (s *Spool) InspectHeader(ref store.SpoolRef, p inspect.Policy, size int64) (*inspect.Inspection, error) {
	msg, err := s.Open(ref)
	if err != nil {
		return nil, err
	}
	defer msg.Close()
	ins, err := inspect.InspectHeader(msg, p, size)
	if err != nil {
		return nil, fmt.Errorf("read spooled message: %w", err)
	}
	return ins, nil
}

// ErrNoCSV is wrapped by ExtractCSV's error when the spooled message of a
// submission no longer yields a CSV file at all.
var ErrNoCSV = errors.New("the spooled message no longer yields its CSV file")

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

// CSVFile is a recorded submission's CSV file read again from the spool:
// a scratch file, rewound for reading. Close removes it.
type CSVFile struct {
	*os.File
}

// Close closes and removes the scratch file.
func (f *CSVFile) Close() error {
	err := f.File.Close()
	os.Remove(f.Name())
	return err
}

// ExtractCSV is the one way a recorded submission's CSV file is read again:
// out of its spooled message (Inspect), into a scratch file, checked
// against the SHA-256 recorded when the message arrived. It returns a
// *FileChangedError when the bytes differ and an error wrapping ErrNoCSV
// when the message yields no CSV file now; nothing of a file that fails a
// check is returned.
func (s *Spool) ExtractCSV(sub store.Submission, p inspect.Policy) (*CSVFile, error) {
	if sub.FileSHA256 == "" {
		return nil, fmt.Errorf("submission %d has no CSV file (%s)", sub.ID, sub.Reason)
	}
	f, err := s.Scratch()
	if err != nil {
		return nil, err
	}
	csv := &CSVFile{File: f}
	if err := s.extract(sub, p, csv.File); err != nil {
		csv.Close()
		return nil, err
	}
	return csv, nil
}

func (s *Spool) extract(sub store.Submission, p inspect.Policy, dst *os.File) error {
	// A file taken under a larger limit stays readable after the limit
	// is lowered.
	p.MaxAttachmentBytes = max(p.AttachmentLimit(), sub.FileSize)
	ins, err := s.Inspect(sub.Spool, p, dst)
	if err != nil {
		return fmt.Errorf("submission %d: %w", sub.ID, err)
	}
	if ins.CSV == nil {
		return fmt.Errorf("submission %d: %w: %s", sub.ID, ErrNoCSV, ins.AttachmentProblem)
	}
	if found := hex.EncodeToString(ins.CSV.SHA256[:]); found != sub.FileSHA256 {
		return &FileChangedError{Submission: sub.ID, Recorded: sub.FileSHA256, Found: found}
	}
	if _, err := dst.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("submission %d: rewind its CSV file: %w", sub.ID, err)
	}
	return nil
}
