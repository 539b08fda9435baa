package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api/web"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

var attemptPathRE = regexp.MustCompile(`^/training/attempts/(\d+)$`)

// startTest starts the stage's test from the training page and returns the attempt id.
func startTest(t *testing.T, b *browserless, stage string) int64 {
	t.Helper()
	code, body := b.post("/training/stages/"+stage+"/start", url.Values{})
	m := attemptPathRE.FindStringSubmatch(b.last)
	if code != http.StatusOK || m == nil || !strings.Contains(body, `id="test-form"`) {
		t.Fatalf("start %s: %d, ended on %s", stage, code, b.last)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// submitTest posts the test form with the picks.
func submitTest(t *testing.T, b *browserless, id int64, picks map[string][]string) (int, string) {
	t.Helper()
	form := url.Values{}
	for q, opts := range picks {
		form["q:"+q] = opts
	}
	return b.post(fmt.Sprintf("/training/attempts/%d", id), form)
}

func TestTrainingPageNeverShowsAnswersBeforeSubmission(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		s := newTrainingSite(t, st, nil)
		b := s.signIn(t, s.f.Rep1.Email)
		id := startTest(t, b, "meeting")
		_, page := b.get(fmt.Sprintf("/training/attempts/%d", id))
		a, err := st.FindTrainingAttempt(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range a.Attempt.Questions {
			if strings.Contains(page, q.Explanation) || strings.Contains(page, template.HTMLEscapeString(q.Explanation)) {
				t.Fatalf("the explanation of %s is on the open test page", q.ID)
			}
			// Every option is offered the same way: nothing marks the correct ones.
			inputs := regexp.MustCompile(`<input type="(radio|checkbox)" name="q:`+regexp.QuoteMeta(q.ID)+`" value="([^"]+)" id="q\d+-[^"]+" data-q="[^"]+" data-o="[^"]+">`).FindAllStringSubmatch(page, -1)
			if len(inputs) != len(q.Options) {
				t.Fatalf("question %s: %d uniform inputs for %d options", q.ID, len(inputs), len(q.Options))
			}
		}
		for _, marker := range []string{"верный ответ", "data-correct", "Пояснение", `class="ok"`} {
			if strings.Contains(page, marker) {
				t.Fatalf("the open test page contains %q", marker)
			}
		}
		if cc := pageHeader(t, b, fmt.Sprintf("/training/attempts/%d", id), "Cache-Control"); cc != "no-store" {
			t.Fatalf("the test page may be cached: Cache-Control %q", cc)
		}

		// After submission (6 of 10) the result shows the score and the explanations.
		_, picks := s.answersFor(t, id, 6)
		code, result := submitTest(t, b, id, picks)
		if code != http.StatusOK || b.last != fmt.Sprintf("/training/attempts/%d", id) {
			t.Fatalf("submit: %d, ended on %s", code, b.last)
		}
		if !strings.Contains(result, `data-passed="false" data-percent="60"`) || !strings.Contains(result, "6 из 10 · 60 % · не сдан") {
			t.Fatal("the result page does not show 6 of 10, 60 %, failed")
		}
		if !strings.Contains(result, template.HTMLEscapeString(a.Attempt.Questions[0].Explanation)) {
			t.Fatal("the result page lacks the explanations")
		}
		// A replayed form changes nothing and says so.
		code, again := submitTest(t, b, id, func() map[string][]string { _, p := s.answersFor(t, id, 10); return p }())
		if code != http.StatusOK || !strings.Contains(again, "уже отправлена") || !strings.Contains(again, `data-percent="60"`) {
			t.Fatalf("replay: %d", code)
		}
		// The retake waits for the cool-down.
		_, home := b.get("/training")
		if !strings.Contains(home, `class="muted next-at">пересдача после`) {
			t.Fatal("the training page does not say when the retake is possible")
		}
		code, _ = b.post("/training/stages/meeting/start", url.Values{})
		if b.last != "/training" {
			t.Fatalf("a start in the cool-down went to %s (%d)", b.last, code)
		}
	})
}

func pageHeader(t *testing.T, b *browserless, path, name string) string {
	t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.Header.Get(name)
}

func TestTrainingResultsForManagers(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		var s *trainingSite
		tr := &web.Training{GapFunc: func(ctx context.Context, userID int64) (map[string]web.TrainingGap, error) {
			if userID == s.f.Rep1.ID {
				return map[string]web.TrainingGap{"research": {Text: "−12 п. п.", Behind: true}}, nil
			}
			return nil, nil
		}}
		s = newTrainingSite(t, st, tr)
		rep1, rep2 := s.signIn(t, s.f.Rep1.Email), s.signIn(t, s.f.Rep2.Email)
		id := startTest(t, rep1, "research")
		_, p := s.answersFor(t, id, 9)
		submitTest(t, rep1, id, p)
		id2 := startTest(t, rep2, "meeting")
		_, p = s.answersFor(t, id2, 2)
		submitTest(t, rep2, id2, p)

		mgr := s.signIn(t, s.f.Manager.Email)
		code, page := mgr.get("/training")
		if code != http.StatusOK || !strings.Contains(page, `id="results-table"`) {
			t.Fatalf("manager's training page: %d", code)
		}
		cell := func(userID int64, stage string) string {
			t.Helper()
			row := regexp.MustCompile(`(?s)<tr data-user="` + strconv.FormatInt(userID, 10) + `">.*?</tr>`).FindString(page)
			c := regexp.MustCompile(`(?s)<td class="cell" data-stage="` + stage + `".*?</td>`).FindString(row)
			if c == "" {
				t.Fatalf("no cell for user %d, stage %s", userID, stage)
			}
			return c
		}
		if c := cell(s.f.Rep1.ID, "research"); !strings.Contains(c, `data-result="passed"`) || !strings.Contains(c, "90 %") || !strings.Contains(c, "Δ −12 п. п.") || !strings.Contains(c, "gap error") {
			t.Fatalf("rep 1 × research: %s", c)
		}
		if c := cell(s.f.Rep1.ID, "meeting"); !strings.Contains(c, `data-result="none"`) || !strings.Contains(c, "Δ —") {
			t.Fatalf("rep 1 × meeting: %s", c)
		}
		if c := cell(s.f.Rep2.ID, "meeting"); !strings.Contains(c, `data-result="failed"`) || !strings.Contains(c, "20 %") || !strings.Contains(c, "badge lost") || !strings.Contains(c, "Δ —") {
			t.Fatalf("rep 2 × meeting: %s", c)
		}
		// A manager opens a rep's result; a rep sees no one else's.
		if code, res := mgr.get(fmt.Sprintf("/training/attempts/%d", id)); code != http.StatusOK || !strings.Contains(res, `data-percent="90"`) {
			t.Fatalf("manager opens rep 1's result: %d", code)
		}
		if code, _ := rep2.get(fmt.Sprintf("/training/attempts/%d", id)); code != http.StatusNotFound {
			t.Fatalf("rep 2 opens rep 1's result: %d", code)
		}
		_, own := rep1.get("/training")
		if strings.Contains(own, `id="results-table"`) || !strings.Contains(own, `data-stage="research" >`) && !strings.Contains(own, `data-stage="research">`) {
			t.Fatal("the rep's page shows the results of everyone, or not their own tests")
		}
		if code, _ := rep1.get("/admin/training"); code != http.StatusForbidden {
			t.Fatalf("a rep opens the bank editor: %d", code)
		}
	})
}

func TestTrainingResultsWithoutStatisticsShowDash(t *testing.T) {
	t.Parallel()
	s := newTrainingSite(t, storagetest.NewStore(t, storage.SQLite), nil)
	_, page := s.signIn(t, s.f.Manager.Email).get("/training")
	if !strings.Contains(page, `id="gap-note"`) || strings.Count(page, "Δ —") < 15 {
		t.Fatal("without a GapFunc every gap must show as — with a note")
	}
}

func TestTrainingAdminEditsTheBankAndPolicy(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		s := newTrainingSite(t, st, nil)
		admin := s.signIn(t, s.f.Admin.Email)
		code, page := admin.get("/admin/training")
		if code != http.StatusOK || !strings.Contains(page, "key: research") || !strings.Contains(page, "поставляемый по умолчанию") {
			t.Fatalf("admin page: %d", code)
		}
		src, _, err := st.TrainingBankSource(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// A broken edit: the page names the line and shows it; the text is kept.
		lines := strings.Split(string(src), "\n")
		bad := -1
		for i, l := range lines {
			if strings.TrimSpace(l) == "kind: multiple" {
				lines[i] = strings.Replace(l, "multiple", "many", 1)
				bad = i + 1
				break
			}
		}
		broken := strings.Join(lines, "\r\n") // as a browser sends a textarea
		code, page = admin.post("/admin/training/bank", url.Values{"yaml": {broken}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, `id="bank-problems"`) ||
			!strings.Contains(page, fmt.Sprintf(`data-line="%d"`, bad)) || !strings.Contains(page, fmt.Sprintf("строка %d</b>", bad)) ||
			!strings.Contains(page, fmt.Sprintf("%d│ %s", bad, template.HTMLEscapeString(lines[bad-1]))) {
			t.Fatalf("broken bank: %d; want line %d named and shown", code, bad)
		}
		if !strings.Contains(page, "kind: many") {
			t.Fatal("the editor lost the admin's text")
		}
		if vs, _ := st.FindTrainingBankVersions(context.Background()); len(vs) != 0 {
			t.Fatal("a broken bank was stored")
		}
		// A good edit is stored, exported and imported again.
		edited := "# правка администратора\n" + strings.Replace(string(src), "title: Встреча\n", "title: Встреча с клиентом\n", 1)
		code, page = admin.post("/admin/training/bank", url.Values{"yaml": {edited}})
		if code != http.StatusOK || !strings.Contains(page, "сохранён как новая версия") || !strings.Contains(page, "Версия банка: 1") {
			t.Fatalf("save: %d", code)
		}
		res, err := admin.c.Get(admin.base + "/admin/training/bank.yaml")
		if err != nil {
			t.Fatal(err)
		}
		exported, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(exported) != edited || !strings.Contains(res.Header.Get("Content-Disposition"), `attachment; filename="training-bank-v1.yaml"`) {
			t.Fatalf("export: %q", res.Header.Get("Content-Disposition"))
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_, csrfPage := admin.get("/admin/training")
		mw.WriteField("_csrf", csrfRE.FindStringSubmatch(csrfPage)[1])
		fw, _ := mw.CreateFormFile("file", "bank.yaml")
		fw.Write(exported)
		mw.Close()
		res, err = admin.c.Post(admin.base+"/admin/training/bank", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		imported, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(imported), "Банк не изменился") {
			t.Fatalf("import of the export: %d", res.StatusCode)
		}

		// The policy form: a bad value is marked, a good one stored.
		form := url.Values{"pass_percent": {"abc"}, "questions_per_test": {"10"}, "time_limit_minutes": {"0"}, "cooldown_hours": {"24"}, "max_attempts": {"0"}, "valid_months": {"12"}}
		code, page = admin.post("/admin/training/policy", form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, `<label class="invalid">Проходной балл`) {
			t.Fatalf("bad pass mark: %d", code)
		}
		form.Set("pass_percent", "90")
		form.Set("cooldown_hours", "1,5")
		form.Set("time_limit_minutes", "30")
		if code, _ = admin.post("/admin/training/policy", form); code != http.StatusOK {
			t.Fatalf("save policy: %d", code)
		}
		got, err := st.TrainingSettings(context.Background())
		if err != nil || got.PassPercent != 90 || got.Cooldown.Minutes() != 90 || got.TimeLimit.Minutes() != 30 {
			t.Fatalf("stored policy: %+v, %v", got, err)
		}
	})
}
