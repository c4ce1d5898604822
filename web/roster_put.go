package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"connectord/inspect"
	"connectord/store"
)

// rosterPut adds an address to the roster, or sets the organisations of
// one already there (operators).
func (s *Server) rosterPut(w http.ResponseWriter, r *http.Request, sess *session) error {
	form := rosterForm{Address: strings.TrimSpace(r.PostForm.Get("address")),
		Orgs: strings.TrimSpace(r.PostForm.Get("orgs"))}
	if at := strings.IndexByte(form.Address, '@'); at <= 0 || at == len(form.Address)-1 || strings.ContainsAny(form.Address, " ,;<>\"") {
		form.AddressError = "Enter an email address, for example admin.leeds@nhs.net."
	} else if addr, err := inspect.SenderAddress(form.Address, s.deps.Batch.Policy.AllowedDomains); err != nil {
		// The rule the mailbox applies to every From: an address it would
		// refuse could never submit a file.
		form.AddressError = "This address can never submit a file: " + err.Error() + "."
	} else {
		form.Address = addr
	}
	codes := orgCodes(form.Orgs)
	if len(codes) == 0 {
		form.OrgsError = "Enter at least one organisation code, for example RR8."
	}
	if form.AddressError != "" || form.OrgsError != "" {
		return s.refuseRoster(w, r, form)
	}
	err := s.deps.Store.PutSender(r.Context(), form.Address, codes, sess.User.Name, s.now())
	if errors.Is(err, store.ErrUnknownOrganisation) {
		form.OrgsError = upperFirst(err.Error()) + "."
		return s.refuseRoster(w, r, form)
	}
	if err != nil {
		return err
	}
	s.setFlash(r, done(fmt.Sprintf("%s may submit files for %s.", form.Address, strings.Join(codes, ", "))))
	return redirect(w, r, "/roster")
}

// refuseRoster sends the operator back to the roster form with its
// errors (redirect-after-POST).
func (s *Server) refuseRoster(w http.ResponseWriter, r *http.Request, form rosterForm) error {
	var errs []fieldError
	if form.AddressError != "" {
		errs = append(errs, fieldError{"address", form.AddressError})
	}
	if form.OrgsError != "" {
		errs = append(errs, fieldError{"orgs", form.OrgsError})
	}
	return s.refused(w, r, "/roster#add", map[string]string{"address": form.Address, "orgs": form.Orgs}, errs...)
}

// addressHint says which addresses the roster takes: those of
// ingest.allowed_domains ("An @nhs.net or @nhs.scot address").
func addressHint(domains []string) string {
	if len(domains) == 0 {
		return "No sender domain is configured (ingest.allowed_domains), so no address can submit a file"
	}
	at := make([]string, len(domains))
	for i, d := range domains {
		at[i] = "@" + d
	}
	list := at[0]
	if n := len(at); n > 1 {
		list = strings.Join(at[:n-1], ", ") + " or " + at[n-1]
	}
	return "An " + list + " address"
}

// orgCodes splits a list of organisation codes on commas and spaces.
func orgCodes(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' }) {
		c = strings.ToUpper(c)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
