package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"connectord/store"
)

// active is where the keyboard's focus is: "main:ID" inside the main
// content, "out:ID" elsewhere.
func (p *page) active() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](
		`(document.activeElement.closest('main') ? 'main:' : 'out:') + (document.activeElement.id || document.activeElement.className)`))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// tab presses Tab.
func (p *page) tab() {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		p.t.Fatal(err)
	}
}

// A keyboard user: the skip link comes first and shows its focus, the
// decision is the first stop in a preview's main content, the refused
// rejection's summary links to the box, and reloading it posts nothing.
func TestBrowserKeyboard(t *testing.T) {
	browser := startBrowser(t)
	f := newRichFixture(t)
	rita := f.page(t, browser)
	rita.signIn(reviewerName, testPassword)
	rita.open(fmt.Sprintf("/review/%d", f.small))
	rita.tab()
	if got := rita.active(); got != "out:nhsuk-skip-link" {
		t.Fatalf("the first Tab is on %q, want the skip link", got)
	}
	shown, err := chromedp.Run(rita.ctx, chromedp.Evaluate[bool](`(s => s.outlineStyle !== 'none' || s.boxShadow !== 'none')(getComputedStyle(document.activeElement))`))
	if err != nil || !shown {
		t.Errorf("the focused skip link shows no focus (outline or shadow): %v", err)
	}
	var first string
	for i := 1; i <= 30 && first == ""; i++ {
		rita.tab()
		if a := rita.active(); strings.HasPrefix(a, "main:") {
			first = a
			t.Logf("the first stop in the main content is Tab %d after the skip link", i)
		}
	}
	if first != "main:approve" {
		t.Errorf("the first stop in a preview's main content is %q, want the Approve button", first)
	}

	rita.open(fmt.Sprintf("/review/%d/reject", f.small))
	if st := rita.submit("#confirm-yes"); st != http.StatusOK {
		t.Fatalf("reject without a reason: status %d", st)
	}
	if err := chromedp.Do(rita.ctx, chromedp.Click(`#error-summary a[href="#reason-text"]`, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	if got := rita.active(); got != "main:reason-text" {
		t.Errorf("the error summary's link leads to %q, want the reason box", got)
	}
	if _, err := chromedp.Run(rita.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if title := rita.title(); strings.HasPrefix(title, "Error:") || !strings.HasPrefix(title, "Reject densham.csv") {
		t.Errorf("the refused form reloaded: title %q, want the plain form again (the refusal was a redirect)", title)
	}
	if s := f.submission(t, f.small); s.State != store.StateHeld {
		t.Errorf("after the reload: %s, want held", s.State)
	}
}

// An operator pages through the roster, and retries a mail the
// recipient's server refused only after the warning says why.
func TestBrowserRosterPagesAndRetryWarning(t *testing.T) {
	browser := startBrowser(t)
	f := newRichFixture(t)
	for i := range rosterShown + 2 {
		if err := f.st.PutSender(t.Context(), fmt.Sprintf("sender.%02d@nhs.net", i), []string{"RR8"}, operatorName, f.now()); err != nil {
			t.Fatal(err)
		}
	}
	oscar := f.page(t, browser)
	oscar.signIn(operatorName, testPassword)
	oscar.open("/roster")
	if st := oscar.submit("#page-older"); st != http.StatusOK {
		t.Fatalf("the roster's next page: status %d", st)
	}
	oscar.contains("#roster", "sender.51@nhs.net")
	oscar.check("")

	oscar.open("/outbox?state=failed")
	oscar.contains("#mail-list", "The recipient's mail server says the address does not exist.", "550 5.1.1")
	if st := oscar.submit(fmt.Sprintf(`a[href="/outbox/%d/retry"]`, f.failed.ID)); st != http.StatusOK {
		t.Fatalf("retry the refused mail: status %d", st)
	}
	oscar.contains("#confirm-warning", "A retry may not do what you want", "does not exist")
	if st := oscar.submit("#confirm-yes"); st != http.StatusOK {
		t.Fatalf("confirm the retry: status %d", st)
	}
	oscar.contains("#flash", "queued to be sent again")
	if m, err := f.st.OutboxMessage(t.Context(), f.failed.ID); err != nil || m.State != store.OutboxPending {
		t.Errorf("after the confirmed retry: %+v, %v, want pending", m, err)
	}
}
