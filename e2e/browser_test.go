package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// findChromium returns the Chromium binary: the real one behind Debian's wrapper script
// (/usr/bin/chromium adds flags of its own and prints noise), else one on the PATH.
func findChromium() string {
	if fi, err := os.Stat("/usr/lib/chromium/chromium"); err == nil && !fi.IsDir() {
		return "/usr/lib/chromium/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needTools returns Chromium's path. The test is skipped when Chromium is missing, except
// under CI=true; pdftotext (poppler-utils) must then be there too, or the test fails.
func needTools(t *testing.T) string {
	t.Helper()
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("the browser test needs chromium (apt-get install chromium); CI=true does not allow skipping it")
		}
		t.Skip("chromium is not installed; the browser test needs it (apt-get install chromium)")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("the browser test reads the downloaded PDF with pdftotext: apt-get install poppler-utils")
	}
	return chromium
}

// artifactsDir is where screenshots go: $DEALGATE_TEST_ARTIFACTS, or e2e/screenshots.
func artifactsDir(t *testing.T, sub string) string {
	t.Helper()
	base := os.Getenv("DEALGATE_TEST_ARTIFACTS")
	if base == "" {
		base = "screenshots"
	}
	dir := filepath.Join(base, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A run replaces the pictures of the previous one.
	old, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	return dir
}

// tab is one browser tab driven by a test, with helpers that fail the test with a screenshot
// of the page as it was.
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	dl    string
	n     int
	out   *bytes.Buffer
}

// openBrowser starts headless Chromium with the flags that worked on this kind of machine
// (LIBRARY-NOTES §5) and a 1366×768 window.
func openBrowser(t *testing.T, chromium, base, shots string) *tab {
	t.Helper()
	var out bytes.Buffer
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "ru-RU"),
		chromedp.WindowSize(1366, 768),
		chromedp.CombinedOutput(&out),
	)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancel := context.WithTimeout(ctx, 6*time.Minute)
	t.Cleanup(func() {
		cancel()
		cancelTab()
		cancelAlloc()
	})
	b := &tab{t: t, ctx: ctx, base: base, shots: shots, dl: t.TempDir(), out: &out}
	t.Cleanup(func() {
		if t.Failed() && out.Len() > 0 {
			t.Logf("chromium output:\n%s", out.String())
		}
	})
	// The first action starts the browser, which lives as long as the context it gets: so it
	// runs on the test's context, not on a step's shorter one.
	yes := true
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: b.dl, EventsEnabled: &yes})
		return err
	})); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// stepTimeout bounds one step, so that a page that never shows what a step waits for fails
// the test at once, with a screenshot, instead of at the test's deadline.
const stepTimeout = 20 * time.Second

// do runs actions; on an error it saves a screenshot named after the step and fails.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + nonWord.ReplaceAllString(strings.ToLower(what), "-"))
		b.t.Fatalf("%s: %v (at %s)", what, err, b.location())
	}
}

// open loads a page of the site and waits for an element of it.
func (b *tab) open(path, wait string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(wait)))
}

// click clicks an element that loads a new page and waits for the page's load event and for
// an element of the new page.
func (b *tab) click(sel, wait string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		b.shot("failed-click-" + nonWord.ReplaceAllString(sel, "-"))
		b.t.Fatalf("click %s: %v (at %s)", sel, err, b.location())
	}
	b.do("wait for "+wait+" after clicking "+sel, chromedp.WaitVisible(chromedp.CSS(wait)))
}

// press clicks an element that changes the page in place.
func (b *tab) press(sel string) {
	b.t.Helper()
	b.do("press "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// set puts a value into an input, select or textarea and fires the input and change events,
// as typing and choosing do.
func (b *tab) set(sel, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(function(sel, v) {
		var el = document.querySelector(sel);
		if (!el) return false;
		el.value = v;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return el.value === v;
	})(%s, %s)`, jsString(sel), jsString(value))
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		b.shot("failed-set-" + nonWord.ReplaceAllString(sel, "-"))
		b.t.Fatalf("set %s to %q: ok %v, %v (at %s)", sel, value, ok, err, b.location())
	}
}

// fill sets several fields: selector, value, selector, value…
func (b *tab) fill(kv ...string) {
	b.t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		b.set(kv[i], kv[i+1])
	}
}

// typeIn types text into an input key by key.
func (b *tab) typeIn(sel, text string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// eval evaluates JavaScript and returns its value.
func eval[T any](b *tab, js string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// text returns the text of the first element matching sel ("" when there is none).
func (b *tab) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(function(e){ return e ? e.textContent.replace(/\s+/g, " ").trim() : ""; })(document.querySelector(%s))`, jsString(sel)))
}

// value returns the value of the first input matching sel.
func (b *tab) value(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(function(e){ return e ? e.value : ""; })(document.querySelector(%s))`, jsString(sel)))
}

// has reports whether an element matches sel.
func (b *tab) has(sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)))
}

func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(function(e){ return e ? (e.getAttribute(%s) || "") : ""; })(document.querySelector(%s))`, jsString(name), jsString(sel)))
}

func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return v
}

// status fetches a URL of the site from the page (with the page's cookies) and returns the
// status and the first bytes of the body.
func (b *tab) status(path string) (int, string) {
	b.t.Helper()
	var r struct {
		Status int    `json:"status"`
		Head   string `json:"head"`
		Type   string `json:"type"`
	}
	raw := eval[[]byte](b, fmt.Sprintf(`fetch(%s, {credentials: "same-origin"}).then(async r => {
		const buf = new Uint8Array(await r.arrayBuffer());
		return {status: r.status, type: r.headers.get("content-type") || "", head: String.fromCharCode(...buf.slice(0, 8))};
	})`, jsString(path)), chromedp.EvalAwaitPromise)
	if err := json.Unmarshal(raw, &r); err != nil {
		b.t.Fatalf("fetch %s: %v (%s)", path, err, raw)
	}
	return r.Status, r.Type + " " + r.Head
}

// shot saves a screenshot of the whole page as NN-name.png.
func (b *tab) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// A full-page capture draws a sticky bar where the viewport ends; pin it to the page's end.
	// (The page's policy forbids style elements; a style property set from a script is fine.)
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ document.querySelectorAll(".formbar").forEach(function(e){ e.style.position = "static"; }); return true; })()`))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ document.querySelectorAll(".formbar").forEach(function(e){ e.style.position = ""; }); return true; })()`))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.n++
	file := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// viewport sets the page size (1366×768 laptop, 1024×768 tablet).
func (b *tab) viewport(w, h int64) {
	b.t.Helper()
	b.do(fmt.Sprintf("viewport %dx%d", w, h), chromedp.EmulateViewport(w, h))
}

// download clicks a link that downloads a file and returns the file's bytes and its
// suggested name.
func (b *tab) download(sel, urlPart string) ([]byte, string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	begins := chromedp.Events(ctx, browser.DownloadWillBegin)
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	b.press(sel)
	var guid, name string
	for ev, err := range begins {
		if err != nil {
			b.t.Fatalf("download %s: %v", sel, err)
		}
		if strings.Contains(ev.URL, urlPart) {
			guid, name = ev.GUID, ev.SuggestedFilename
			break
		}
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("download %s: %v", sel, err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			b.t.Fatalf("download %s was cancelled", sel)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(b.dl, guid))
	if err != nil {
		b.t.Fatalf("download %s: %v", sel, err)
	}
	return data, name
}

// signIn signs in on the sign-in page and waits for the landing page.
func (b *tab) signIn(email, password, wait string) {
	b.t.Helper()
	b.open("/login", "#login-form")
	b.fill("#email", email, "#password", password)
	b.click("#login-submit", wait)
}

// signOut signs out.
func (b *tab) signOut() {
	b.t.Helper()
	b.click("#logout", "#login-form")
}

// chromedpSetUpload chooses a file for a file input.
func chromedpSetUpload(sel, file string) chromedp.Action[chromedp.Void] {
	return chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// savePicture saves a PNG made outside the browser (a PDF page) among the screenshots.
func (b *tab) savePicture(name string, png []byte) {
	b.n++
	if err := os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name)), png, 0o644); err != nil {
		b.t.Logf("save %s: %v", name, err)
	}
}
