package provision

import (
	"context"
	"errors"
	"fmt"
	"io"

	"connectord/pushfile"
)

// File is one push file to apply.
type File struct {
	Name string        // the file's name, for the audit trail and errors
	Data io.ReadSeeker // the file as received; read twice (its encoding, then its rows)
	Read pushfile.Options
}

// Apply is the one way a push file is applied, by the batch, by
// 'connectord process' and by the console's dry-run preview: f is opened
// with the engine's reader, every row is decided in file order as
// job.Sender's and applied through dir, and each row's result goes to
// job.Results.
//
// The caller owns dir: for the embedded directory it commits the
// transaction under it (the whole file) or rolls it back (a dry run, or
// any error), so the file's other work can commit with it. In a dry run
// dir must change nothing. A *pushfile.FileError means the file is
// unusable and nothing in it may be applied.
func (p *Processor) Apply(ctx context.Context, dir Directory, f File, job Job) (Summary, error) {
	rd, err := pushfile.Open(f.Data, f.Read)
	if err != nil {
		return Summary{}, err
	}
	var out *pushfile.ResultsWriter
	if job.Results != nil {
		if out, err = pushfile.NewResultsWriter(job.Results, rd); err != nil {
			return Summary{}, err
		}
	}
	sum, err := p.rows(ctx, dir, rd, out, f.Name, job)
	var fe *pushfile.FileError
	if s, named := dir.(fmt.Stringer); named && err != nil && !errors.As(err, &fe) && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%s: %w", s, err) // which directory failed: the night's record and log say so
	}
	return sum, err
}
