package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"connectord/scheduler"
	"connectord/store"
)

// Who may download what (docs/console.md, "Downloads"): everyone signed
// in may download a received file as received (audited: it may hold
// passwords its sender supplied), a processed file's results with the
// generated passwords left out, and a held file's dry run (which has
// none). A generated password reaches only the sender, in the email.

// downloadSubmission loads the submission of a download, refusing one
// whose files are gone.
func (s *Server) downloadSubmission(r *http.Request) (store.Submission, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.Submission{}, err
	}
	sub, err := s.deps.Store.Submission(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return sub, notFound(fmt.Sprintf("Submission %d", id))
	}
	if err != nil {
		return sub, err
	}
	if !sub.PurgedAt.IsZero() {
		return sub, &statusError{http.StatusGone, fmt.Sprintf("The files of submission %d were removed on %s, at the end of their retention period.",
			id, sub.PurgedAt.In(s.deps.Location).Format("2 January 2006"))}
	}
	return sub, nil
}

// downloadReceived sends a submission's CSV file exactly as received,
// read out of its spooled message and checked against its SHA-256.
func (s *Server) downloadReceived(w http.ResponseWriter, r *http.Request, sess *session) error {
	sub, err := s.downloadSubmission(r)
	if err != nil {
		return err
	}
	if sub.FileSHA256 == "" {
		return notFound(fmt.Sprintf("Submission %d has no CSV file: it", sub.ID))
	}
	f, err := s.extractCSV(sub)
	if err != nil {
		s.log.Error("received file not sent", "submission", sub.ID, "err", err)
		return &statusError{http.StatusInternalServerError, "The received file cannot be read back out of the spool: " + upperFirst(err.Error()) + "."}
	}
	defer f.Close()
	s.audit(r, store.ConsoleAudit{At: s.now(), Actor: sess.User.Name, Action: store.AuditDownloadFile,
		Subject: store.SubmissionSubject(sub.ID), Detail: "downloaded " + sub.Filename + " as received"})
	s.log.Info("console download", "what", "received file", "submission", sub.ID, "by", sess.User.Name)
	return sendPath(w, f.Name(), sub.Filename, csvType)
}

// resultsFile is a processed submission's results file in the data
// directory, and the name it was sent under.
func (s *Server) resultsFile(ctx context.Context, sub store.Submission) (rel, name string, err error) {
	rel, name = filepath.Join(scheduler.ResultsDir, fmt.Sprintf("%d.csv", sub.ID)), "results.csv"
	mail, err := s.deps.Store.Outbox(ctx, store.OutboxFilter{SubmissionID: sub.ID})
	if err != nil {
		return "", "", err
	}
	for _, m := range mail {
		if m.Kind == store.MailResults && m.AttachmentPath != "" {
			rel, name = m.AttachmentPath, m.AttachmentName
		}
	}
	if !filepath.IsLocal(rel) {
		return "", "", fmt.Errorf("submission %d: the results file's recorded path %q is not inside the data directory", sub.ID, rel)
	}
	return rel, name, nil
}

// downloadResults sends a processed submission's results file as it was
// sent, except that the generated passwords are left out.
func (s *Server) downloadResults(w http.ResponseWriter, r *http.Request, sess *session) error {
	sub, err := s.downloadSubmission(r)
	if err != nil {
		return err
	}
	if sub.State != store.StateProcessed {
		return notFound(fmt.Sprintf("Submission %d is %s: its results file", sub.ID, sub.State))
	}
	rel, name, err := s.resultsFile(r.Context(), sub)
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(s.deps.Batch.DataDir, rel))
	if err != nil {
		return err
	}
	defer f.Close()
	s.log.Info("console download", "what", "results file", "submission", sub.ID, "by", sess.User.Name)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(withoutPasswords(pw, f)) }()
	defer pr.Close()
	return sendFile(w, pr, -1, name, csvType)
}

// withoutPasswords copies a results file with every cell of its
// GeneratedPassword column emptied (and any Password column).
func withoutPasswords(dst io.Writer, src io.ReadSeeker) error {
	comma := sniffComma(src)
	br := bufio.NewReader(src)
	if b, _ := br.Peek(3); string(b) == "\uFEFF" {
		br.Discard(3)
		if _, err := io.WriteString(dst, "\uFEFF"); err != nil {
			return err
		}
	}
	cr := csv.NewReader(br)
	cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = comma, -1, true, true
	bw := bufio.NewWriter(dst)
	cw := csv.NewWriter(bw)
	cw.Comma, cw.UseCRLF = comma, true
	var hide []int
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read results: %w", err)
		}
		if n == 0 {
			for i, name := range rec {
				if strings.Contains(normColumn(name), "password") {
					hide = append(hide, i)
				}
			}
		} else {
			for _, i := range hide {
				if i < len(rec) {
					rec[i] = ""
				}
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// downloadDryRun sends a held file's would-be results: its current dry
// run (which generates no passwords).
func (s *Server) downloadDryRun(w http.ResponseWriter, r *http.Request, sess *session) error {
	sub, err := s.downloadSubmission(r)
	if err != nil {
		return err
	}
	if sub.State != store.StateHeld {
		return notFound(fmt.Sprintf("Submission %d is %s: its dry run", sub.ID, sub.State))
	}
	sender, err := s.deps.Store.Sender(r.Context(), sub.Sender)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(fmt.Sprintf("%s is not on the roster, so a dry run of its file", sub.Sender))
	}
	if err != nil {
		return err
	}
	p, err := s.preview(r.Context(), sub, sender, rowsQuery{Page: 1})
	if err != nil {
		return err
	}
	if p.Skipped != "" || len(p.FileProblems) > 0 {
		return notFound(fmt.Sprintf("Submission %d has no dry run (the review page says why): its would-be results", sub.ID))
	}
	s.log.Info("console download", "what", "dry run", "submission", sub.ID, "by", sess.User.Name)
	return sendPath(w, filepath.Join(p.dir, resultsName), dryRunName(sub.Filename), csvType)
}

// dryRunName is a dry run's download name: the file's name with
// "-dry-run-results.csv".
func dryRunName(filename string) string {
	base := filename
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if base == "" {
		base = "submission"
	}
	return base + "-dry-run-results.csv"
}
