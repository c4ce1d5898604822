package web

import (
	"fmt"
	"net/http"

	"connectord/store"
)

// nightPage is one batch run and the files it settled.
type nightPage struct {
	Run   nightRow
	Files []nightFile
}

// nightFile is a submission a run processed or refused.
type nightFile struct {
	store.Submission
	Counts     []statusCount
	NotApplied int
}

// nightShow shows one batch run: when and how it ran, and each file it
// processed or refused, with its rows per status.
func (s *Server) nightShow(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	run, err := s.deps.Store.Run(ctx, id)
	if err != nil {
		return err
	}
	subs, err := s.deps.Store.Submissions(ctx, store.SubmissionFilter{RunID: id})
	if err != nil {
		return err
	}
	p := nightPage{Run: newNightRow(run)}
	for i := len(subs) - 1; i >= 0; i-- { // oldest first
		f := nightFile{Submission: subs[i]}
		row := newNightRow(store.BatchRun{Counts: subs[i].Counts})
		f.Counts, f.NotApplied = row.Counts, row.NotApplied
		p.Files = append(p.Files, f)
	}
	v := view{Title: fmt.Sprintf("Night of %s (run %d)", run.BatchDay, run.ID), Nav: "nights", Page: p}
	if run.State == store.RunRunning {
		v.Refresh = 5
	}
	return s.render(w, r, http.StatusOK, "night", v)
}
