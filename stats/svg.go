package stats

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/dealgate/dealgate/workflow"
)

// The charts are hand-written SVG, drawn on the server, readable without JavaScript: every
// figure is also printed as text, colours repeat what the text says (green at or above the
// norm, amber below it by chance, red significantly below), and each chart carries a <title>
// and an aria-label for screen readers.

// Chart colours.
const (
	colInk     = "#1d2330"
	colMuted   = "#6b7385"
	colGrid    = "#dde1ea"
	colBar     = "#9db8e6"
	colBarDark = "#1f5fbf"
	colProfit  = "#1b8a4b"
	colOK      = "#cfeedd"
	colOKText  = "#14663a"
	colWarn    = "#ffe4b0"
	colWarnTxt = "#8a5200"
	colBad     = "#f6c3bc"
	colBadText = "#8e2415"
	colNone    = "#eef0f5"
	font       = `font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"`
)

type svgBuf struct{ strings.Builder }

func (b *svgBuf) f(format string, args ...any) { fmt.Fprintf(&b.Builder, format, args...) }

func esc(s string) string { return html.EscapeString(s) }

func (b *svgBuf) open(w, h int, title string) {
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" %s font-size="12">`, w, h, esc(title), font)
	b.f(`<title>%s</title>`, esc(title))
}

func (b *svgBuf) text(x, y float64, anchor, fill string, size int, weight, s string) {
	w := ""
	if weight != "" {
		w = ` font-weight="` + weight + `"`
	}
	b.f(`<text x="%.1f" y="%.1f" text-anchor="%s" fill="%s" font-size="%d"%s>%s</text>`, x, y, anchor, fill, size, w, esc(s))
}

func (b *svgBuf) rect(x, y, w, h float64, fill string, extra string) {
	if w < 0 {
		w = 0
	}
	b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"%s/>`, x, y, w, h, fill, extra)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func name(lang string, n workflow.Names) string {
	if lang == "en" {
		return n.En
	}
	return n.Ru
}

func tr(lang, ru, en string) string {
	if lang == "en" {
		return en
	}
	return ru
}

// statusColours returns the fill and text colour of a figure against its norm.
func statusColours(status string) (fill, ink string) {
	switch status {
	case "ok":
		return colOK, colOKText
	case "warn":
		return colWarn, colWarnTxt
	case "bad":
		return colBad, colBadText
	}
	return colNone, colMuted
}

// status of a conversion against a norm: ok, warn (below, within chance) or bad.
func rateStatus(r Ratio, norm Num) string {
	if !r.Valid() || !norm.OK() {
		return "none"
	}
	v := r.Value()
	if v >= float64(norm) {
		return "ok"
	}
	lo, hi := Wilson(r.Num, r.Den, Z95)
	if float64(norm) < lo || float64(norm) > hi {
		return "bad"
	}
	return "warn"
}

// FunnelSVG draws a funnel: one row per stage with a bar as long as the stage's entries, the
// entries, and the conversion to the next stage against the norm (norms may be nil).
func FunnelSVG(rs *RepStats, norms *NormSet, lang string) string {
	const w, left, barW, rowH, top = 960, 290, 400, 26, 34
	var b svgBuf
	title := tr(lang, "Воронка по этапам: вход на этап и конверсия в следующий", "Funnel by stage: entries and conversion to the next stage")
	if rs.Rep.ID != 0 {
		title += " — " + rs.Rep.Display()
	}
	h := top + rowH*len(rs.Stages) + 30
	b.open(w, h, title)
	b.text(left, 18, "start", colMuted, 12, "", tr(lang, "вошло на этап", "entered"))
	b.text(left+barW+20, 18, "start", colMuted, 12, "", tr(lang, "конверсия · норма", "conversion · norm"))
	b.text(w-10, 18, "end", colMuted, 12, "", tr(lang, "дней (медиана)", "days (median)"))
	maxE := 1
	for _, s := range rs.Stages {
		maxE = max(maxE, s.Entered)
	}
	for i, s := range rs.Stages {
		y := float64(top + i*rowH)
		b.text(left-10, y+15, "end", colInk, 12, "", fmt.Sprintf("%d. %s", i+1, clip(name(lang, s.Name), 30)))
		bw := float64(barW) * float64(s.Entered) / float64(maxE)
		b.rect(left+float64(barW)/2-bw/2, y+3, bw, rowH-7, colBar, "")
		b.text(left+float64(barW)/2, y+16, "middle", colInk, 11, "bold", fmt.Sprint(s.Entered))
		var norm Num = NaN
		if norms != nil {
			if sn := norms.Stage(s.Key); sn != nil {
				norm = sn.Conversion
			}
		}
		st := rateStatus(s.Conversion, norm)
		fill, ink := statusColours(st)
		x := float64(left + barW + 20)
		b.rect(x, y+3, 64, rowH-7, fill, ` rx="3"`)
		b.text(x+32, y+16, "middle", ink, 11, "bold", Pct(s.Conversion.Value()))
		if norm.OK() {
			b.text(x+72, y+16, "start", colMuted, 11, "", tr(lang, "норма ", "norm ")+Pct(float64(norm)))
		}
		if s.Skipped > 0 {
			b.text(x+150, y+16, "start", colMuted, 10, "", fmt.Sprintf(tr(lang, "пропуск %d", "skipped %d"), s.Skipped))
		}
		d := "—"
		if s.Days.N > 0 && s.Days.Median.OK() {
			d = fmt.Sprintf("%.0f", float64(s.Days.Median))
		}
		b.text(w-10, y+16, "end", colInk, 11, "", d)
		b.f(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>`, 10, w-10, y+rowH-1.5, y+rowH-1.5, colGrid)
	}
	legend(&b, 10, float64(h-10), lang)
	b.f(`</svg>`)
	return b.String()
}

func legend(b *svgBuf, x, y float64, lang string) {
	items := []struct{ st, ru, en string }{{"ok", "не ниже нормы", "at or above the norm"}, {"warn", "ниже, в пределах случайности", "below, within chance"},
		{"bad", "значимо ниже нормы", "significantly below"}, {"none", "нет данных", "no data"}}
	for _, it := range items {
		fill, _ := statusColours(it.st)
		b.rect(x, y-10, 12, 12, fill, ` stroke="`+colGrid+`"`)
		label := tr(lang, it.ru, it.en)
		b.text(x+16, y, "start", colMuted, 11, "", label)
		x += 30 + float64(len([]rune(label)))*6.6
	}
}

// HeatmapSVG draws the stage × rep heatmap: each cell is a rep's conversion at a stage,
// coloured against the norm.
func HeatmapSVG(r *Report, norms *NormSet, lang string) string {
	const left, cell, rowH, top = 150, 50, 24, 150
	w := left + cell*len(r.Stages) + 110 // room for the last rotated labels
	h := top + rowH*len(r.Reps) + 40
	var b svgBuf
	b.open(w, h, tr(lang, "Конверсия по этапам и продавцам относительно нормы", "Conversion by stage and rep against the norm"))
	for j, s := range r.Stages {
		x := float64(left + j*cell + cell/2)
		label := fmt.Sprintf("%d. %s", j+1, clip(name(lang, s.Name), 24))
		b.f(`<text transform="translate(%.1f,%d) rotate(-45)" text-anchor="start" fill="%s" font-size="11">%s</text>`, x-4, top-8, colInk, esc(label))
	}
	if norms != nil {
		b.text(left-8, top+2, "end", colMuted, 11, "", tr(lang, "норма", "norm"))
		for j, s := range r.Stages {
			if sn := norms.Stage(s.Key); sn != nil && sn.Conversion.OK() {
				b.text(float64(left+j*cell+cell/2), top+2, "middle", colMuted, 11, "bold", Pct(float64(sn.Conversion)))
			}
		}
	}
	for i, rs := range r.Reps {
		y := float64(top + 8 + i*rowH)
		star := ""
		if norms != nil && norms.IsReference(rs.Rep.ID) {
			star = " ★"
		}
		b.text(left-8, y+16, "end", colInk, 12, "", clip(rs.Rep.Short(), 20)+star)
		for j, s := range rs.Stages {
			var norm Num = NaN
			if norms != nil {
				if sn := norms.Stage(s.Key); sn != nil {
					norm = sn.Conversion
				}
			}
			fill, ink := statusColours(rateStatus(s.Conversion, norm))
			x := float64(left + j*cell)
			b.f(`<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="%s" stroke="#fff"><title>%s</title></rect>`, x, y, cell, rowH, fill,
				esc(fmt.Sprintf("%s · %s: %s (%d/%d)", rs.Rep.Display(), name(lang, s.Name), Pct(s.Conversion.Value()), s.Conversion.Num, s.Conversion.Den)))
			txt := "·"
			if s.Conversion.Valid() {
				txt = fmt.Sprintf("%.0f", s.Conversion.Value()*100)
			}
			b.text(x+float64(cell)/2, y+16, "middle", ink, 11, "", txt)
		}
	}
	legend(&b, 10, float64(h-10), lang)
	if norms != nil {
		b.text(float64(w-10), float64(h-10), "end", colMuted, 11, "", tr(lang, "★ — эталонная группа; в клетках %", "★ reference group; cells in %"))
	}
	b.f(`</svg>`)
	return b.String()
}

// ProfitTurnoverSVG draws, per rep, turnover and profit side by side with the margin,
// ordered by the norm set's measure; the reference group is starred.
func ProfitTurnoverSVG(ns *NormSet, lang string) string {
	const w, left, barW, rowH, top = 960, 220, 560, 34, 30
	h := top + rowH*len(ns.Ranking) + 34
	var b svgBuf
	b.open(w, h, tr(lang, "Прибыль и оборот по продавцам (выигранные сделки)", "Profit and turnover per rep (won deals)"))
	var maxT workflow.Money = 1
	for _, rk := range ns.Ranking {
		maxT = max(maxT, rk.Turnover)
	}
	b.rect(left, 8, 12, 10, colBar, "")
	b.text(left+16, 17, "start", colMuted, 11, "", tr(lang, "оборот", "turnover"))
	b.rect(left+90, 8, 12, 10, colProfit, "")
	b.text(left+106, 17, "start", colMuted, 11, "", tr(lang, "прибыль", "profit"))
	b.text(w-10, 17, "end", colMuted, 11, "", tr(lang, "маржа · место по прибыли / обороту", "margin · rank by profit / turnover"))
	for i, rk := range ns.Ranking {
		y := float64(top + i*rowH)
		star := ""
		if rk.Reference {
			star = " ★"
		}
		b.text(left-10, y+19, "end", colInk, 12, "", clip(rk.Rep.Display(), 26)+star)
		tw := float64(barW) * float64(rk.Turnover) / float64(maxT)
		pw := float64(barW) * float64(max(0, rk.Profit)) / float64(maxT)
		b.rect(left, y+4, tw, 12, colBar, "")
		b.rect(left, y+17, pw, 12, colProfit, "")
		b.text(left+tw+6, y+14, "start", colInk, 10, "", RoublesShort(rk.Turnover, lang))
		b.text(left+pw+6, y+27, "start", colProfit, 10, "", RoublesShort(rk.Profit, lang))
		m := "—"
		if rk.Margin.OK() {
			m = Pct(float64(rk.Margin))
		}
		ranks := "—"
		if rk.RankProfit > 0 {
			ranks = fmt.Sprintf("%d / %d", rk.RankProfit, rk.RankTurnover)
		}
		b.text(w-70, y+19, "end", colInk, 12, "bold", m)
		b.text(w-10, y+19, "end", colMuted, 11, "", ranks)
	}
	b.text(10, float64(h-10), "start", colMuted, 11, "", tr(lang, "★ — эталонная группа: её показатели задают нормы", "★ reference group: their figures set the norms"))
	b.f(`</svg>`)
	return b.String()
}

// TrendSVG draws the monthly trend: turnover and profit of the deals won each month (bars)
// and the deals won (the figure above them).
func TrendSVG(months []Month, lang string, who string) string {
	const w, h, left, bottom, top = 960, 300, 70, 50, 34
	var b svgBuf
	title := tr(lang, "Помесячно: оборот и прибыль выигранных сделок", "Monthly: turnover and profit of won deals")
	if who != "" {
		title += " — " + who
	}
	b.open(w, h, title)
	var maxV workflow.Money = 1
	for _, m := range months {
		maxV = max(maxV, m.Turnover)
	}
	scale := niceCeil(float64(maxV) / 100)
	plotH := float64(h - bottom - top)
	for k := 0; k <= 4; k++ {
		v := scale * float64(k) / 4
		y := float64(h-bottom) - plotH*float64(k)/4
		b.f(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>`, left, w-10, y, y, colGrid)
		b.text(left-6, y+4, "end", colMuted, 10, "", RoublesShort(workflow.Money(v*100), lang))
	}
	n := max(1, len(months))
	slot := float64(w-10-left) / float64(n)
	bw := math.Min(26, slot/2.6)
	for i, m := range months {
		x := float64(left) + slot*float64(i) + slot/2
		th := plotH * float64(m.Turnover) / 100 / scale
		ph := plotH * float64(max(0, m.Profit)) / 100 / scale
		b.rect(x-bw-1, float64(h-bottom)-th, bw, th, colBar, "")
		b.rect(x+1, float64(h-bottom)-ph, bw, ph, colProfit, "")
		b.text(x, float64(h-bottom)-th-6, "middle", colInk, 10, "bold", fmt.Sprint(m.Won))
		b.text(x, float64(h-bottom+16), "middle", colInk, 10, "", monthLabel(m.Month, lang))
	}
	b.rect(float64(left), 10, 12, 10, colBar, "")
	b.text(float64(left+16), 19, "start", colMuted, 11, "", tr(lang, "оборот", "turnover"))
	b.rect(float64(left+90), 10, 12, 10, colProfit, "")
	b.text(float64(left+106), 19, "start", colMuted, 11, "", tr(lang, "прибыль", "profit"))
	b.text(float64(left+190), 19, "start", colMuted, 11, "", tr(lang, "цифра над столбиком — выиграно сделок", "figure above a bar: deals won"))
	b.f(`</svg>`)
	return b.String()
}

// LostValueSVG draws, for one rep, the gross margin each stage's gap costs.
func LostValueSVG(g *RepGaps, lang string) string {
	const w, left, barW, rowH, top = 960, 290, 500, 24, 28
	var rows []StageGap
	for _, s := range g.Stages {
		if s.Value > 0 {
			rows = append(rows, s)
		}
	}
	h := top + rowH*max(1, len(rows)) + 16
	var b svgBuf
	b.open(w, h, tr(lang, "Маржа, потерянная на отставании от нормы, по этапам", "Margin lost to the gap from the norm, by stage")+" — "+g.Rep.Display())
	if len(rows) == 0 {
		b.text(left, top+14, "start", colMuted, 12, "", tr(lang, "Отставаний от нормы нет.", "No gaps below the norm."))
		b.f(`</svg>`)
		return b.String()
	}
	var maxV workflow.Money = 1
	for _, s := range rows {
		maxV = max(maxV, s.Value)
	}
	b.text(left, 18, "start", colMuted, 11, "", tr(lang, "маржа, ₽ · сделок сверх нормы", "margin · deals beyond the norm"))
	for i, s := range rows {
		y := float64(top + i*rowH)
		b.text(left-10, y+15, "end", colInk, 12, "", fmt.Sprintf("%d. %s", s.Index+1, clip(name(lang, s.Name), 30)))
		fill := "#e8a33d" // below the norm within chance
		if s.Status() == "bad" {
			fill = "#d9634f"
		}
		bw := float64(barW) * float64(s.Value) / float64(maxV)
		b.rect(left, y+4, bw, rowH-8, fill, "")
		b.text(left+bw+6, y+15, "start", colInk, 11, "", fmt.Sprintf("%s · %s", RoublesShort(s.Value, lang), fmtCount(float64(s.LostBeyond))))
	}
	b.f(`</svg>`)
	return b.String()
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

var monthsRu = []string{"янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"}
var monthsEn = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// monthLabel turns "2025-10" into "окт 25".
func monthLabel(ym, lang string) string {
	var y, m int
	if _, err := fmt.Sscanf(ym, "%d-%d", &y, &m); err != nil || m < 1 || m > 12 {
		return ym
	}
	if lang == "en" {
		return fmt.Sprintf("%s %02d", monthsEn[m-1], y%100)
	}
	return fmt.Sprintf("%s %02d", monthsRu[m-1], y%100)
}
