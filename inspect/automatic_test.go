package inspect

import "testing"

func TestAutomaticReason(t *testing.T) {
	const from = "From: Alice <alice@nhs.net>\n"
	tests := []struct {
		name, header, want string // want "" means not automatic
	}{
		{"person", from + "Return-Path: <alice@nhs.net>", ""},
		{"no return path at all", from, ""},
		{"empty return path", from + "Return-Path: <>", "empty return path"},
		{"empty return path with space", from + "Return-Path: < >", "empty return path"},
		{"sendmail null sender", from + "Return-Path: <MAILER-DAEMON>", "empty return path"},
		{"auto-submitted no", from + "Auto-Submitted: no", ""},
		{"auto-submitted no with comment", from + "Auto-Submitted: No (sent by a person)", ""},
		{"auto-replied", from + "Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"},
		{"auto-generated", from + "Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"},
		{"auto-notified with params", from + "Auto-Submitted: auto-notified; owner-email=x@y", "Auto-Submitted: auto-notified"},
		{"second auto-submitted", from + "Auto-Submitted: no\nAuto-Submitted: auto-replied", "Auto-Submitted: auto-replied"},
		{"empty auto-submitted", from + "Auto-Submitted:", "Auto-Submitted"},
		{"delivery report", from + "Content-Type: multipart/report; report-type=delivery-status; boundary=x", "report-type=delivery-status"},
		{"read receipt", from + "Content-Type: Multipart/Report; report-type=disposition-notification; boundary=x", "multipart/report"},
		{"mixed is fine", from + "Content-Type: multipart/mixed; boundary=x", ""},
		{"precedence bulk", from + "Precedence: bulk", "Precedence: bulk"},
		{"precedence junk", from + "Precedence: JUNK", "Precedence: junk"},
		{"precedence list", from + "Precedence: list", "Precedence: list"},
		{"precedence first-class", from + "Precedence: first-class", ""},
		{"loop header", from + "X-Connectord-Loop: anything", "X-Connectord-Loop"},
		{"loop header empty value", from + "X-Connectord-Loop:", "X-Connectord-Loop"},
		{"x-autoreply", from + "X-Autoreply: yes", "X-Autoreply"},
		{"x-autorespond", from + "X-Autorespond: vacation", "X-Autorespond"},
		{"x-autoreply no", from + "X-Autoreply: no", ""},
		{"suppress all", from + "X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All"},
		{"suppress oof in list", from + "X-Auto-Response-Suppress: DR, OOF, AutoReply", "X-Auto-Response-Suppress"},
		{"suppress autoreply", from + "X-Auto-Response-Suppress: AutoReply", "X-Auto-Response-Suppress"},
		{"suppress receipts only", from + "X-Auto-Response-Suppress: DR, RN, NRN", ""},
		{"suppress none", from + "X-Auto-Response-Suppress: None", ""},
		{"mailing list", from + "List-Id: Staff <staff.lists.nhs.net>", "List-Id"},
		{"list-unsubscribe", from + "List-Unsubscribe: <mailto:leave@lists.nhs.net>", "mailing list message (List-Unsubscribe)"},
		{"list-post", from + "List-Post: <mailto:staff@lists.nhs.net>", "List-Post"},
		{"list-help lower case", from + "list-help: <mailto:help@lists.nhs.net>", "List-Help"},
		{"list-owner", from + "List-Owner: <mailto:owner@lists.nhs.net>", "List-Owner"},
		{"list-archive", from + "List-Archive: <https://lists.nhs.net/staff>", "List-Archive"},
		{"not a list header", from + "Listed-By: x", ""},
		{"precedence auto_reply", from + "Precedence: auto_reply", "Precedence: auto_reply"},
		{"own address", "From: Connector <Connector.Data@NHS.net>", "our own address connector.data@nhs.net"},
		{"own address among several", "From: a@nhs.net, connector.data@nhs.net", "our own address"},
		{"mailer-daemon", "From: Mail Delivery System <MAILER-DAEMON@mx.nhs.net>", "mail system address mailer-daemon@mx.nhs.net"},
		{"postmaster", "From: postmaster@nhs.net", "mail system address"},
		{"exchange system mailbox", "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@nhs.net>", "mail system address"},
		{"mailer-daemon in unparsable from", "From: <MAILER-DAEMON@mx.nhs.net", "mail system address"},
		{"postmaster as display name only", `From: "postmaster" <alice@nhs.net>`, ""},
		// Not ours: the long s (U+017F) folds to s only under Unicode rules.
		{"look-alike of our own address", "From: connector.data@nh\u017f.net", ""},
	}
	p := testPolicy()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AutomaticReason(parseHeader(t, tc.header), p)
			checkText(t, "AutomaticReason", got, tc.want)
		})
	}
}

func TestAutomaticReasonNoLoopHeaderConfigured(t *testing.T) {
	p := testPolicy()
	p.LoopHeader = ""
	if got := AutomaticReason(parseHeader(t, "From: a@nhs.net\nX-Connectord-Loop: 1"), p); got != "" {
		t.Errorf("AutomaticReason = %q, want empty", got)
	}
}
