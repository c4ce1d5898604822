package scheduler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// purge removes the raw messages and results files of submissions settled
// more than Keep ago, segment by segment: the files first, then the rows
// are marked, so a crash between the two only repeats a removal. It runs
// holding the batch lock, after the run's files.
func (n *Batch) purge(ctx context.Context, now time.Time) (int, error) {
	if n.Keep <= 0 {
		return 0, nil
	}
	list, err := n.Store.Purgeable(ctx, now.Add(-n.Keep))
	if err != nil {
		return 0, err
	}
	purged := 0
	var errs []error
	for _, p := range list {
		if ctx.Err() != nil {
			break
		}
		files := p.Attachments
		for _, id := range p.IDs {
			files = append(files, filepath.Join(ResultsDir, fmt.Sprintf("%d.csv", id)))
		}
		if err := n.removeResults(files); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := n.Spool.RemoveSegment(p.Segment); err != nil {
			errs = append(errs, err)
			continue
		}
		if n.AfterPurgeFiles != nil {
			n.AfterPurgeFiles()
		}
		if err := n.Store.MarkPurged(ctx, p.IDs, now); err != nil {
			errs = append(errs, err)
			continue
		}
		purged += len(p.IDs)
	}
	if purged > 0 {
		n.Log.Info("removed the files of settled submissions past retention", "submissions", purged,
			"keep_days", int(n.Keep/(24*time.Hour)))
	}
	return purged, errors.Join(errs...)
}

// removeResults deletes results files (and the zip made of a large one);
// files already gone are no error.
func (n *Batch) removeResults(rel []string) error {
	for _, r := range rel {
		if !filepath.IsLocal(r) {
			return fmt.Errorf("results file %q is outside the data directory: left alone", r)
		}
		zip := strings.TrimSuffix(r, filepath.Ext(r)) + ".zip"
		for _, f := range []string{r, zip} {
			if err := os.Remove(filepath.Join(n.DataDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("remove results file: %w", err)
			}
		}
	}
	return nil
}
