package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// siteClock is the store's clock; tests move it past the cool-down.
type siteClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *siteClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *siteClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// trainingSite is a real server — API, pages and the training wiring — on a seeded store whose
// pipeline gates the first stage (research) behind its test.
type trainingSite struct {
	st       *storage.Store
	f        *storagetest.Fixture
	pipeline *workflow.Pipeline
	deal     workflow.Deal
	clock    *siteClock
	url      string
}

// sitePassword is every seeded user's password.
const sitePassword = "обучение-2026"

func newTrainingSite(t *testing.T, st *storage.Store, tr *web.Training) *trainingSite {
	t.Helper()
	ctx := context.Background()
	f := storagetest.Seed(t, st)
	clock := &siteClock{t: time.Now().UTC().Truncate(time.Second)}
	st.Now = clock.Now
	st.TrainingPassedFunc = st.TrainingPassed
	hash, err := api.HashPassword(sitePassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []storagetest.User{f.Admin, f.Manager, f.Rep1, f.Rep2} {
		if err := st.UpdateUser(ctx, u.ID, nil, nil, &hash, nil); err != nil {
			t.Fatal(err)
		}
	}
	src := string(templates.DefaultPipeline())
	const at = "    requires:\n      - company: valid\n"
	if !strings.Contains(src, at) {
		t.Fatal("the default pipeline changed: the research stage's requirement was not found")
	}
	p := storagetest.SavePipeline(t, st, []byte(strings.Replace(src, at, "    training_gate: true\n"+at, 1)))
	d := storagetest.CreateDeal(t, st, p, f.Company.ID, f.Rep1, "Поставка компрессоров — ООО «Ромашка»")

	srv := api.NewServer(st, storagetest.Logger(t))
	srv.Extra = append(srv.Extra, api.TrainingRoutes)
	w, err := web.Register(srv)
	if err != nil {
		t.Fatal(err)
	}
	// The test moves the store's clock by a day and more; the session must outlive that.
	w.SessionTTL = 60 * 24 * time.Hour
	web.AddTraining(w, tr)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &trainingSite{st: st, f: f, pipeline: p, deal: d, clock: clock, url: hs.URL}
}

// answersFor returns, for the stored attempt, the options to pick so that exactly the first
// `right` questions are answered correctly: question id → option ids.
func (s *trainingSite) answersFor(t *testing.T, attemptID int64, right int) (order []string, picks map[string][]string) {
	t.Helper()
	a, err := s.st.FindTrainingAttempt(context.Background(), attemptID)
	if err != nil {
		t.Fatal(err)
	}
	picks = map[string][]string{}
	for i, q := range a.Attempt.Questions {
		order = append(order, q.ID)
		if i < right {
			picks[q.ID] = slices.Clone(q.Correct)
			continue
		}
		for _, o := range q.Options {
			if !slices.Contains(q.Correct, o.ID) {
				picks[q.ID] = []string{o.ID}
				break
			}
		}
	}
	return order, picks
}

// browserless is a signed-in HTTP client for page tests without a browser.
type browserless struct {
	t    *testing.T
	c    *http.Client
	base string
	// last is the path of the page the last request ended on (after redirects).
	last string
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (s *trainingSite) signIn(t *testing.T, email string) *browserless {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browserless{t: t, c: &http.Client{Jar: jar}, base: s.url}
	code, body := b.post("/login", url.Values{"email": {email}, "password": {sitePassword}})
	if code != http.StatusOK || strings.Contains(body, `id="login-error"`) {
		t.Fatalf("sign in as %s: %d", email, code)
	}
	return b
}

func (b *browserless) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	b.last = res.Request.URL.Path
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

// post sends a form (with the session's CSRF token, read from a page) and follows redirects.
func (b *browserless) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	if path != "/login" && form.Get("_csrf") == "" {
		_, page := b.get("/training")
		m := csrfRE.FindStringSubmatch(page)
		if m == nil {
			b.t.Fatal("no CSRF token on /training")
		}
		form.Set("_csrf", m[1])
	}
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	b.last = res.Request.URL.Path
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}
