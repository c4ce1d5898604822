package web

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// -screenshots writes PNGs of the main pages to docs/screenshots (run it
// after scripts/console-assets.sh, so they show the NHS.UK look).
var screenshots = flag.Bool("screenshots", false, "write screenshots of the main pages to docs/screenshots")

const chromiumPath = "/usr/bin/chromium"

// startBrowser starts Debian's Chromium, headless, with a fresh profile and
// background networking off, for the rest of the test. Without Chromium the
// test skips, except under CI (CI set), where it fails: CI never skips the
// browser tests silently.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing and CI is set: the browser tests must run in CI (scripts/test.sh installs Debian's chromium)", chromiumPath)
		}
		t.Skipf("%s is not installed: skipping the browser tests (scripts/test.sh installs it; CI fails instead of skipping)", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	// A bound on the whole browser: a hang fails the test instead of
	// holding it until go test's own timeout.
	actx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(actx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// page is one tab in a browser context of its own (its own cookies), so
// several people can be signed in at once.
type page struct {
	t   *testing.T
	f   *fixture
	ctx context.Context
}

func (f *fixture) page(t *testing.T, browser context.Context) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return &page{t: t, f: f, ctx: ctx}
}

// open navigates to a console path and returns the status.
func (p *page) open(path string) int64 {
	p.t.Helper()
	resp, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(p.f.url+path))
	if err != nil {
		p.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit clicks a button that submits a form and waits for the page it
// leads to; it returns that page's status.
func (p *page) submit(sel string) int64 {
	p.t.Helper()
	return status(p.t, sel, func() (*network.Response, error) {
		return chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	})
}

func status(t *testing.T, what string, f func() (*network.Response, error)) int64 {
	t.Helper()
	resp, err := f()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return resp.Status
}

// fill types into a form field, replacing what it holds.
func (p *page) fill(sel, value string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.CSS(sel), value, chromedp.NodeVisible)); err != nil {
		p.t.Fatalf("fill %s: %v", sel, err)
	}
}

// waitFor bounds a wait for an element of a page already loaded: one
// that is not there fails the test, not the whole browser's deadline.
const waitFor = 20 * time.Second

// text is the visible text of the first element sel matches, once visible.
func (p *page) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// contains checks that sel's text holds every want.
func (p *page) contains(sel string, want ...string) {
	p.t.Helper()
	got := p.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			p.t.Errorf("%s: want %q in %q", sel, w, got)
		}
	}
}

// signIn fills in the sign-in form and returns the status of the page
// that follows.
func (p *page) signIn(name, password string) int64 {
	p.t.Helper()
	p.open("/login")
	p.fill("#name", name)
	p.fill("#password", password)
	return p.submit("#sign-in")
}

// check audits the page with axe-core (no violation of WCAG 2.2 AA at all,
// and no serious or critical one of best practice) and, with
// -screenshots, saves it as docs/screenshots/NAME.png.
func (p *page) check(name string) {
	p.t.Helper()
	p.axe(name)
	if *screenshots && name != "" {
		png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			p.t.Fatalf("screenshot %s: %v", name, err)
		}
		dir := filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			p.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}

// axeSource is axe-core, installed by scripts/console-assets.sh (npm ci).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("..", "node_modules", "axe-core", "axe.min.js"))
	return string(b), err
})

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Tags   []string `json:"tags"`
	Nodes  []string `json:"nodes"`
}

// wcag reports whether a violation breaks a WCAG success criterion (not
// only a best practice).
func (v axeViolation) wcag() bool {
	for _, tag := range v.Tags {
		if strings.HasPrefix(tag, "wcag") {
			return true
		}
	}
	return false
}

const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
	resultTypes: ['violations'],
}).then(r => JSON.stringify(r.violations.map(v => ({
	id: v.id, impact: v.impact, help: v.help, tags: v.tags,
	nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.html.slice(0, 160)),
}))))`

func (p *page) axe(name string) {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		if os.Getenv("CI") != "" {
			p.t.Fatalf("axe-core is missing (%v) and CI is set: run scripts/console-assets.sh first", err)
		}
		p.t.Logf("axe-core is not installed (scripts/console-assets.sh installs it): %s not audited", name)
		return
	}
	if err := chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		p.t.Fatalf("load axe-core on %s: %v", name, err)
	}
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("axe-core on %s: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		p.t.Fatalf("axe-core on %s: %v", name, err)
	}
	for _, v := range vs {
		msg := v.ID + " (" + v.Impact + "): " + v.Help + "\n\t" + strings.Join(v.Nodes, "\n\t")
		if v.wcag() || v.Impact == "serious" || v.Impact == "critical" {
			p.t.Errorf("axe-core, page %s: %s", name, msg)
		} else {
			p.t.Logf("axe-core, page %s, minor: %s", name, msg)
		}
	}
}

// overflow is how much wider than the screen the page is. It compares
// with screen.width, not innerWidth: mobile emulation may widen the
// layout viewport (and so innerWidth) to fit a page too wide, which can
// hide the overflow.
func (p *page) overflow() int {
	p.t.Helper()
	over, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](
		`Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - screen.width`))
	if err != nil {
		p.t.Fatal(err)
	}
	return over
}

// fitsWidth checks that the page does not scroll sideways on the screen.
func (p *page) fitsWidth(name string) {
	p.t.Helper()
	if over := p.overflow(); over > 0 {
		p.t.Errorf("%s is %d px wider than the screen", name, over)
	}
	p.tablesFit(name)
}

// tableOverflow is how far the widest responsive table of the page
// scrolls in its box: a responsive table (one row a card on a phone) must
// fit, or its Result and Detail are off to the side. The NHS.UK table is
// 4 px wider than its box by design.
func (p *page) tableOverflow() int {
	p.t.Helper()
	over, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`Math.ceil(Math.max(0, ...[...document.querySelectorAll('.nhsuk-table-responsive')].map(t =>
		t.getBoundingClientRect().width - t.parentElement.clientWidth - 4)))`))
	if err != nil {
		p.t.Fatal(err)
	}
	return over
}

// tablesFit checks that every responsive table fits its box.
func (p *page) tablesFit(name string) {
	p.t.Helper()
	if over := p.tableOverflow(); over > 0 {
		p.t.Errorf("%s: a table is %d px wider than its box: its last columns are off to the side", name, over)
	}
}

// narrow emulates a phone: a 375 px screen.
func (p *page) narrow() {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile)); err != nil {
		p.t.Fatal(err)
	}
}

// wide goes back to a desktop window.
func (p *page) wide() {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		p.t.Fatal(err)
	}
}

// title is the page's title.
func (p *page) title() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Title())
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// eval runs a script on the page.
func (p *page) eval(js string) error {
	return chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](js))
}

// evalInt runs a script that returns a number.
func (p *page) evalInt(js string) (int, error) {
	return chromedp.Run(p.ctx, chromedp.Evaluate[int](js))
}
