package web

import "net/http"

// routes is the console's URL space. Every state change is a POST behind
// http.CrossOriginProtection and the session's form token.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", assetHandler("/assets/", nhsukFS()))
	mux.Handle("GET /static/", assetHandler("/static/", staticFS()))

	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.Handle("POST /logout", s.action(roleReviewer, s.logout))

	mux.Handle("GET /{$}", s.page(roleReviewer, s.home))
	mux.Handle("GET /review", s.page(roleReviewer, s.reviewQueue))
	mux.Handle("GET /review/{id}", s.page(roleReviewer, s.reviewPreview))
	mux.Handle("GET /review/{id}/approve", s.page(roleReviewer, s.approveConfirm))
	mux.Handle("POST /review/{id}/approve", s.action(roleReviewer, s.approve))
	mux.Handle("GET /review/{id}/reject", s.page(roleReviewer, s.rejectConfirm))
	mux.Handle("POST /review/{id}/reject", s.action(roleReviewer, s.reject))
	mux.Handle("GET /review/{id}/dry-run.csv", s.page(roleReviewer, s.downloadDryRun))

	mux.Handle("GET /submissions", s.page(roleReviewer, s.submissionList))
	mux.Handle("GET /submissions/{id}", s.page(roleReviewer, s.submissionShow))
	mux.Handle("GET /submissions/{id}/file", s.page(roleReviewer, s.downloadReceived))
	mux.Handle("GET /submissions/{id}/results.csv", s.page(roleReviewer, s.downloadResults))
	mux.Handle("GET /mail/{id}", s.page(roleReviewer, s.mailShow))

	mux.Handle("GET /nights", s.page(roleReviewer, s.nights))
	mux.Handle("GET /nights/{id}", s.page(roleReviewer, s.nightShow))
	mux.Handle("GET /nights/run", s.page(roleOperator, s.runNightConfirm))
	mux.Handle("POST /nights/run", s.action(roleOperator, s.runNight))

	mux.Handle("GET /roster", s.page(roleOperator, s.roster))
	mux.Handle("POST /roster", s.action(roleOperator, s.rosterPut))
	mux.Handle("GET /roster/remove", s.page(roleOperator, s.rosterRemoveConfirm))
	mux.Handle("POST /roster/remove", s.action(roleOperator, s.rosterRemove))

	mux.Handle("GET /outbox", s.page(roleOperator, s.outbox))
	mux.Handle("GET /outbox/{id}/retry", s.page(roleOperator, s.outboxRetryConfirm))
	mux.Handle("POST /outbox/{id}/retry", s.action(roleOperator, s.outboxRetry))
	mux.Handle("GET /audit", s.page(roleOperator, s.auditLog))

	mux.Handle("GET /validate", s.page(roleReviewer, s.validatePage))
	mux.Handle("POST /validate", s.action(roleReviewer, s.validateUpload))

	mux.Handle("GET /organisations", s.page(roleReviewer, s.organisations))

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, notFound("The page "+r.URL.Path))
	})

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		s.fail(w, r, &statusError{http.StatusForbidden, "The request came from another site and was refused."})
	}))
	return s.withHeaders(cop.Handler(mux))
}

// home sends reviewers and operators to the review queue.
func (s *Server) home(w http.ResponseWriter, r *http.Request, _ *session) error {
	http.Redirect(w, r, "/review", http.StatusSeeOther)
	return nil
}
