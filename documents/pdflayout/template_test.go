package pdflayout

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseErrorsNamePosition(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	for _, tc := range []struct {
		name, src string
		want      string // substring of the error, including line:col
	}{
		{"not xml", "<document><p>a</document>", "t.xml:1:"},
		{"root", "<page/>", "t.xml:1:1: the root element must be <document>"},
		{"unknown element", "<document>\n  <parra>x</parra>\n</document>", "t.xml:2:3: unknown element <parra>"},
		{"unknown attribute", "<document>\n<p  alling=\"left\">x</p></document>", "t.xml:2:1: <p>: unknown attribute \"alling\""},
		{"bad align", "<document><p align=\"middle\">x</p></document>", "want left, center, right or justify"},
		{"text outside p", "<document>\nhello\n</document>", "t.xml:1:11: text directly inside <document>"},
		{"unknown function", "<document>\n<p>Итого: {{summ .total}}</p></document>", "t.xml:2:13: in {{summ .total}}: unknown function \"summ\""},
		{"arity", "<document><p>{{money .a .b}}</p></document>", "function \"money\" takes 1 argument(s), got 2"},
		{"unclosed", "<document><p>{{.a</p></document>", "\"{{\" without a closing \"}}\""},
		{"stray close", "<document><p>a }} b</p></document>", "\"}}\" without a matching \"{{\""},
		{"bad var", "<document><p>{{$item.name}}</p></document>", "undefined variable $item"},
		{"$n outside loop", "<document><p>{{$n}}</p></document>", "$n is only defined inside"},
		{"$page in body", "<document><p>{{$page}}</p></document>", "$page is only defined inside <header> and <footer>"},
		{"row span", "<document><table><col/><col/><row><cell>a</cell></row></table></document>", "<row> covers 1 column(s) but the table has 2 <col>"},
		{"each needs list", "<document><each><p>x</p></each></document>", "the list attribute is required"},
		{"each expr", "<document><each list=\"len .items\"><p>x</p></each></document>", "want a data path"},
		{"else last", "<document><if test=\".a\"><else/><p>x</p></if></document>", "<else> must be the last child of <if>"},
		{"if test", "<document><if><p>x</p></if></document>", "the test attribute is required"},
		{"doctype", "<!DOCTYPE x [<!ENTITY a \"b\">]><document/>", "directives are not allowed"},
		{"entity", "<document><p>&unknown;</p></document>", "t.xml:1:"},
		{"bad width", "<document><table><col width=\"wide\"/></table></document>", "want a width such as 25mm"},
		{"bad color", "<document><p color=\"red\">x</p></document>", "want a colour like #1F3864"},
		{"pipe to operand", "<document><p>{{.a | .b}}</p></document>", "after \"|\" a function name is expected"},
		{"two roots", "<document/><document/>", "t.xml:1:12:"},
		{"font", "<document font=\"comic\"/>", "font=\"comic\": want sans"},
		{"cyrillic column", "<document>\n  <p>Итого {{  bad!}}</p></document>", "t.xml:2:16: in {{bad!}}: unknown function \"bad\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Parse("t.xml", []byte(tc.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
			if pe.Line < 1 || pe.Col < 1 {
				t.Errorf("position %d:%d", pe.Line, pe.Col)
			}
		})
	}
}

func TestShippedTemplatesParse(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	files, err := filepath.Glob(filepath.Join("..", "..", "templates", "pdf", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	for _, f := range files {
		mustParseFile(t, e, f)
	}
}

func TestPlaceholders(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	src := `<document title="{{.number}}">
  <header><p>{{$.seller.name}} {{$page}}</p></header>
  <p>{{money .total}} {{words (add .a .b) .currency}}</p>
  <each list=".sections" as="s">
    <h2>{{.title}}</h2>
    <table><col header="{{$.unit_title}}"/>
      <row each=".lines"><cell>{{$n}}. {{.name}} {{$s.code}}</cell></row>
    </table>
  </each>
  <if test="gt (len .items) 0"><p>{{index .items 0}}</p></if>
</document>`
	tpl, err := e.Parse("p.xml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "currency", "items", "number", "sections", "sections[].code",
		"sections[].lines", "sections[].lines[].name", "sections[].title", "seller.name", "total", "unit_title"}
	if got := tpl.Placeholders(); !slices.Equal(got, want) {
		t.Errorf("Placeholders() =\n %q\nwant\n %q", got, want)
	}
	// The proposal template reads exactly the fields of its sample data.
	ptpl := mustParseFile(t, e, proposalTemplatePath)
	data := loadJSON(t, filepath.Join("testdata", "proposal.json"))
	for _, p := range ptpl.Placeholders() {
		if !hasPath(data, strings.Split(p, ".")) {
			t.Errorf("proposal.xml reads %q, which the sample data lacks", p)
		}
	}
}

// hasPath reports whether path exists in v ("items[]" descends into the
// first element of a list).
func hasPath(v any, path []string) bool {
	if len(path) == 0 {
		return true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	key, list := strings.CutSuffix(path[0], "[]")
	x, ok := m[key]
	if !ok {
		return false
	}
	if list {
		l, ok := x.([]any)
		if !ok || len(l) == 0 {
			return false
		}
		x = l[0]
	}
	return hasPath(x, path[1:])
}

func TestExpressions(t *testing.T) {
	e := newTestEngine(t, EngineOptions{Funcs: Funcs{
		"shout": StringFunc(1, func(a ...string) (string, error) { return strings.ToUpper(a[0]) + "!", nil }),
	}})
	data := decodeJSON(t, []byte(`{
		"total": "3050000", "neg": "-1234.5", "qty": 1250.5, "n": 3, "zero": "0.00", "empty": "",
		"name": "ооо ромашка", "list": ["a", "b", "c"], "obj": {"k": "v"}, "date": "2026-03-12",
		"ts": "2026-03-12T23:10:00+03:00", "flag": true, "items": [{"q": "2"}, {"q": "3"}]}`))
	for _, tc := range []struct{ expr, want string }{
		{`{{money .total}}`, "3\u00a0050\u00a0000,00"},
		{`{{money .neg}}`, "-1\u00a0234,50"},
		{`{{money "1 234,5"}}`, "1\u00a0234,50"},
		{`{{number .qty}}`, "1\u00a0250,5"},
		{`{{number 1000000}}`, "1\u00a0000\u00a0000"},
		{`{{date .date}} {{date .ts}}`, "12.03.2026 12.03.2026"},
		{`{{upper .name}} {{.name | shout}}`, "ООО РОМАШКА ООО РОМАШКА!"},
		{`{{.missing | default "—"}} {{default "—" .empty}} {{default "—" .name}}`, "— — ооо ромашка"},
		{`{{join ", " .list}}`, "a, b, c"},
		{`{{index .list 1}}{{index .obj "k"}}{{index .items 1 "q"}}{{index .list 9}}`, "bv3"},
		{`{{len .list}} {{len .name}} {{len .missing}}`, "3 11 0"},
		{`{{add .n 2 "0.25"}} {{sub .total 50000}} {{mul .qty 2}} {{mul "0.1" "0.2"}}`, "5.25 3000000 2501 0.02"},
		{`{{eq .n 3}} {{eq "3.0" .n}} {{lt .total "10"}} {{ne .name "x"}} {{gt (len .list) 2}}`, "true true false true true"},
		{`{{not .zero}} {{nonzero .zero}} {{and .flag .n}} {{or .empty .missing}}`, "false false true false"},
		{`{{.obj.k}}{{.missing.deeper}}`, "v"},
		{`{{cond .flag "да" "нет"}} {{cond .empty "да" "нет"}}`, "да нет"},
		{`[{{prefix "скидка " .empty}}] [{{prefix "скидка " .n}}]`, "[] [скидка 3]"},
		{`{{'single'}} {{"esc\"aped"}}`, `single esc"aped`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			tpl, err := e.Parse("x.xml", []byte(`<document><p>`+xmlEscape(tc.expr)+`</p></document>`))
			if err != nil {
				t.Fatal(err)
			}
			got, err := evalParagraph(tpl, data)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xmlEscapeText(&b, s)
	return b.String()
}

func xmlEscapeText(b *bytes.Buffer, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	_, err := b.WriteString(r.Replace(s))
	return err
}

// evalParagraph evaluates the first paragraph of tpl to plain text.
func evalParagraph(tpl *Template, data map[string]any) (string, error) {
	fs, err := tpl.doc.family.load()
	if err != nil {
		return "", err
	}
	l := &layout{t: tpl, fonts: fs, limits: DefaultLimits}
	l.ev.root = data
	runs, err := l.evalText(&tpl.body[0].(*paraNode).text, 0)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, r := range runs {
		sb.WriteString(r.text)
	}
	return strings.TrimSpace(sb.String()), nil
}

func TestRenderErrorsHavePositions(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	for _, tc := range []struct{ src, data, want string }{
		{"<document>\n<p>{{money .total}}</p></document>", `{"total": "12.345"}`, "r.xml:2:6: money: amount \"12.345\" has more than two fractional digits"},
		{"<document>\n\n<each list=\".items\"><p>x</p></each></document>", `{"items": "no"}`, "r.xml:3:1: loop over a string"},
		{"<document><p>{{.a.b}}</p></document>", `{"a": "text"}`, "cannot read field \"b\" of a string"},
		{"<document><p>{{.list}}</p></document>", `{"list": [1]}`, "cannot print a list"},
		{"<document><table><col/><row each=\".rows\"><cell>{{date .d}}</cell></row></table></document>", `{"rows": [{"d": "12/03/2026"}]}`, "not a date"},
	} {
		var buf bytes.Buffer
		tpl, err := e.Parse("r.xml", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Render(&buf, tpl, decodeJSON(t, []byte(tc.data)), RenderOptions{})
		var re *RenderError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want RenderError containing %q", err, tc.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%d bytes written on error", buf.Len())
		}
	}
}

func TestLimits(t *testing.T) {
	e := newTestEngine(t, EngineOptions{Limits: Limits{MaxTemplateBytes: 2000, MaxDepth: 6, MaxLoopItems: 50, MaxPages: 3}})
	deep := "<document>" + strings.Repeat("<if test=\".a\">", 8) + strings.Repeat("</if>", 8) + "</document>"
	for name, src := range map[string]string{
		"size":  "<document><p>" + strings.Repeat("x", 3000) + "</p></document>",
		"depth": deep,
	} {
		if _, err := e.Parse(name, []byte(src)); err == nil || !strings.Contains(err.Error(), map[string]string{"size": "limit is 2000", "depth": "nested deeper than 6"}[name]) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	loop, err := e.Parse("loop.xml", []byte(`<document><each list=".items"><p>{{.}}</p></each></document>`))
	if err != nil {
		t.Fatal(err)
	}
	items := make([]any, 60)
	for i := range items {
		items[i] = "строка"
	}
	var buf bytes.Buffer
	if _, err := e.Render(&buf, loop, map[string]any{"items": items}, RenderOptions{}); !errors.Is(err, ErrLimit) {
		t.Errorf("60 iterations with MaxLoopItems 50: err = %v", err)
	}
	pages, err := e.Parse("pages.xml", []byte(`<document><each list=".items"><pagebreak/><p>{{.}}</p></each></document>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Render(&buf, pages, map[string]any{"items": items[:10]}, RenderOptions{}); !errors.Is(err, ErrLimit) {
		t.Errorf("10 pages with MaxPages 3: err = %v", err)
	}
	small, _ := NewEngine(EngineOptions{Limits: Limits{MaxTextBytes: 1000}})
	txt, err := small.Parse("text.xml", []byte(`<document><p>{{.a}}</p><p>{{.a}} и {{.a}}</p></document>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.Render(&buf, txt, map[string]any{"a": strings.Repeat("текст ", 60)}, RenderOptions{}); !errors.Is(err, ErrLimit) {
		t.Errorf("1 440 bytes of text with MaxTextBytes 1000: err = %v", err)
	}
	// Default element limit.
	many := "<document>" + strings.Repeat("<spacer/>", DefaultLimits.MaxElements+1) + "</document>"
	big, _ := NewEngine(EngineOptions{Limits: Limits{MaxTemplateBytes: 1 << 20}})
	if _, err := big.Parse("many.xml", []byte(many)); err == nil || !strings.Contains(err.Error(), "elements") {
		t.Errorf("too many elements: err = %v", err)
	}
}

func TestNewEngineRejectsBadFuncs(t *testing.T) {
	for name, f := range map[string]Func{
		"":      {MinArgs: 1, MaxArgs: 1, Fn: func([]any) (any, error) { return nil, nil }},
		"a-b":   {MinArgs: 1, MaxArgs: 1, Fn: func([]any) (any, error) { return nil, nil }},
		"nofn":  {MinArgs: 1, MaxArgs: 1},
		"range": {MinArgs: 2, MaxArgs: 1, Fn: func([]any) (any, error) { return nil, nil }},
	} {
		if _, err := NewEngine(EngineOptions{Funcs: Funcs{name: f}}); err == nil {
			t.Errorf("function %q accepted", name)
		}
	}
}

// FuzzParse: the parser never panics, and every error it returns is a
// *ParseError with a position; templates that parse also render (or fail
// with a descriptive error).
func FuzzParse(f *testing.F) {
	for _, name := range []string{proposalTemplatePath, filepath.Join("testdata", "invoice.xml")} {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(fallbackTemplate))
	f.Add([]byte(`<document><p>{{money (add .a "1") | default "x"}}</p><if test="eq $.a 1"><else/></if></document>`))
	e := newTestEngine(f, EngineOptions{Limits: Limits{MaxLoopItems: 200, MaxPages: 5}})
	data := loadJSON(f, filepath.Join("testdata", "proposal.json"))
	f.Fuzz(func(t *testing.T, src []byte) {
		tpl, err := e.Parse("fuzz.xml", src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Col < 1 || pe.Msg == "" {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if _, err := e.Render(&buf, tpl, data, RenderOptions{}); err != nil {
			var re *RenderError
			var mg *MissingGlyphsError
			if !errors.As(err, &re) && !errors.As(err, &mg) && !errors.Is(err, ErrLimit) {
				t.Fatalf("undescriptive render error %T: %v", err, err)
			}
			return
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Fatal("render succeeded without a PDF")
		}
	})
}

// TestFormatDocExample renders the first example of templates/pdf/FORMAT.md
// with its data, so the documentation cannot drift from the parser.
func TestFormatDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "templates", "pdf", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := func(lang string) string {
		_, rest, ok := strings.Cut(string(doc), "```"+lang+"\n")
		if !ok {
			t.Fatalf("FORMAT.md has no %s block", lang)
		}
		body, _, _ := strings.Cut(rest, "```")
		return body
	}
	e, err := NewEngine(EngineOptions{}) // as dealgate's renderer: no extra functions
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := e.Parse("FORMAT.md", []byte(block("xml")))
	if err != nil {
		t.Fatal(err)
	}
	pdf, res := render(t, e, tpl, decodeJSON(t, []byte(block("json"))), RenderOptions{})
	text := normalize(pdftotext(t, pdf))
	for _, want := range []string{"Счёт на оплату № 2026/15 от 20.03.2026", "Компрессор винтовой УКМ-55", "5 200 000,00",
		"Всего к оплате: 6 570 920,00", "Шесть миллионов пятьсот семьдесят тысяч девятьсот двадцать рублей 00 копеек", "стр. 1 из 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("FORMAT.md example lacks %q:\n%s", want, text)
		}
	}
	if res.Path != PathFast {
		t.Errorf("example took the %s path", res.Path)
	}
}
