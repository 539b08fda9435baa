package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

var versionField = regexp.MustCompile(`<input type="hidden" name="version" value="(\d+)">`)

var inputField = regexp.MustCompile(`<input[^>]*\sname="([^"]+)"[^>]*\svalue="([^"]*)"`)

// pageForm returns what a browser would post from the page's form: every input's value (the
// hidden ones included), with the fields of kv set as if typed.
func pageForm(body string, kv ...string) url.Values {
	v := url.Values{}
	for _, m := range inputField.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// formVersion returns the version the client's form carries.
func formVersion(t *testing.T, body string) string {
	t.Helper()
	m := versionField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the client's form carries no version")
	}
	return m[1]
}

// TestEditCompanyStale: the rep and the manager open the same client's form; the rep saves
// first; the manager's save, made from the version both opened, is refused with 409 and the
// form again — a message saying someone else changed the client, the current values and
// version in the fields, and what the manager had typed listed to apply again — and nothing
// of the manager's is stored. Saving that form again goes through. A post without a version
// is refused the same way. Then both post from one version at the same moment, through the
// real server: one is stored, the other gets 409.
func TestEditCompanyStale(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := t.Context()
		s := newPagesSite(t, st)
		co := s.f.Company
		edit := fmt.Sprintf("/companies/%d/edit", co.ID)
		stored := func() storage.Company {
			t.Helper()
			got, err := st.FindCompanyByID(ctx, co.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		rep := s.signIn(t, s.f.Rep1.Email)
		mgr := s.signIn(t, s.f.Manager.Email)
		_, repPage := rep.do("GET", edit, nil)
		_, mgrPage := mgr.do("GET", edit, nil)
		if formVersion(t, repPage) != "1" || formVersion(t, mgrPage) != "1" {
			t.Fatal("the forms do not carry version 1")
		}
		if code, _ := rep.do("POST", edit, pageForm(repPage, "name", "ООО «Ромашка-Север»")); code != http.StatusSeeOther {
			t.Fatalf("the first save: %d, want 303", code)
		}
		code, body := mgr.do("POST", edit, pageForm(mgrPage, "address", "г. Казань, ул. Баумана, д. 1"))
		if code != http.StatusConflict {
			t.Fatalf("the stale save: %d, want 409", code)
		}
		if !strings.Contains(body, `id="form-conflict"`) || !strings.Contains(body, "изменил кто-то другой") {
			t.Errorf("the stale form does not say why: %s", errorText(body))
		}
		if !strings.Contains(body, `id="name" value="ООО «Ромашка-Север»"`) || !strings.Contains(body, `id="address" value="`+co.Address+`"`) {
			t.Error("the stale form does not hold the current values")
		}
		if formVersion(t, body) != "2" {
			t.Errorf("the stale form carries version %s, want the current 2", formVersion(t, body))
		}
		if !strings.Contains(body, `<li data-field="address">Юридический адрес: <span class="yours">г. Казань, ул. Баумана, д. 1</span></li>`) {
			t.Error("the stale form does not list the address the manager typed")
		}
		// The rep's name is no difference of the manager's: only what the manager typed
		// differently from the current values is listed.
		if strings.Contains(body, `data-field="name"`) {
			t.Error("the stale form lists a field the manager did not change")
		}
		if got := stored(); got.Name != "ООО «Ромашка-Север»" || got.Address != co.Address || got.Version != 2 {
			t.Fatalf("after the stale save: %+v", got)
		}
		// Applied again on the form the refusal showed: stored.
		if code, _ := mgr.do("POST", edit, pageForm(body, "address", "г. Казань, ул. Баумана, д. 1")); code != http.StatusSeeOther {
			t.Fatalf("the reapplied save: %d, want 303", code)
		}
		if got := stored(); got.Name != "ООО «Ромашка-Север»" || got.Address != "г. Казань, ул. Баумана, д. 1" || got.Version != 3 {
			t.Fatalf("after the reapplied save: %+v", got)
		}
		// No version: it cannot say what it was made from, so it is stale.
		_, page := rep.do("GET", edit, nil)
		v := pageForm(page, "name", "ООО «Без версии»")
		v.Del("version")
		if code, body := rep.do("POST", edit, v); code != http.StatusConflict || !strings.Contains(body, `id="form-conflict"`) {
			t.Fatalf("a save without a version: %d, want 409 and the message", code)
		}
		if got := stored(); got.Name != "ООО «Ромашка-Север»" || got.Version != 3 {
			t.Fatalf("a save without a version changed the company: %+v", got)
		}

		// The race: both save from the same version at once.
		for round := range 3 {
			version := strconv.FormatInt(stored().Version, 10)
			_, repPage := rep.do("GET", edit, nil)
			_, mgrPage := mgr.do("GET", edit, nil)
			pages := []string{repPage, mgrPage}
			var (
				codes [2]int
				wg    sync.WaitGroup
				gate  = make(chan struct{})
			)
			for i, pc := range []*pagesClient{rep, mgr} {
				form := pageForm(pages[i], "name", fmt.Sprintf("ООО «Гонка %d-%d»", round, i))
				if form.Get("version") != version || form.Get("_csrf") != pc.csrf {
					t.Fatalf("round %d: the form of %d is not at version %s with its CSRF token: %v", round, i, version, form)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					req, err := http.NewRequest("POST", s.url+edit, strings.NewReader(form.Encode()))
					if err != nil {
						return
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					res, err := pc.c.Do(req)
					if err != nil {
						return
					}
					res.Body.Close()
					codes[i] = res.StatusCode
				}()
			}
			close(gate)
			wg.Wait()
			won := -1
			for i, c := range codes {
				switch c {
				case http.StatusSeeOther:
					if won >= 0 {
						t.Fatalf("round %d: both saves from version %s were stored", round, version)
					}
					won = i
				case http.StatusConflict:
				default:
					t.Fatalf("round %d: save %d answered %d", round, i, c)
				}
			}
			if won < 0 {
				t.Fatalf("round %d: neither save was stored", round)
			}
			if got := stored(); got.Name != fmt.Sprintf("ООО «Гонка %d-%d»", round, won) || strconv.FormatInt(got.Version-1, 10) != version {
				t.Fatalf("round %d: stored %+v, the winner was %d from version %s", round, got, won, version)
			}
		}
	})
}
