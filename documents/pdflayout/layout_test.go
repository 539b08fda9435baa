package pdflayout

import (
	"fmt"
	"strings"
	"testing"
)

func parseString(t *testing.T, e *Engine, src string) *Template {
	t.Helper()
	tpl, err := e.Parse("t.xml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestBreakLinesFitAndKeepText(t *testing.T) {
	fs, err := families["sans"].load()
	if err != nil {
		t.Fatal(err)
	}
	l := &layout{fonts: fs}
	runs := []evRun{
		{text: "Поставка оборудования «"},
		{text: "УралКомпрессорМаш", style: styleBold},
		{text: "» по договору   № 45/2026-П, сверхдлинноесловобезпробеловкотороеобязательнопридётсярезать и хвост"},
		{br: true},
		{text: "вторая строка", style: styleItalic},
	}
	for _, maxW := range []float64{15, 30, 60, 200} {
		l.breakLines(runs, 10, maxW, maxW)
		var got strings.Builder
		for i, ln := range l.lines {
			if ln.width > maxW+1e-6 {
				t.Errorf("maxW %v: line %d is %.2f wide", maxW, i, ln.width)
			}
			for p := ln.first; p < ln.end; p++ {
				pc := l.pieces[p]
				got.WriteString(runs[pc.run].text[pc.a:pc.b])
			}
		}
		want := strings.Join(strings.Fields(strings.Join([]string{runs[0].text, runs[1].text, runs[2].text, runs[4].text}, "")), "")
		if g := strings.Join(strings.Fields(got.String()), ""); g != want {
			t.Errorf("maxW %v: text changed:\n got %s\nwant %s", maxW, g, want)
		}
		// The line that starts "вторая строка" follows a forced break.
		found := false
		for i, ln := range l.lines {
			if ln.end > ln.first && l.pieces[ln.first].run == 4 && i > 0 && l.lines[i-1].hard {
				found = true
			}
		}
		if !found {
			t.Errorf("maxW %v: the forced break was lost", maxW)
		}
	}
	// «УралКомпрессорМаш» is one word across three runs: never split at a
	// style change when the line is wide enough.
	l.breakLines(runs[:3], 10, 60, 60)
	for _, ln := range l.lines {
		for p := ln.first; p < ln.end; p++ {
			if pc := l.pieces[p]; pc.run == 1 && p == ln.first && ln.first > 0 {
				t.Error("a line starts inside the word «УралКомпрессорМаш»")
			}
		}
	}
}

func TestHeadingKeptWithNext(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	// A spacer pushes the heading to the last lines of page 1.
	for _, space := range []int{230, 235, 240, 245} {
		tpl := parseString(t, e, fmt.Sprintf(`<document margin="20">
  <footer><p>стр. {{$page}} из {{$pages}}</p></footer>
  <spacer height="%d"/>
  <h2>Раздел 2. Условия оплаты</h2>
  <p>Первая строка текста раздела. Вторая строка текста раздела, довольно длинная, чтобы перенестись на следующую строку.</p>
</document>`, space))
		pdf, res := render(t, e, tpl, nil, RenderOptions{})
		if res.Pages != 2 && space >= 240 {
			t.Errorf("spacer %d: %d pages", space, res.Pages)
		}
		for p := 1; p <= res.Pages; p++ {
			page := normalize(pdftotextPage(t, pdf, p))
			if strings.Contains(page, "Раздел 2") != strings.Contains(page, "Первая строка") {
				t.Errorf("spacer %d: heading and its paragraph are split between pages: page %d = %q", space, p, page)
			}
		}
	}
}

func TestColumnsAndKVSplitAcrossPages(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := parseString(t, e, `<document>
  <columns>
    <column><kv><each list=".rows"><item key="Левая {{$n}}">значение слева {{.}}</item></each></kv></column>
    <column><kv><each list=".rows"><item key="Правая {{$n}}">значение справа {{.}}</item></each></kv></column>
  </columns>
  <p>После колонок.</p>
</document>`)
	rows := make([]any, 90)
	for i := range rows {
		rows[i] = fmt.Sprintf("R%03d", i+1)
	}
	pdf, res := render(t, e, tpl, map[string]any{"rows": rows}, RenderOptions{})
	if res.Pages < 2 {
		t.Fatalf("%d pages, want the columns to flow over at least 2", res.Pages)
	}
	text := normalize(pdftotext(t, pdf))
	for i := 1; i <= 90; i++ {
		for _, side := range []string{"слева", "справа"} {
			if want := fmt.Sprintf("значение %s R%03d", side, i); !strings.Contains(text, want) {
				t.Fatalf("lost %q", want)
			}
		}
	}
	if !strings.Contains(text, "После колонок.") {
		t.Error("lost the paragraph after the columns")
	}
}

func TestNewlinesAndControlCharactersInData(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := parseString(t, e, `<document><p>Адрес: {{.addr}}</p><table><col/><row><cell>{{.cell}}</cell></row></table></document>`)
	pdf, _ := render(t, e, tpl, map[string]any{"addr": "620026, г. Екатеринбург,\r\nул. Белинского, д. 86", "cell": "alpha\tbeta\x07gamma"}, RenderOptions{})
	text := pdftotext(t, pdf)
	lines := strings.Split(text, "\n")
	var addrLine, nextLine string
	for i, ln := range lines {
		if strings.Contains(ln, "Адрес:") {
			addrLine, nextLine = ln, lines[i+1]
		}
	}
	if !strings.Contains(addrLine, "Екатеринбург,") || strings.Contains(addrLine, "Белинского") || !strings.Contains(nextLine, "ул. Белинского, д. 86") {
		t.Errorf("newline in data did not break the line:\n%s", text)
	}
	if !strings.Contains(normalize(text), "alpha beta gamma") {
		t.Errorf("control characters not shown as spaces: %q", normalize(text))
	}
}

func TestJustifyAndAlignment(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := parseString(t, e, `<document>
  <p align="justify">{{.text}}</p>
  <p align="right">Справа</p>
  <p align="center">По центру</p>
</document>`)
	text := strings.Repeat("Поставщик обязуется передать оборудование в собственность Покупателя в сроки, установленные спецификацией. ", 6)
	pdf, _ := render(t, e, tpl, map[string]any{"text": text}, RenderOptions{})
	out := pdftotext(t, pdf)
	if got, want := strings.Join(strings.Fields(out), " "), strings.TrimSpace(text); !strings.Contains(got, want) {
		t.Errorf("justified text changed:\n got %q\nwant %q", got, want)
	}
	// Justified lines end at the right margin: every full line of the
	// paragraph is about as long as the others in pdftotext's layout.
	var right, center int
	for _, ln := range strings.Split(out, "\n") {
		if strings.Contains(ln, "Справа") {
			right = strings.Index(ln, "Справа")
		}
		if strings.Contains(ln, "По центру") {
			center = strings.Index(ln, "По центру")
		}
	}
	if right <= center || center < 20 {
		t.Errorf("alignment: right-aligned text at column %d, centred at %d", right, center)
	}
}
