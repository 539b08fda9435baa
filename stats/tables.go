package stats

import (
	"fmt"
	"strings"
	"time"
)

func col(key string, lang, ru, en string, k Kind) Column {
	return Column{Key: key, Title: tr(lang, ru, en), Kind: k}
}

func ratioNum(r Ratio) Num {
	if !r.Valid() {
		return NaN
	}
	return Num(r.Value())
}

func normOf(ns *NormSet, key string) (conv, days Num) {
	if ns == nil {
		return NaN, NaN
	}
	if sn := ns.Stage(key); sn != nil {
		return sn.Conversion, sn.Days
	}
	return NaN, NaN
}

// StageTable is a rep's (or the team's) stage figures with the norms.
func StageTable(tableName string, rs *RepStats, ns *NormSet, lang string) Table {
	t := Table{Name: tableName, Title: tr(lang, "Этапы", "Stages"), Columns: []Column{
		col("no", lang, "№", "No.", KInt), col("stage", lang, "Этап", "Stage", KText),
		col("entered", lang, "Вошло", "Entered", KInt), col("entered_amount", lang, "Вошло, ₽", "Entered, RUB", KMoney),
		col("advanced", lang, "Перешло дальше", "Advanced", KInt), col("skipped", lang, "Пропущено", "Skipped", KInt),
		col("lost", lang, "Проиграно", "Lost", KInt), col("open", lang, "В работе", "Open", KInt),
		col("conversion", lang, "Конверсия в следующий, %", "Conversion to next, %", KPercent),
		col("norm", lang, "Норма, %", "Norm, %", KPercent),
		col("to_won", lang, "Конверсия в выигрыш, %", "Conversion to won, %", KPercent),
		col("days_median", lang, "Дней на этапе, медиана", "Days in stage, median", KFloat),
		col("days_p90", lang, "Дней, 90-й перцентиль", "Days, 90th percentile", KFloat),
		col("days_norm", lang, "Норма дней", "Norm days", KFloat),
	}}
	for i, s := range rs.Stages {
		nc, nd := normOf(ns, s.Key)
		t.Rows = append(t.Rows, []any{i + 1, name(lang, s.Name), s.Entered, s.EnteredAmount, s.Passed(), s.Skipped, s.Lost, s.Open,
			ratioNum(s.Conversion), nc, ratioNum(s.ToWon), s.Days.Median, s.Days.P90, nd})
	}
	return t
}

// RepsTable is every rep's deals and activity.
func RepsTable(r *Report, lang string) Table {
	t := Table{Name: "reps", Title: tr(lang, "Продавцы: сделки, деньги, активность", "Reps: deals, money, activity"), Columns: []Column{
		col("rep", lang, "Продавец", "Rep", KText), col("created", lang, "Создано сделок", "Deals created", KInt),
		col("won", lang, "Выиграно", "Won", KInt), col("lost", lang, "Проиграно", "Lost", KInt),
		col("win_rate", lang, "Доля выигранных, %", "Win rate, %", KPercent),
		col("turnover", lang, "Оборот, ₽", "Turnover, RUB", KMoney), col("profit", lang, "Прибыль, ₽", "Profit, RUB", KMoney),
		col("margin", lang, "Маржа, %", "Margin, %", KPercent), col("avg_deal", lang, "Средняя сделка, ₽", "Average deal, RUB", KMoney),
		col("cycle", lang, "Цикл сделки, дней (медиана)", "Cycle, days (median)", KFloat),
		col("calls_week", lang, "Звонков в неделю", "Calls a week", KFloat), col("meetings_week", lang, "Встреч в неделю", "Meetings a week", KFloat),
		col("emails_week", lang, "Писем в неделю", "E-mails a week", KFloat), col("proposals_week", lang, "КП в неделю", "Proposals a week", KFloat),
	}}
	add := func(rs *RepStats) {
		d, a := rs.Deals, rs.Activity
		t.Rows = append(t.Rows, []any{rs.Rep.Display(), d.Created, d.Won, d.Lost, ratioNum(d.WinRate), d.Turnover, d.Profit, d.Margin, d.AvgDeal,
			d.Cycle.Median, a.CallsPerWeek, a.MeetingsPerWeek, a.EmailsPerWeek, a.ProposalsPerWeek})
	}
	for i := range r.Reps {
		add(&r.Reps[i])
	}
	if len(r.Filter.RepIDs) == 0 { // filtered to some reps, the "team" is just them
		add(&r.Team)
		t.Rows[len(t.Rows)-1][0] = tr(lang, "Команда", "Team")
	}
	return t
}

// HeatmapTable is the stage × rep conversion matrix.
func HeatmapTable(r *Report, ns *NormSet, lang string) Table {
	t := Table{Name: "heatmap", Title: tr(lang, "Конверсия по этапам и продавцам", "Conversion by stage and rep"),
		Columns: []Column{col("rep", lang, "Продавец", "Rep", KText)}}
	for i, s := range r.Stages {
		t.Columns = append(t.Columns, Column{Key: s.Key, Title: fmt.Sprintf("%d. %s, %%", i+1, name(lang, s.Name)), Kind: KPercent})
	}
	if ns != nil {
		row := []any{tr(lang, "Норма", "Norm")}
		for _, s := range r.Stages {
			c, _ := normOf(ns, s.Key)
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	all := r.Reps
	if len(r.Filter.RepIDs) == 0 {
		all = append(append([]RepStats(nil), r.Reps...), r.Team)
	}
	for _, rs := range all {
		row := []any{rs.Rep.Display()}
		if rs.Rep.ID == 0 {
			row[0] = tr(lang, "Команда", "Team")
		}
		for _, s := range rs.Stages {
			row = append(row, ratioNum(s.Conversion))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ReasonsTable lists the lost reasons per stage.
func ReasonsTable(rs *RepStats, lang string) Table {
	t := Table{Name: "reasons", Title: tr(lang, "Причины проигрыша по этапам", "Lost reasons by stage"), Columns: []Column{
		col("stage", lang, "Этап", "Stage", KText), col("reason", lang, "Причина", "Reason", KText), col("lost", lang, "Проиграно", "Lost", KInt),
		col("share", lang, "Доля на этапе, %", "Share at the stage, %", KPercent)}}
	for _, s := range rs.Stages {
		for _, r := range s.LostReasons {
			t.Rows = append(t.Rows, []any{name(lang, s.Name), r.Reason, r.N, ratioNum(Ratio{r.N, s.Lost})})
		}
	}
	return t
}

// MonthsTable is the monthly trend.
func MonthsTable(months []Month, lang string) Table {
	t := Table{Name: "months", Title: tr(lang, "Помесячно", "Monthly"), Columns: []Column{
		col("month", lang, "Месяц", "Month", KText), col("created", lang, "Создано сделок", "Deals created", KInt),
		col("won", lang, "Выиграно", "Won", KInt), col("lost", lang, "Проиграно", "Lost", KInt),
		col("turnover", lang, "Оборот, ₽", "Turnover, RUB", KMoney), col("profit", lang, "Прибыль, ₽", "Profit, RUB", KMoney)}}
	for _, m := range months {
		t.Rows = append(t.Rows, []any{m.Month, m.Created, m.Won, m.Lost, m.Turnover, m.Profit})
	}
	return t
}

// WeakestTable names the rep furthest behind at each stage.
func WeakestTable(ws []Weakest, lang string) Table {
	t := Table{Name: "weakest", Title: tr(lang, "Кто больше всего отстаёт на каждом этапе", "Who falls furthest behind at each stage"), Columns: []Column{
		col("stage", lang, "Этап", "Stage", KText), col("rep", lang, "Продавец", "Rep", KText),
		col("conversion", lang, "Конверсия, %", "Conversion, %", KPercent), col("passed", lang, "Прошло", "Passed", KInt),
		col("decided", lang, "Решено", "Decided", KInt), col("norm", lang, "Норма, %", "Norm, %", KPercent)}}
	for _, w := range ws {
		t.Rows = append(t.Rows, []any{name(lang, w.Name), w.Rep.Display(), ratioNum(w.Rate), w.Rate.Num, w.Rate.Den, w.Norm})
	}
	return t
}

// GapSummaryTable is each rep's costliest stage.
func GapSummaryTable(gaps []RepGaps, lang string) Table {
	t := Table{Name: "behind", Title: tr(lang, "Где продавцы теряют сделки", "Where reps lose deals"), Columns: []Column{
		col("rep", lang, "Продавец", "Rep", KText), col("stage", lang, "Дороже всего обходится этап", "Costliest stage", KText),
		col("conversion", lang, "Конверсия, %", "Conversion, %", KPercent), col("norm", lang, "Норма, %", "Norm, %", KPercent),
		col("gap", lang, "Отставание, п. п.", "Gap, pp", KFloat), col("significant", lang, "Значимо", "Significant", KText),
		col("lost_beyond", lang, "Сделок сверх нормы", "Deals beyond the norm", KFloat),
		col("value", lang, "Маржа этапа, ₽", "Margin at the stage, RUB", KMoney),
		col("total", lang, "Маржа всех отставаний, ₽", "Margin of all gaps, RUB", KMoney),
		col("sentence", lang, "Вывод", "Finding", KText)}}
	for i := range gaps {
		g := &gaps[i]
		row := []any{g.Rep.Display(), "", NaN, NaN, NaN, "", NaN, nil, g.TotalValue(), name(lang, g.Sentence)}
		if w := g.WorstStage(); w != nil {
			row[1], row[2], row[3], row[4], row[5], row[6], row[7] = name(lang, w.Name), ratioNum(w.Rate), w.Norm, w.GapPP, yesNo(w.Significant, lang), w.LostBeyond, w.Value
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func yesNo(b bool, lang string) string {
	if b {
		return tr(lang, "да", "yes")
	}
	return tr(lang, "нет", "no")
}

// GapTable is one rep's stages against the norms.
func GapTable(g *RepGaps, lang string) Table {
	t := Table{Name: "gaps", Title: tr(lang, "Этапы против нормы", "Stages against the norm"), Columns: []Column{
		col("no", lang, "№", "No.", KInt), col("stage", lang, "Этап", "Stage", KText),
		col("conversion", lang, "Конверсия, %", "Conversion, %", KPercent), col("passed", lang, "Прошло", "Passed", KInt), col("decided", lang, "Решено", "Decided", KInt),
		col("norm", lang, "Норма, %", "Norm, %", KPercent), col("gap", lang, "Отставание, п. п.", "Gap, pp", KFloat),
		col("lo", lang, "Вильсон 95 %: от, %", "Wilson 95 %: low, %", KPercent), col("hi", lang, "до, %", "high, %", KPercent),
		col("significant", lang, "Значимо", "Significant", KText), col("lost_beyond", lang, "Сделок сверх нормы", "Deals beyond the norm", KFloat),
		col("value", lang, "Потерянная маржа, ₽", "Margin lost, RUB", KMoney),
		col("days", lang, "Дней (медиана)", "Days (median)", KFloat), col("days_norm", lang, "Норма дней", "Norm days", KFloat),
		col("reason", lang, "Главная причина проигрыша", "Main lost reason", KText)}}
	for _, s := range g.Stages {
		reason := ""
		if len(s.Reasons) > 0 {
			reason = fmt.Sprintf("%s (%d)", s.Reasons[0].Reason, s.Reasons[0].N)
		}
		sig := ""
		if s.GapPP.OK() {
			sig = yesNo(s.Significant, lang)
		}
		t.Rows = append(t.Rows, []any{s.Index + 1, name(lang, s.Name), ratioNum(s.Rate), s.Rate.Num, s.Rate.Den, s.Norm, s.GapPP, s.Lo, s.Hi,
			sig, s.LostBeyond, s.Value, s.Days, s.DaysNorm, reason})
	}
	return t
}

// ActivityTable is a rep's weekly activity against the activity norms.
func ActivityTable(g *RepGaps, lang string) Table {
	t := Table{Name: "activity", Title: tr(lang, "Активность в неделю против нормы", "Weekly activity against the norm"), Columns: []Column{
		col("what", lang, "Показатель", "Measure", KText), col("total", lang, "Всего за период", "In the period", KInt),
		col("per_week", lang, "В неделю", "A week", KFloat), col("norm", lang, "Норма в неделю", "Norm a week", KFloat)}}
	a, n := g.Activity, g.Norms
	t.Rows = [][]any{
		{tr(lang, "Звонки", "Calls"), a.Calls, a.CallsPerWeek, n.CallsPerWeek},
		{tr(lang, "Встречи", "Meetings"), a.Meetings, a.MeetingsPerWeek, n.MeetingsPerWeek},
		{tr(lang, "Письма", "E-mails"), a.Emails, a.EmailsPerWeek, n.EmailsPerWeek},
		{tr(lang, "Отправлено КП", "Proposals sent"), a.Proposals, a.ProposalsPerWeek, n.ProposalsPerWeek},
	}
	return t
}

// NormTable lists the stage norms with how each was derived.
func NormTable(ns *NormSet, lang string, withBest bool) Table {
	t := Table{Name: "norms", Title: tr(lang, "Нормы по этапам", "Stage norms"), Columns: []Column{
		col("no", lang, "№", "No.", KInt), col("stage", lang, "Этап", "Stage", KText),
		col("conversion", lang, "Норма конверсии, %", "Conversion norm, %", KPercent), col("method", lang, "Как получена", "Method", KText),
		col("team", lang, "Команда, %", "Team, %", KPercent), col("skip", lang, "Доля пропусков, %", "Skipped, %", KPercent),
		col("days", lang, "Норма дней", "Norm days", KFloat)}}
	if withBest {
		t.Columns = append(t.Columns, col("best", lang, "Лучшие продавцы: прошло/решено → сглажено", "Best reps: passed/decided → shrunk", KText))
	}
	for _, s := range ns.Stages {
		row := []any{s.Index + 1, name(lang, s.Name), s.Conversion, methodName(s, lang), s.TeamRate, s.SkipShare, s.Days}
		if withBest {
			var parts []string
			for _, b := range s.Best {
				mark := ""
				if !b.Used {
					mark = "*"
				}
				parts = append(parts, fmt.Sprintf("%s %d/%d → %s%s", b.Name, b.Num, b.Den, Pct(float64(b.Shrunk)), mark))
			}
			row = append(row, strings.Join(parts, "; "))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// methodName explains a norm's method in words.
func methodName(s StageNorm, lang string) string {
	var m string
	switch s.Method {
	case MethodMedianBest:
		m = tr(lang, "медиана лучших (сглажено)", "median of the best (shrunk)")
	case MethodPooledBest:
		m = tr(lang, "лучшие вместе: мало сделок", "best reps pooled: few deals")
	case MethodTeam:
		m = tr(lang, "по команде", "team rate")
	case MethodManual:
		m = tr(lang, "задана вручную", "set by hand")
	default:
		m = "—"
	}
	if s.Capped {
		m += tr(lang, ", ограничена 98 %", ", capped at 98 %")
	}
	return m
}

// MethodName is methodName for the pages.
func MethodName(s StageNorm, lang string) string { return methodName(s, lang) }

// RankingTable is the ranking by profit and by turnover.
func RankingTable(ns *NormSet, lang string) Table {
	t := Table{Name: "ranking", Title: tr(lang, "Прибыль и оборот: кто лучший", "Profit and turnover: who is best"), Columns: []Column{
		col("rep", lang, "Продавец", "Rep", KText), col("won", lang, "Выиграно", "Won", KInt),
		col("turnover", lang, "Оборот, ₽", "Turnover, RUB", KMoney), col("profit", lang, "Прибыль, ₽", "Profit, RUB", KMoney),
		col("margin", lang, "Маржа, %", "Margin, %", KPercent), col("rank_profit", lang, "Место по прибыли", "Rank by profit", KInt),
		col("rank_turnover", lang, "Место по обороту", "Rank by turnover", KInt), col("reference", lang, "Эталонная группа", "Reference group", KText),
		col("why", lang, "Почему не участвует", "Why not ranked", KText)}}
	for _, rk := range ns.Ranking {
		var rp, rt any = nil, nil
		if rk.RankProfit > 0 {
			rp, rt = rk.RankProfit, rk.RankTurnover
		}
		t.Rows = append(t.Rows, []any{rk.Rep.Display(), rk.Won, rk.Turnover, rk.Profit, rk.Margin, rp, rt, yesNo(rk.Reference, lang), WhyText(rk.Why, ns.Params, lang)})
	}
	return t
}

// MetricName names an adjustable norm.
func MetricName(m, lang string) string {
	switch m {
	case MetricConversion:
		return tr(lang, "конверсия, %", "conversion, %")
	case MetricDays:
		return tr(lang, "дней на этапе", "days in stage")
	case MetricCallsPerWeek:
		return tr(lang, "звонков в неделю", "calls a week")
	case MetricMeetingsPerWeek:
		return tr(lang, "встреч в неделю", "meetings a week")
	case MetricEmailsPerWeek:
		return tr(lang, "писем в неделю", "e-mails a week")
	case MetricProposalsPerWeek:
		return tr(lang, "КП в неделю", "proposals a week")
	}
	return m
}

// WhyText explains in words why a rep is not ranked.
func WhyText(why string, p NormParams, lang string) string {
	switch why {
	case WhyNoDeals:
		return tr(lang, "нет сделок", "no deals")
	case WhyTenure:
		return fmt.Sprintf(tr(lang, "работает меньше %d дней", "with us less than %d days"), p.MinTenureDays)
	case WhyNoWon:
		return tr(lang, "нет выигранных сделок за период", "no deal won in the period")
	}
	return why
}

// ActivityNormTable lists the weekly activity norms.
func ActivityNormTable(ns *NormSet, lang string) Table {
	return Table{Name: "activity_norms", Title: tr(lang, "Нормы активности в неделю", "Weekly activity norms"), Columns: []Column{
		col("what", lang, "Показатель", "Measure", KText), col("norm", lang, "Норма в неделю", "Norm a week", KFloat)},
		Rows: [][]any{{tr(lang, "Звонки", "Calls"), ns.Activity.CallsPerWeek}, {tr(lang, "Встречи", "Meetings"), ns.Activity.MeetingsPerWeek},
			{tr(lang, "Письма", "E-mails"), ns.Activity.EmailsPerWeek}, {tr(lang, "Отправлено КП", "Proposals sent"), ns.Activity.ProposalsPerWeek}}}
}

// ReverseTable is the reverse funnel.
func ReverseTable(rp ReversePlan, lang string) Table {
	t := Table{Name: "reverse", Title: tr(lang, "Обратная воронка: сколько нужно на каждом этапе", "Reverse funnel: what each stage needs"), Columns: []Column{
		col("stage", lang, "Этап", "Stage", KText), col("through", lang, "Проходит этап (норма), %", "Gets past the stage (norm), %", KPercent),
		col("entries", lang, "Нужно войти на этап", "Entries needed", KFloat), col("per_week", lang, "В неделю", "A week", KFloat),
		col("worked", lang, "Из них отработать (без пропусков)", "Of them worked (not skipped)", KFloat), col("worked_week", lang, "В неделю", "A week", KFloat)}}
	for _, r := range rp.Rows {
		t.Rows = append(t.Rows, []any{name(lang, r.Name), r.Through, r.Entries, r.EntriesPerWk, r.Worked, r.WorkedPerWeek})
	}
	return t
}

// AdjustmentsTable lists the hand changes of a norm set.
func AdjustmentsTable(ns *NormSet, names map[int64]string, lang string) Table {
	t := Table{Name: "adjustments", Title: tr(lang, "Изменения норм вручную", "Hand changes of the norms"), Columns: []Column{
		col("at", lang, "Когда", "When", KText), col("stage", lang, "Этап", "Stage", KText), col("metric", lang, "Показатель", "Measure", KText),
		col("old", lang, "Было", "Was", KFloat), col("new", lang, "Стало", "Now", KFloat), col("who", lang, "Кто", "Who", KText),
		col("reason", lang, "Причина", "Reason", KText)}}
	for _, a := range ns.Adjustments {
		stage := a.Stage
		if sn := ns.Stage(a.Stage); sn != nil {
			stage = name(lang, sn.Name)
		}
		old, nv := a.OldValue, a.NewValue
		if a.Metric == MetricConversion {
			if old.OK() {
				old = old * 100
			}
			nv = nv * 100
		}
		t.Rows = append(t.Rows, []any{a.CreatedAt.In(time.UTC).Format("2006-01-02 15:04"), stage, MetricName(a.Metric, lang), old, nv, names[a.CreatedBy], a.Reason})
	}
	return t
}
