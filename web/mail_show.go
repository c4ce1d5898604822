package web

import (
	"fmt"
	"net/http"
	"time"

	"connectord/mailout"
	"connectord/store"
)

// mailPage is one email connectord sent, or will send, as it goes out.
type mailPage struct {
	Mail    store.OutboxMessage
	Headers []mailout.Header
	Failure *mailFailure
	Later   []store.OutboxMessage // later mail about the same submission to the same recipient
	Sub     store.Submission
	// Download links the attachment as the console offers it (results
	// without the generated passwords); "" when it cannot.
	Download string
}

// mailShow shows one email: its header fields and text as sent (Date is
// when it was sent), and the name of its attachment.
func (s *Server) mailShow(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, err := s.deps.Store.OutboxMessage(ctx, id)
	if err != nil {
		return err
	}
	p := mailPage{Mail: m}
	var date time.Time
	if m.State == store.OutboxSent {
		date = m.SentAt.In(s.deps.Location)
	}
	p.Headers = mailout.Headers(&m, s.deps.MailFrom, s.deps.LoopHeader, date)
	if m.State == store.OutboxFailed {
		f := explainFailure(m.LastError)
		p.Failure = &f
	}
	if p.Later, err = s.deps.Store.LaterMail(ctx, m); err != nil {
		return err
	}
	if m.SubmissionID != 0 {
		if p.Sub, err = s.deps.Store.Submission(ctx, m.SubmissionID); err != nil {
			return err
		}
		if m.Kind == store.MailResults && p.Sub.State == store.StateProcessed && p.Sub.PurgedAt.IsZero() {
			p.Download = fmt.Sprintf("/submissions/%d/results.csv", m.SubmissionID)
		}
	}
	nav := "submissions"
	if sessionFrom(r).User.Role == roleOperator {
		nav = "outbox"
	}
	return s.render(w, r, http.StatusOK, "mail", view{Title: fmt.Sprintf("Mail %d: %s", m.ID, m.Subject), Nav: nav, Page: p})
}
