package store

import "fmt"

// SupersededError is a review of a held submission that a later file from
// the same sender for the same batch day replaced. It is also an
// ErrAlreadyDecided (errors.Is).
type SupersededError struct {
	Sub Submission // the submission the reviewer acted on
	// By is the file that stands now: the end of the chain of later files
	// (a.csv replaced by b.csv, b.csv by c.csv: c.csv).
	By Submission
}

func (e *SupersededError) Error() string {
	s := fmt.Sprintf("submission %d (%s) was replaced by a later file from %s for the same batch day %s, submission %d (%s): only the last file of a day is processed, so there is nothing to decide here",
		e.Sub.ID, quoteFile(e.Sub.Filename), e.Sub.Sender, e.Sub.BatchDay, e.By.ID, quoteFile(e.By.Filename))
	if e.By.State == StateHeld {
		s += fmt.Sprintf("; review submission %d instead", e.By.ID)
	}
	return s
}

// Is makes a SupersededError an ErrAlreadyDecided.
func (e *SupersededError) Is(target error) bool { return target == ErrAlreadyDecided }

// maxSupersededChain bounds the walk to the file that stands (a sender
// sends a few files a day, not thousands).
const maxSupersededChain = 1000

// supersededError names the file that replaced s, following the chain of
// later files to the one that stands.
func (t *Tx) supersededError(s Submission) error {
	by := s
	for range maxSupersededChain {
		if by.State != StateSuperseded || by.SupersededBy == 0 {
			break
		}
		next, err := t.Submission(by.SupersededBy)
		if err != nil {
			return err
		}
		by = next
	}
	return &SupersededError{Sub: s, By: by}
}

func quoteFile(name string) string {
	if name == "" {
		return "no file"
	}
	return fmt.Sprintf("%q", name)
}
