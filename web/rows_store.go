package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"connectord/pushfile"
	"connectord/store"
)

// The dry run of a held file is made once for each version of what it
// reads (the file, the sender's organisations, the directory and the
// registry, and this process: a restart may bring other rules) and kept
// in DATA_DIR/previews/ID-KEY with its index; every page view, filter and
// download reads that. A processed file's results get an index of their
// own (ID-results). Both go once the file is decided or its files are
// removed at the end of their retention.

// previewsDir is where the console keeps dry runs and indexes.
func (s *Server) previewsDir() string { return filepath.Join(s.deps.Batch.DataDir, "previews") }

// previewKey names the version of a held file's dry run.
func (s *Server) previewKey(ctx context.Context, sub store.Submission, sender store.Sender) (string, error) {
	dir, err := s.deps.Store.DirectoryVersion(ctx)
	if err != nil {
		return "", err
	}
	orgs := slices.Clone(sender.Orgs)
	slices.Sort(orgs)
	h := sha256.New()
	fmt.Fprintf(h, "v1\n%s\n%d\n%s\n%s\n%s", s.nonce, sub.ID, sub.FileSHA256, strings.Join(orgs, ","), dir)
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

// heldPreview returns the directory of held file sub's current dry run,
// making it when there is none for this version.
func (s *Server) heldPreview(ctx context.Context, sub store.Submission, sender store.Sender) (string, indexMeta, error) {
	key, err := s.previewKey(ctx, sub, sender)
	if err != nil {
		return "", indexMeta{}, err
	}
	dir := filepath.Join(s.previewsDir(), fmt.Sprintf("%d-%s", sub.ID, key))
	return s.ensureIndex(ctx, dir, sub.ID, func(tmp string) (indexMeta, error) { return s.makePreview(ctx, tmp, sub, sender) })
}

// resultsIndex returns the directory of processed file sub's results
// index, made the first time from its results file (rel, in the data
// directory), which stays where it is.
func (s *Server) resultsIndex(ctx context.Context, sub store.Submission, rel string) (string, indexMeta, error) {
	dir := filepath.Join(s.previewsDir(), fmt.Sprintf("%d-results", sub.ID))
	return s.ensureIndex(ctx, dir, sub.ID, func(tmp string) (indexMeta, error) {
		var in *pushfile.Reader
		if csv, err := s.extractCSV(sub); err == nil {
			defer csv.Close()
			if opts, err := s.deps.ReadOptions(ctx); err == nil {
				in, _ = pushfile.Open(csv, opts)
			}
		}
		return buildIndex(tmp, filepath.Join(s.deps.Batch.DataDir, rel), rel, in, s.now())
	})
}

// ensureIndex returns dir when it is made, else makes it with build in a
// scratch directory and renames it into place. One is made at a time;
// the submission's other directories go.
func (s *Server) ensureIndex(ctx context.Context, dir string, id int64, build func(tmp string) (indexMeta, error)) (string, indexMeta, error) {
	if meta, err := readMeta(dir); err == nil {
		return dir, meta, nil
	}
	s.previewMu.Lock()
	defer s.previewMu.Unlock()
	if meta, err := readMeta(dir); err == nil {
		return dir, meta, nil
	}
	if err := os.MkdirAll(s.previewsDir(), 0o750); err != nil {
		return "", indexMeta{}, err
	}
	s.sweepPreviews(ctx, id, filepath.Base(dir))
	tmp, err := os.MkdirTemp(s.previewsDir(), ".build-")
	if err != nil {
		return "", indexMeta{}, err
	}
	defer os.RemoveAll(tmp)
	meta, err := build(tmp)
	if err == nil {
		err = writeMeta(tmp, meta)
	}
	if err == nil {
		err = os.Rename(tmp, dir)
	}
	if err != nil {
		return "", indexMeta{}, err
	}
	return dir, meta, nil
}

// sweepPreviews removes, holding previewMu, what a stopped build left,
// submission id's directories other than keep, and those of submissions
// no longer held (dry runs) or whose files are gone (results indexes).
func (s *Server) sweepPreviews(ctx context.Context, id int64, keep string) {
	entries, err := os.ReadDir(s.previewsDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if name == keep {
			continue
		}
		idText, rest, _ := strings.Cut(name, "-")
		other, err := strconv.ParseInt(idText, 10, 64)
		drop := strings.HasPrefix(name, ".build-") || err != nil || other == id
		if !drop {
			sub, err := s.deps.Store.Submission(ctx, other)
			drop = errors.Is(err, store.ErrNotFound) || (err == nil && (!sub.PurgedAt.IsZero() ||
				(rest != "results" && sub.State != store.StateHeld)))
		}
		if drop {
			os.RemoveAll(filepath.Join(s.previewsDir(), name))
		}
	}
}

// dropPreviews removes a decided file's dry runs.
func (s *Server) dropPreviews(ctx context.Context, id int64) {
	s.previewMu.Lock()
	defer s.previewMu.Unlock()
	s.sweepPreviews(ctx, id, fmt.Sprintf("%d-results", id))
}

// resultsPath is the results file an index reads.
func (s *Server) resultsPath(dir string, meta indexMeta) string {
	if meta.Results == "" {
		return filepath.Join(dir, resultsName)
	}
	return filepath.Join(s.deps.Batch.DataDir, meta.Results)
}
