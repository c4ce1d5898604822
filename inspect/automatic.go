package inspect

import (
	"fmt"
	"strings"

	"github.com/emersion/go-message"
)

// exchangeSystemMailbox is the local part Exchange uses for the "Microsoft
// Outlook" system mailbox that sends NDRs and other system messages; it is
// the same GUID in every Exchange organisation.
const exchangeSystemMailbox = "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e"

// AutomaticReason returns why h is automatic mail, or "" when it looks like
// a message a person sent. Automatic mail is ignored and never answered
// (RFC 3834 section 2): answering it is how mail loops and backscatter start.
//
// Checked: an empty return path; Auto-Submitted other than "no"; a
// multipart/report (delivery or read report); Precedence bulk, junk, list or
// auto_reply; our own loop header; X-Autoreply and X-Autorespond;
// X-Auto-Response-Suppress naming All, OOF or AutoReply; any List-* header
// (List-Id, List-Unsubscribe, List-Post…: RFC 3834 says not to answer lists);
// a From that is one of ours, MAILER-DAEMON, postmaster or Exchange's system
// mailbox.
func AutomaticReason(h message.Header, p Policy) string {
	if h.Has("Return-Path") {
		rp := strings.ToLower(strings.Join(strings.Fields(h.Get("Return-Path")), ""))
		if rp == "" || rp == "<>" || rp == "<mailer-daemon>" || rp == "mailer-daemon" {
			return "empty return path (Return-Path: <>): a bounce or other automatic message"
		}
	}
	for _, v := range h.Values("Auto-Submitted") {
		if tok := firstToken(v); tok != "no" {
			return fmt.Sprintf("Auto-Submitted: %s", truncate(strings.TrimSpace(v), 60))
		}
	}
	if ct, params := parseMediaHeader(h.Get("Content-Type")); ct == "multipart/report" {
		return fmt.Sprintf("delivery or read report (multipart/report; report-type=%s)", truncate(params["report-type"], 40))
	}
	for _, v := range h.Values("Precedence") {
		switch tok := firstToken(v); tok {
		case "bulk", "junk", "list", "auto_reply":
			return "Precedence: " + tok
		}
	}
	if p.LoopHeader != "" && h.Has(p.LoopHeader) {
		return fmt.Sprintf("our own loop header %s is present: one of our messages came back", p.LoopHeader)
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond"} {
		if h.Has(k) {
			switch firstToken(h.Get(k)) {
			case "no", "false", "0":
			default:
				return k + " header present: an auto-reply"
			}
		}
	}
	for _, v := range h.Values("X-Auto-Response-Suppress") {
		if suppressesReplies(v) {
			return fmt.Sprintf("X-Auto-Response-Suppress: %s: the sender asks for no automatic replies", truncate(strings.TrimSpace(v), 60))
		}
	}
	if k := listHeader(h); k != "" {
		return fmt.Sprintf("mailing list message (%s)", k)
	}
	for _, a := range fromAddresses(h) {
		if containsASCII(p.OwnAddresses, a) {
			return fmt.Sprintf("From is our own address %s", a)
		}
		switch lp := localPart(a); {
		case lp == "mailer-daemon", lp == "postmaster", strings.HasPrefix(lp, exchangeSystemMailbox):
			return fmt.Sprintf("From is a mail system address %s", a)
		}
	}
	return ""
}

// listHeader returns the name of the first List-* header field of h (RFC
// 2369, RFC 2919: List-Id, List-Unsubscribe, List-Post, List-Help…), or "".
func listHeader(h message.Header) string {
	fields := h.Fields()
	for fields.Next() {
		if k := fields.Key(); len(k) > len("List-") && lowerASCII(k[:len("List-")]) == "list-" {
			return k
		}
	}
	return ""
}

// suppressesReplies reports whether an X-Auto-Response-Suppress value (a
// comma-separated list from [MS-OXCMAIL] 2.1.3.2.20) asks that no
// out-of-office or other automatic reply be sent. DR, NDR, RN and NRN only
// concern delivery and read receipts and do not count.
func suppressesReplies(v string) bool {
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		switch strings.ToLower(f) {
		case "all", "oof", "autoreply":
			return true
		}
	}
	return false
}

// firstToken returns the lower-case first word of a structured header value,
// before any space, comment or parameter ("auto-replied; owner=…" gives
// "auto-replied").
func firstToken(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, " \t;(,"); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(v)
}
