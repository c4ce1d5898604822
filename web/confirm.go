package web

import "net/http"

// confirmPage asks before an action that cannot be undone, on a plain
// page that needs no script: it says what will happen, and its form posts
// the action again with confirm=yes. Approving a file with rows that
// would not be applied, rejecting a file, taking an address off the
// roster, running a night now and retrying mail that may not get through
// all ask here.
type confirmPage struct {
	Caption  string
	Question string   // the page's heading
	Warning  string   // the warning callout's label; "" for none
	Says     []string // what will happen, one paragraph each
	Items    []string // what it acts on (the files a night would take)
	More     int      // items not listed
	Action   string   // where the form posts
	Hidden   map[string]string
	// Reason, when set, is a text box the action needs: its label, id
	// and what was typed so far.
	Reason      *reasonField
	Button      string
	Destructive bool // a warning button
	Cancel      string
	CancelText  string
}

// reasonField is a text box on a confirmation page.
type reasonField struct {
	Label, Hint, Value, Error string
	Max                       int
}

// confirm shows a confirmation page; errs are the problems of a refused
// earlier attempt.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request, nav string, p confirmPage, errs ...fieldError) error {
	return s.render(w, r, http.StatusOK, "confirm", view{Title: p.Question, Nav: nav, Page: p, Errors: errs})
}
