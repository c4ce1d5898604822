package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

type validatePage struct {
	Report   *validateReport
	Error    string
	MaxBytes int64
}

// validatePage shows the upload form: the Portal's "Validate" step.
func (s *Server) validatePage(w http.ResponseWriter, r *http.Request, _ *session) error {
	return s.render(w, r, http.StatusOK, "validate", view{Title: "Validate a file", Nav: "validate",
		Page: validatePage{MaxBytes: s.cfg.MaxUploadBytes}})
}

// validateUpload checks an uploaded file, line by line, changing nothing.
// The upload is bounded by ingest.max_attachment_bytes and kept in a
// scratch file (the reader reads a file twice) that is removed at once.
func (s *Server) validateUpload(w http.ResponseWriter, r *http.Request, sess *session) error {
	page := validatePage{MaxBytes: s.cfg.MaxUploadBytes}
	show := func(status int) error {
		v := view{Title: "Validate a file", Nav: "validate", Page: page}
		if page.Error != "" {
			v.Errors = []fieldError{{"file", page.Error}}
		}
		return s.render(w, r, status, "validate", v)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes+maxFormBytes)
	f, err := s.tempFile()
	if err != nil {
		return err
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	up, err := s.readUpload(r, f)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || errors.Is(err, errTooLarge):
		page.Error = fmt.Sprintf("The file is larger than %s, the most connectord accepts.", byteSize(s.cfg.MaxUploadBytes))
		w.Header().Set("Connection", "close")
		return show(http.StatusRequestEntityTooLarge)
	case errors.Is(err, errNotMultipart):
		return badRequest("The form could not be read.")
	case err != nil:
		return err
	}
	if !validToken(up.csrf, sess.CSRFToken) {
		return errBadToken
	}
	if !up.hasFile || up.size == 0 {
		page.Error = "Choose a CSV file to check."
		return show(http.StatusUnprocessableEntity)
	}
	opts, err := s.deps.ReadOptions(r.Context())
	if err != nil {
		return err
	}
	if page.Report, err = validate(up.name, f, opts); err != nil {
		return err
	}
	return show(http.StatusOK)
}

var (
	errTooLarge     = errors.New("upload too large")
	errNotMultipart = errors.New("not a multipart form")
)

// upload is what a validate form carried.
type upload struct {
	csrf    string
	name    string
	hasFile bool
	size    int64
}

// readUpload streams the form's parts: the token, and the file into dst.
func (s *Server) readUpload(r *http.Request, dst *os.File) (upload, error) {
	var up upload
	mr, err := r.MultipartReader()
	if err != nil {
		return up, errNotMultipart
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, err
		}
		switch part.FormName() {
		case "csrf":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return up, err
			}
			up.csrf = string(b)
		case "file":
			if up.hasFile {
				break
			}
			up.hasFile, up.name = part.FileName() != "", cleanName(part.FileName())
			n, err := io.Copy(dst, io.LimitReader(part, s.cfg.MaxUploadBytes+1))
			if err != nil {
				return up, err
			}
			if n > s.cfg.MaxUploadBytes {
				return up, errTooLarge
			}
			up.size = n
		}
		part.Close()
	}
	_, err = dst.Seek(0, io.SeekStart)
	return up, err
}

// byteSize writes a size for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
