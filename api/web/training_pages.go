package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/training"
	"github.com/dealgate/dealgate/workflow"
)

// Training serves the training pages: /training (a rep's tests; for managers and admins also
// the results of every rep), /training/attempts/{id} (the test form, then the result with the
// explanations) and /admin/training (the question bank editor and the test policy).
type Training struct {
	// GapFunc, when set, returns a rep's funnel gap to the norm per stage key, shown next to
	// the rep's test results (the statistics package provides it). Unset, or a stage missing
	// from its answer, shows "—".
	GapFunc func(ctx context.Context, userID int64) (map[string]TrainingGap, error)
}

// TrainingGap is a rep's gap to the norm at one stage, ready for display.
type TrainingGap struct {
	// Text is shown as it is, e.g. "−12 п. п." or "+3 п. п.".
	Text string
	// Behind marks a gap that puts the rep behind the norm (shown in red).
	Behind bool
}

// TrainingNav is the navigation item of the training pages. /training answers every signed-in
// role (the auditor reads it without taking tests), so every role sees the item.
var TrainingNav = NavItem{Href: "/training", Key: "nav.training", Roles: workflow.Roles, Order: 40}

// AddTraining adds the training pages and their navigation item to w, the *Web that Register
// returned (cmd/dealgate does it through its webHooks), so that every page shows the item.
// Call it before the server's Handler is first used.
func AddTraining(w *Web, t *Training) {
	if t == nil {
		t = &Training{}
	}
	w.Nav = append(w.Nav, TrainingNav)
	w.AddPages(func(w *Web, g *echo.Group) {
		takers := api.RequireRole(workflow.RoleAdmin, workflow.RoleManager, workflow.RoleRep, workflow.RoleBackoffice)
		admin := api.RequireRole(workflow.RoleAdmin)
		g.GET("/training", func(c echo.Context) error { return t.handleHome(w, c) })
		g.POST("/training/stages/:key/start", func(c echo.Context) error { return t.handleStart(w, c) }, takers)
		g.POST("/training/course/start", func(c echo.Context) error { return t.handleStart(w, c) }, takers)
		g.GET("/training/attempts/:id", func(c echo.Context) error { return t.handleAttempt(w, c) })
		g.POST("/training/attempts/:id", func(c echo.Context) error { return t.handleSubmit(w, c) }, takers)
		g.GET("/admin/training", func(c echo.Context) error { return t.handleAdmin(w, c) }, admin)
		g.POST("/admin/training/bank", func(c echo.Context) error { return t.handleBankSave(w, c) }, admin)
		g.GET("/admin/training/bank.yaml", func(c echo.Context) error { return t.handleBankExport(w, c) }, admin)
		g.POST("/admin/training/policy", func(c echo.Context) error { return t.handlePolicySave(w, c) }, admin)
	})
}

// pageLang is the language of the request (the session's, else the language cookie's).
func pageLang(c echo.Context) string {
	if s, ok := c.Get(ctxSession).(storage.Session); ok && s.Lang == "en" {
		return "en"
	}
	if l, err := c.Cookie("dealgate_lang"); err == nil && l.Value == "en" {
		return "en"
	}
	return "ru"
}

// trainingStage is a test the pages offer: a pipeline stage (or the full course) and its bank
// part.
type trainingStage struct {
	Key       string // "" for the full course
	Course    bool
	No        int
	Name      workflow.Names
	Gated     bool
	Questions int // questions that can be drawn
}

// trainingStages lists the stages of the current pipeline that the bank has questions for, then
// bank stages the pipeline does not have.
func (t *Training) trainingStages(w *Web, ctx context.Context) ([]trainingStage, error) {
	bank, _, err := w.store.TrainingBank(ctx)
	if err != nil {
		return nil, err
	}
	drawable := func(key string) int {
		st, ok := bank.Stage(key)
		if !ok {
			return 0
		}
		n := 0
		for _, q := range st.Questions {
			if !q.Retired {
				n++
			}
		}
		return n
	}
	var out []trainingStage
	seen := map[string]bool{}
	p, err := w.store.CurrentPipeline(ctx, w.srv.PipelineKey)
	if err != nil && workflow.Code(err) != workflow.ENOTFOUND {
		return nil, err
	}
	if p != nil {
		for i, st := range p.Stages {
			out = append(out, trainingStage{Key: st.Key, No: i + 1, Name: st.Name, Gated: st.TrainingGate, Questions: drawable(st.Key)})
			seen[st.Key] = true
		}
	}
	for _, key := range bank.StageKeys() {
		if seen[key] {
			continue
		}
		st, _ := bank.Stage(key)
		name := workflow.Names{Ru: st.Title, En: st.TitleEN}
		if name.Ru == "" {
			name.Ru = key
		}
		if name.En == "" {
			name.En = name.Ru
		}
		out = append(out, trainingStage{Key: key, No: len(out) + 1, Name: name, Questions: drawable(key)})
	}
	return out, nil
}

// trainingRow is one test on a user's training page.
type trainingRow struct {
	Stage       trainingStage
	Last        *storage.TrainingAttempt
	Percent     int
	PassedUntil time.Time
	Open        *storage.TrainingAttempt
	CanStart    bool
	NextAt      time.Time
	Attempts    int
	StartURL    string
}

// trainingCell is one rep × stage cell of the managers' results table.
type trainingCell struct {
	Stage     string
	AttemptID int64
	Has       bool
	Percent   int
	Correct   int
	Total     int
	Passed    bool
	Expired   bool
	At        time.Time
	Gap       TrainingGap
	HasGap    bool
}

// trainingRepRow is one rep's line of the results table.
type trainingRepRow struct {
	User  storage.User
	Cells []trainingCell
}

type trainingHomePage struct {
	Stages []trainingStage
	// Rows are the stage tests, then the full course.
	Rows             []trainingRow
	CanTake          bool
	Managers         bool
	Reps             []trainingRepRow
	Settings         storage.TrainingSettings
	TimeLimitMinutes int64
	GapHooked        bool
}

func (t *Training) handleHome(w *Web, c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	stages, err := t.trainingStages(w, ctx)
	if err != nil {
		return err
	}
	settings, err := w.store.TrainingSettings(ctx)
	if err != nil {
		return err
	}
	page := trainingHomePage{Stages: stages, Settings: settings, CanTake: u.Role != workflow.RoleAuditor,
		Managers: u.Role == workflow.RoleManager || u.Role == workflow.RoleAdmin, GapHooked: t.GapFunc != nil,
		TimeLimitMinutes: int64(settings.TimeLimit / time.Minute)}
	keys := make([]string, 0, len(stages)+1)
	for _, st := range stages {
		keys = append(keys, st.Key)
	}
	keys = append(keys, storage.TrainingCourse)
	status, err := w.store.TrainingStatus(ctx, u.ID, keys)
	if err != nil {
		return err
	}
	for i, ss := range status {
		row := trainingRow{Last: ss.Last, PassedUntil: ss.PassedUntil, Open: ss.Open, CanStart: ss.CanStart, NextAt: ss.NextAt, Attempts: ss.Attempts}
		if ss.Last != nil {
			row.Percent = api.TrainingPercent(ss.Last.Correct, ss.Last.Total)
		}
		if i < len(stages) {
			row.Stage = stages[i]
			row.StartURL = "/training/stages/" + stages[i].Key + "/start"
		} else {
			row.Stage = trainingStage{Course: true, Name: workflow.Names{Ru: "Полный курс (вопросы всех этапов)", En: "Full course (questions from every stage)"}, Questions: 1}
			row.StartURL = "/training/course/start"
		}
		page.Rows = append(page.Rows, row)
	}
	if page.Managers {
		if page.Reps, err = t.results(w, c, stages, settings); err != nil {
			return err
		}
	}
	return w.render(c, http.StatusOK, "training", translate(pageLang(c), "nav.training"), page)
}

// results builds the managers' table: every rep (and every other user with a result) × stage.
func (t *Training) results(w *Web, c echo.Context, stages []trainingStage, settings storage.TrainingSettings) ([]trainingRepRow, error) {
	ctx := c.Request().Context()
	rows, err := w.srv.TrainingResults(c, nil)
	if err != nil {
		return nil, err
	}
	users, err := w.store.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	byUser := map[int64]map[string]api.TrainingResultRow{}
	for _, r := range rows {
		if byUser[r.UserID] == nil {
			byUser[r.UserID] = map[string]api.TrainingResultRow{}
		}
		byUser[r.UserID][r.Stage] = r
	}
	var out []trainingRepRow
	for _, u := range users {
		if (u.Role != workflow.RoleRep || u.Disabled) && byUser[u.ID] == nil {
			continue
		}
		var gaps map[string]TrainingGap
		if t.GapFunc != nil {
			if gaps, err = t.GapFunc(ctx, u.ID); err != nil {
				return nil, err
			}
		}
		rr := trainingRepRow{User: u}
		for _, st := range stages {
			cell := trainingCell{Stage: st.Key}
			if r, ok := byUser[u.ID][st.Key]; ok {
				cell.Has, cell.AttemptID, cell.Correct, cell.Total, cell.Percent, cell.Passed, cell.At =
					true, r.AttemptID, r.Correct, r.Total, r.Percent, r.Passed, r.SubmittedAt
				cell.Expired = r.Passed && r.ValidUntil == nil
			}
			if g, ok := gaps[st.Key]; ok && g.Text != "" {
				cell.Gap, cell.HasGap = g, true
			}
			rr.Cells = append(rr.Cells, cell)
		}
		out = append(out, rr)
	}
	return out, nil
}

func (t *Training) handleStart(w *Web, c echo.Context) error {
	u, _ := api.CurrentUser(c)
	stage := storage.TrainingCourse
	if strings.HasSuffix(c.Path(), "/stages/:key/start") {
		stage = c.Param("key")
	}
	a, _, err := w.store.StartTrainingAttempt(c.Request().Context(), u.ID, stage)
	var wait *storage.TrainingWaitError
	switch {
	case errors.As(err, &wait):
		if wait.NextAt.IsZero() {
			flash(c, "training.no_attempts")
		} else {
			flash(c, "training.wait")
		}
		return c.Redirect(http.StatusSeeOther, "/training")
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/training/attempts/"+strconv.FormatInt(a.ID, 10))
}

// trainingAttemptPage is the test form (Test set) or the result (Result set).
type trainingAttemptPage struct {
	ID        int64
	StageName workflow.Names
	Test      *api.TrainingTestJSON
	Result    *api.TrainingResultJSON
	Own       bool
	Error     string
	NextAt    time.Time
	CanStart  bool
	Settings  storage.TrainingSettings
	PassedFor time.Time
}

func (t *Training) attemptPage(w *Web, c echo.Context, a storage.TrainingAttempt) (*trainingAttemptPage, error) {
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	page := &trainingAttemptPage{ID: a.ID, Own: a.UserID == u.ID,
		StageName: workflow.Names{Ru: "Полный курс", En: "Full course"}}
	if a.Attempt.Stage != storage.TrainingCourse {
		page.StageName = workflow.Names{Ru: a.Attempt.Stage, En: a.Attempt.Stage}
		stages, err := t.trainingStages(w, ctx)
		if err != nil {
			return nil, err
		}
		for _, st := range stages {
			if st.Key == a.Attempt.Stage {
				page.StageName = st.Name
			}
		}
	}
	if r, ok := api.TrainingResultView(a); ok {
		page.Result = &r
		if page.Own {
			status, err := w.store.TrainingStatus(ctx, a.UserID, []string{a.Attempt.Stage})
			if err != nil {
				return nil, err
			}
			page.CanStart, page.NextAt, page.PassedFor = status[0].CanStart, status[0].NextAt, status[0].PassedUntil
		}
		return page, nil
	}
	if page.Own {
		v := api.TrainingTestView(a, false)
		page.Test = &v
	}
	return page, nil
}

func (t *Training) handleAttempt(w *Web, c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return workflow.ErrNotFound
	}
	a, err := w.srv.LoadTrainingAttempt(c, id)
	if err != nil {
		return err
	}
	page, err := t.attemptPage(w, c, a)
	if err != nil {
		return err
	}
	// The questions of an open attempt are the rep's own: no cache may keep them.
	c.Response().Header().Set("Cache-Control", "no-store")
	return w.render(c, http.StatusOK, "training_attempt", translate(pageLang(c), "training.test"), page)
}

// formAnswers collects the answers of the test form: fields named "q:<question id>", one
// value per chosen option.
func formAnswers(c echo.Context) (map[string][]string, error) {
	params, err := c.FormParams()
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for k, vs := range params {
		id, ok := strings.CutPrefix(k, "q:")
		if !ok {
			continue
		}
		for _, v := range vs {
			if v != "" {
				out[id] = append(out[id], v)
			}
		}
	}
	return out, nil
}

func (t *Training) handleSubmit(w *Web, c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return workflow.ErrNotFound
	}
	u, _ := api.CurrentUser(c)
	answers, err := formAnswers(c)
	if err != nil {
		return workflow.Invalid("answers", "the answers could not be read")
	}
	a, _, err := w.store.SubmitTrainingAttempt(c.Request().Context(), id, u.ID, answers)
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/training/attempts/"+strconv.FormatInt(id, 10))
	case errors.Is(err, training.ErrAlreadySubmitted):
		flash(c, "training.already")
		return c.Redirect(http.StatusSeeOther, "/training/attempts/"+strconv.FormatInt(id, 10))
	case errors.Is(err, training.ErrLate), errors.Is(err, training.ErrInvalidAnswer):
		page, perr := t.attemptPage(w, c, a)
		if perr != nil {
			return perr
		}
		page.Error = "training.invalid"
		if errors.Is(err, training.ErrLate) {
			page.Error = "training.late"
			page.Test = nil
		}
		return w.render(c, http.StatusConflict, "training_attempt", translate(pageLang(c), "training.test"), page)
	}
	return err
}

// ---- admin ----

// bankProblem is one problem of an edited bank, with the text of its line.
type bankProblem struct {
	training.Problem
	Source string
}

type trainingAdminPage struct {
	YAML     string
	Version  storage.TrainingBankVersion
	Versions []storage.TrainingBankVersion
	Problems []bankProblem
	Settings storage.TrainingSettings
	// Policy form values as typed (minutes, hours) and the field in error.
	TimeLimitMinutes int64
	CooldownHours    float64
	PolicyError      string
	PolicyField      string
	Stages           int
}

func (t *Training) adminPage(w *Web, c echo.Context, yaml []byte) (*trainingAdminPage, error) {
	ctx := c.Request().Context()
	src, v, err := w.store.TrainingBankSource(ctx)
	if err != nil {
		return nil, err
	}
	if yaml == nil {
		yaml = src
	}
	page := &trainingAdminPage{YAML: string(yaml), Version: v}
	if page.Versions, err = w.store.FindTrainingBankVersions(ctx); err != nil {
		return nil, err
	}
	if page.Settings, err = w.store.TrainingSettings(ctx); err != nil {
		return nil, err
	}
	if bank, _, err := w.store.TrainingBank(ctx); err == nil {
		page.Stages = len(bank.StageKeys())
	}
	page.TimeLimitMinutes = int64(page.Settings.TimeLimit / time.Minute)
	page.CooldownHours = page.Settings.Cooldown.Hours()
	return page, nil
}

func (t *Training) handleAdmin(w *Web, c echo.Context) error {
	page, err := t.adminPage(w, c, nil)
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "training_admin", translate(pageLang(c), "training.admin"), page)
}

func (t *Training) handleBankExport(w *Web, c echo.Context) error {
	src, v, err := w.store.TrainingBankSource(c.Request().Context())
	if err != nil {
		return err
	}
	name := "training-bank-shipped.yaml"
	if !v.Shipped() {
		name = "training-bank-v" + strconv.Itoa(v.Version) + ".yaml"
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", src)
}

func (t *Training) handleBankSave(w *Web, c echo.Context) error {
	var src []byte
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		if src, err = io.ReadAll(io.LimitReader(f, training.MaxFileSize+1)); err != nil {
			return err
		}
	} else {
		// Browsers send textarea lines with CRLF.
		src = []byte(strings.ReplaceAll(c.FormValue("yaml"), "\r\n", "\n"))
	}
	u, _ := api.CurrentUser(c)
	v, saved, err := w.store.SaveTrainingBank(c.Request().Context(), src, &u.ID)
	var be *training.BankError
	switch {
	case errors.As(err, &be):
		page, perr := t.adminPage(w, c, src)
		if perr != nil {
			return perr
		}
		lines := bytes.Split(src, []byte("\n"))
		for _, p := range be.Problems {
			bp := bankProblem{Problem: p}
			if p.Line > 0 && p.Line <= len(lines) {
				bp.Source = strings.TrimRight(string(lines[p.Line-1]), "\r")
			}
			page.Problems = append(page.Problems, bp)
		}
		return w.render(c, http.StatusUnprocessableEntity, "training_admin", translate(pageLang(c), "training.admin"), page)
	case err != nil:
		return err
	}
	if saved {
		flash(c, "training.bank_saved")
	} else {
		flash(c, "training.bank_same")
	}
	_ = v
	return c.Redirect(http.StatusSeeOther, "/admin/training")
}

func (t *Training) handlePolicySave(w *Web, c echo.Context) error {
	ctx := c.Request().Context()
	cur, err := w.store.TrainingSettings(ctx)
	if err != nil {
		return err
	}
	next := cur
	bad := ""
	num := func(field string, into *int) {
		v, err := strconv.Atoi(strings.TrimSpace(c.FormValue(field)))
		if err != nil && bad == "" {
			bad = field
			return
		}
		*into = v
	}
	num("pass_percent", &next.PassPercent)
	num("questions_per_test", &next.QuestionsPerTest)
	num("max_attempts", &next.MaxAttempts)
	num("valid_months", &next.ValidMonths)
	var minutes int
	num("time_limit_minutes", &minutes)
	next.TimeLimit = time.Duration(minutes) * time.Minute
	hours, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(c.FormValue("cooldown_hours")), ",", "."), 64)
	if err != nil && bad == "" {
		bad = "cooldown_hours"
	}
	next.Cooldown = time.Duration(hours * float64(time.Hour)).Round(time.Second)
	if bad == "" {
		u, _ := api.CurrentUser(c)
		err = w.store.SaveTrainingSettings(ctx, next, &u.ID)
		if err == nil {
			flash(c, "training.policy_saved")
			return c.Redirect(http.StatusSeeOther, "/admin/training#policy")
		}
		var we *workflow.Error
		if !errors.As(err, &we) || we.Code != workflow.EINVALID {
			return err
		}
		bad = we.Field
	}
	page, err := t.adminPage(w, c, nil)
	if err != nil {
		return err
	}
	page.Settings = next
	page.TimeLimitMinutes, page.CooldownHours = int64(next.TimeLimit/time.Minute), hours
	switch bad {
	case "time_limit_seconds":
		bad = "time_limit_minutes"
	case "cooldown_seconds":
		bad = "cooldown_hours"
	}
	page.PolicyField, page.PolicyError = bad, "training.policy_invalid"
	return w.render(c, http.StatusUnprocessableEntity, "training_admin", translate(pageLang(c), "training.admin"), page)
}

func init() {
	AddMessages(map[string][2]string{
		"training.title":           {"Обучение и тесты по этапам", "Training and stage tests"},
		"training.pass_mark":       {"Проходной балл", "Pass mark"},
		"training.questions":       {"Вопросов в тесте", "Questions per test"},
		"training.cooldown":        {"Пересдача не раньше чем через, ч", "Retake after, hours"},
		"training.time_limit":      {"Ограничение времени, мин (0 — без ограничения)", "Time limit, minutes (0: none)"},
		"training.max_attempts":    {"Попыток на тест (0 — без ограничения)", "Attempts per test (0: unlimited)"},
		"training.valid_months":    {"Срок действия сданного теста, мес.", "A pass is valid for, months"},
		"training.my_tests":        {"Мои тесты", "My tests"},
		"training.stage":           {"Этап", "Stage"},
		"training.last":            {"Последний результат", "Last result"},
		"training.valid":           {"Действует до", "Valid until"},
		"training.gated":           {"нужен для перевода сделки", "required to move deals"},
		"training.start":           {"Начать тест", "Start the test"},
		"training.continue":        {"Продолжить", "Continue"},
		"training.retake":          {"Пройти снова", "Take again"},
		"training.next_at":         {"пересдача после", "retake after"},
		"training.no_more":         {"попытки исчерпаны", "no attempts left"},
		"training.no_questions":    {"нет вопросов", "no questions"},
		"training.passed":          {"сдан", "passed"},
		"training.failed":          {"не сдан", "failed"},
		"training.expired":         {"срок истёк", "expired"},
		"training.never":           {"не сдавался", "not taken"},
		"training.results":         {"Результаты продавцов", "Reps' results"},
		"training.rep":             {"Продавец", "Rep"},
		"training.gap":             {"разрыв с нормой", "gap to the norm"},
		"training.gap_none":        {"Разрыв с нормой по воронке появится, когда подключат статистику.", "The funnel gap to the norm appears once statistics are connected."},
		"training.no_reps":         {"Продавцов пока нет.", "No reps yet."},
		"training.test":            {"Тест", "Test"},
		"training.of":              {"из", "of"},
		"training.need":            {"для зачёта нужно верных ответов:", "correct answers needed to pass:"},
		"training.deadline":        {"Ответы принимаются до", "Answers are accepted until"},
		"training.single":          {"один вариант", "one option"},
		"training.multiple":        {"все верные варианты", "every correct option"},
		"training.submit":          {"Отправить ответы", "Submit the answers"},
		"training.result":          {"Результат", "Result"},
		"training.your_answer":     {"ваш ответ", "your answer"},
		"training.right_answer":    {"верный ответ", "correct answer"},
		"training.explanation":     {"Пояснение", "Explanation"},
		"training.back":            {"К списку тестов", "Back to the tests"},
		"training.in_progress":     {"Попытка ещё не завершена.", "The attempt is not finished yet."},
		"training.wait":            {"Пересдача пока недоступна: дождитесь окончания перерыва между попытками (время указано в таблице).", "The retake is not available yet: wait for the break between attempts to end (the time is in the table)."},
		"training.no_attempts":     {"Попытки по этому тесту исчерпаны. Обратитесь к администратору.", "No attempts are left at this test. Ask an administrator."},
		"training.already":         {"Эта попытка уже отправлена; повторная отправка не засчитывается.", "This attempt was already submitted; a second submission does not count."},
		"training.late":            {"Время на тест истекло — ответы не приняты. Начните новую попытку после перерыва.", "The time for the test ran out — the answers were not accepted. Start a new attempt after the break."},
		"training.invalid":         {"Ответы не приняты: форма устарела. Обновите страницу и ответьте снова.", "The answers were not accepted: the form is out of date. Reload the page and answer again."},
		"training.course":          {"Полный курс", "Full course"},
		"training.admin":           {"Обучение: банк вопросов и правила тестов", "Training: question bank and test rules"},
		"training.bank":            {"Банк вопросов (YAML)", "Question bank (YAML)"},
		"training.bank_version":    {"Версия банка", "Bank version"},
		"training.shipped":         {"поставляемый по умолчанию", "shipped default"},
		"training.bank_save":       {"Проверить и сохранить", "Check and save"},
		"training.bank_export":     {"Экспорт YAML", "Export YAML"},
		"training.bank_import":     {"Импорт из файла", "Import from a file"},
		"training.bank_problems":   {"Банк не сохранён — исправьте ошибки:", "The bank was not saved — fix these problems:"},
		"training.line":            {"строка", "line"},
		"training.bank_saved":      {"Банк вопросов сохранён как новая версия.", "The question bank was saved as a new version."},
		"training.bank_same":       {"Банк не изменился — новая версия не создана.", "The bank did not change — no new version was made."},
		"training.policy":          {"Правила тестов", "Test rules"},
		"training.policy_save":     {"Сохранить правила", "Save the rules"},
		"training.policy_saved":    {"Правила тестов сохранены; они действуют для новых попыток.", "The test rules were saved; they apply to new attempts."},
		"training.policy_invalid":  {"Правила не сохранены: проверьте отмеченное поле.", "The rules were not saved: check the marked field."},
		"training.versions":        {"История версий", "Versions"},
		"training.stages_count":    {"этапов", "stages"},
		"training.questions_count": {"вопросов", "questions"},
	})
}
