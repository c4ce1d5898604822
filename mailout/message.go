package mailout

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"connectord/internal/atomicfile"
	"connectord/store"
)

// compose builds the email for an outbox row.
func (s *Mailer) compose(m *store.OutboxMessage, now time.Time) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", s.From, err)
	}
	if err := msg.To(m.Recipient); err != nil {
		return nil, permanent(fmt.Errorf("recipient %q: %w", m.Recipient, err))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(now)
	if m.InReplyTo != "" {
		ref := "<" + m.InReplyTo + ">"
		msg.SetGenHeader(gomail.HeaderInReplyTo, ref)
		msg.SetGenHeaderPreformatted(gomail.HeaderReferences, ref)
	}
	msg.SetGenHeader("Auto-Submitted", "auto-replied")
	msg.SetGenHeader(gomail.Header(s.LoopHeader), s.From)
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	if m.AttachmentPath != "" {
		path, name, err := s.attachment(m)
		if err != nil {
			return nil, err
		}
		ct := gomail.ContentType("text/csv")
		if strings.HasSuffix(name, ".zip") {
			ct = "application/zip"
		}
		msg.AttachFile(path, gomail.WithFileName(name), gomail.WithFileContentType(ct))
	}
	return msg, nil
}

// attachment returns the file to attach and its name, zipping results
// larger than the attachment limit (once; the zip is kept beside them).
func (s *Mailer) attachment(m *store.OutboxMessage) (string, string, error) {
	if filepath.IsAbs(m.AttachmentPath) || strings.Contains(m.AttachmentPath, "..") {
		return "", "", permanent(fmt.Errorf("attachment path %q is outside the data directory", m.AttachmentPath))
	}
	path := filepath.Join(s.DataDir, m.AttachmentPath)
	fi, err := os.Stat(path)
	if err != nil {
		return "", "", permanent(fmt.Errorf("attachment: %w", err))
	}
	if s.MaxAttachmentBytes <= 0 || fi.Size() <= s.MaxAttachmentBytes {
		return path, m.AttachmentName, nil
	}
	zipPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".zip"
	if _, err := os.Stat(zipPath); err == nil {
		return zipPath, m.AttachmentName + ".zip", nil
	}
	if err := zipFile(path, zipPath, m.AttachmentName); err != nil {
		return "", "", err
	}
	return zipPath, m.AttachmentName + ".zip", nil
}

// zipFile writes src into a new zip archive dst as one entry, streaming.
func zipFile(src, dst, name string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("zip results: %w", err)
	}
	defer in.Close()
	out, err := atomicfile.Create(dst)
	if err != nil {
		return fmt.Errorf("zip results: %w", err)
	}
	defer out.Abort()
	zw := zip.NewWriter(out.Writer())
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
	if err == nil {
		_, err = io.Copy(w, in)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return fmt.Errorf("zip results: %w", err)
	}
	return out.Commit()
}
