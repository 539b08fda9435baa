package pdflayout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// proposalTemplatePath is the shipped template; tests read the real file.
var proposalTemplatePath = filepath.Join("testdata", "proposal.xml")

// testDate is the fixed document date of every test render.
var testDate = time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)

// testWords spells a RUB amount the way DOMAIN.md §1.0 prescribes. The
// product gets this function from documents/amount; the layout tests only
// need a correct implementation for roubles.
func testWords(args ...string) (string, error) {
	m, err := workflow.ParseMoney(args[0])
	if err != nil {
		return "", err
	}
	if args[1] != "RUB" {
		return "", fmt.Errorf("test words: currency %q not supported", args[1])
	}
	v := m.Minor()
	if v < 0 {
		return "", fmt.Errorf("negative amount")
	}
	rub, kop := v/100, v%100
	ones := [2][10]string{
		{"", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"},
		{"", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"},
	}
	teens := [10]string{"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"}
	tens := [10]string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"}
	hundreds := [10]string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"}
	form := func(n int64, f1, f2, f5 string) string {
		if n%100 >= 11 && n%100 <= 14 {
			return f5
		}
		switch n % 10 {
		case 1:
			return f1
		case 2, 3, 4:
			return f2
		}
		return f5
	}
	triple := func(n int64, fem int) []string {
		var w []string
		if h := n / 100; h > 0 {
			w = append(w, hundreds[h])
		}
		switch t := n % 100; {
		case t >= 10 && t < 20:
			w = append(w, teens[t-10])
		default:
			if t/10 > 0 {
				w = append(w, tens[t/10])
			}
			if t%10 > 0 {
				w = append(w, ones[fem][t%10])
			}
		}
		return w
	}
	var words []string
	groups := []struct {
		div        int64
		fem        int
		f1, f2, f5 string
	}{
		{1_000_000_000, 0, "миллиард", "миллиарда", "миллиардов"},
		{1_000_000, 0, "миллион", "миллиона", "миллионов"},
		{1_000, 1, "тысяча", "тысячи", "тысяч"},
	}
	n := rub
	for _, g := range groups {
		if k := n / g.div % 1000; k > 0 {
			words = append(words, triple(k, g.fem)...)
			words = append(words, form(k, g.f1, g.f2, g.f5))
		}
	}
	if k := n % 1000; k > 0 {
		words = append(words, triple(k, 0)...)
	}
	if rub == 0 {
		words = append(words, "ноль")
	}
	s := strings.Join(words, " ") + " " + form(rub, "рубль", "рубля", "рублей") +
		fmt.Sprintf(" %02d ", kop) + form(kop, "копейка", "копейки", "копеек")
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r), nil
}

func TestTestWords(t *testing.T) {
	for in, want := range map[string]string{
		"1.00":       "Один рубль 00 копеек",
		"2.00":       "Два рубля 00 копеек",
		"11.00":      "Одиннадцать рублей 00 копеек",
		"21.01":      "Двадцать один рубль 01 копейка",
		"1000.00":    "Одна тысяча рублей 00 копеек",
		"2000000.00": "Два миллиона рублей 00 копеек",
		"0.02":       "Ноль рублей 02 копейки",
		"1234567.89": "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек",
		"3050000.00": "Три миллиона пятьдесят тысяч рублей 00 копеек",
	} {
		if got, err := testWords(in, "RUB"); err != nil || got != want {
			t.Errorf("words(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func newTestEngine(t testing.TB, opts EngineOptions) *Engine {
	t.Helper()
	if opts.Funcs == nil {
		opts.Funcs = Funcs{}
	}
	opts.Funcs["words"] = StringFunc(2, testWords)
	e, err := NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustParseFile(t testing.TB, e *Engine, path string) *Template {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := e.Parse(filepath.Base(path), src)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func loadJSON(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, b)
}

func decodeJSON(t testing.TB, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// pdftotext extracts the text of a PDF with poppler's pdftotext -layout. It
// skips the test when the tool is missing, unless CI is set.
func pdftotext(t testing.TB, pdf []byte) string {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pdftotext is required in CI: %v", err)
		}
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "-layout", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// normalize maps the spaces pdftotext may produce (NBSP, runs of spaces)
// to single spaces so that checks do not depend on column layout.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.Join(strings.Fields(s), " ")
}

func render(t testing.TB, e *Engine, tpl *Template, data map[string]any, o RenderOptions) ([]byte, Result) {
	t.Helper()
	if o.Date.IsZero() {
		o.Date = testDate
	}
	var buf bytes.Buffer
	res, err := e.Render(&buf, tpl, data, o)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), res
}
