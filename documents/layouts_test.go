package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/documents/pdflayout"
	"github.com/dealgate/dealgate/workflow"
)

// The -update flag (go test ./documents -run TestLayoutGolden -update) rewrites the golden
// hashes in testdata/golden. The DOCX template tests of this package use the same flag; whichever
// init runs first defines it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden hashes in testdata/golden")
	}
}

// updatingGolden reports whether -update was given.
func updatingGolden() bool {
	g, ok := flag.Lookup("update").Value.(flag.Getter)
	return ok && g.Get() == true
}

// layoutExample decodes templates/examples/KIND.json, read from the repository.
func layoutExample(t *testing.T, k workflow.DocumentKind) ([]byte, Data) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "templates", "examples", string(k)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return raw, mustDecode(t, k, raw)
}

// renderPDF renders d with the shipped layout of its kind.
func renderPDF(t *testing.T, r *Renderer, d Data) []byte {
	t.Helper()
	b, tf, err := r.Render(context.Background(), d, PDF, RenderOptions{})
	if err != nil {
		t.Fatalf("render %s: %v", d.Kind(), err)
	}
	if !strings.HasPrefix(tf.Name, "builtin:") {
		t.Fatalf("rendered with %q, want the shipped layout", tf.Name)
	}
	return b
}

// pdfPages extracts the text of every page (pdftotext -layout puts a form feed after each).
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	pages := strings.Split(pdfText(t, pdf), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	if len(pages) == 0 {
		t.Fatal("pdftotext found no pages")
	}
	return pages
}

var spaces = regexp.MustCompile(`\s+`)

// norm makes text comparable: non-breaking spaces are spaces, and every run of white space
// (line breaks of wrapped paragraphs included) is one space.
func norm(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(strings.ReplaceAll(s, "\u00a0", " "), " "))
}

// showsText reports whether the normalised PDF text shows w: as one run of text, or — for
// text wrapped inside a table cell or a narrow column, which pdftotext -layout interleaves with
// the neighbouring cells — as all its words in order, each within a few lines' worth of words
// of the one before.
func showsText(text, w string) bool {
	w = norm(w)
	if strings.Contains(text, w) {
		return true
	}
	words, toks := fields(w), fields(text)
	const window = 60
	for start, tok := range toks {
		if tok != words[0] {
			continue
		}
		at, ok := start, true
		for _, word := range words[1:] {
			found := false
			for k := at + 1; k < len(toks) && k <= at+window; k++ {
				if toks[k] == word {
					at, found = k, true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// fields splits normalised text into words without the punctuation that follows them.
func fields(s string) []string {
	f := strings.Fields(s)
	for i, w := range f {
		if t := strings.TrimRight(w, ",.;:"); t != "" {
			f[i] = t
		}
	}
	return f
}

// viewText returns the string at a dotted path of a view: "seller.inn", "lines.0.name",
// "supplied.equipment.1". It fails the test when the path is missing or not a string.
func viewText(t *testing.T, v map[string]any, path string) string {
	t.Helper()
	var cur any = v
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []map[string]any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(c) {
				t.Fatalf("view path %s: no element %s", path, p)
			}
			cur = c[i]
		case []string:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(c) {
				t.Fatalf("view path %s: no element %s", path, p)
			}
			cur = c[i]
		default:
			t.Fatalf("view path %s: %T at %s", path, cur, p)
		}
	}
	s, ok := cur.(string)
	if !ok || s == "" {
		t.Fatalf("view path %s: %v (%T), want a non-empty string", path, cur, cur)
	}
	return s
}

// layoutChecks lists, per kind, the view paths whose values the PDF must show: the parties'
// names and INNs, an item of the main list, the totals and the amount in words.
var layoutChecks = map[workflow.DocumentKind][]string{
	workflow.DocMeetingReport: {"client.name", "client.inn", "participants.0.name", "participants.4.name",
		"next_steps.2.action", "assessment.potential", "format_ru"},
	workflow.DocProposal: {"seller.name", "seller.inn", "buyer.name", "lines.0.name", "lines.3.name",
		"optional_lines.0.name", "totals.net", "totals.vat", "totals.gross", "totals.words", "outgoing", "validity"},
	workflow.DocClientCard: {"company.name", "company.inn", "company.ogrn", "dmu.0.name", "dmu.3.name",
		"competitors.0.name", "potential", "revenue"},
	workflow.DocContract: {"seller.name", "seller.inn", "seller.account", "buyer.name", "buyer.inn",
		"buyer.bik", "total", "total_vat", "total_words", "price_clause", "payment_terms",
		"delivery_period", "warranty", "arbitration_court", "claims_period", "vat_change_text",
		"edo_text", "valid_until_words", "date_contract"},
	workflow.DocSpecification: {"seller.name", "seller.inn", "buyer.name", "buyer.inn", "heading",
		"lines.0.name", "lines.3.name", "totals.net", "totals.vat", "totals.gross", "totals.words",
		"payment_schedule.0.text", "payment_schedule.1.text", "consignee.name", "delivery_period", "warranty"},
	workflow.DocProductionSchedule: {"seller.name", "seller.inn", "buyer.name", "buyer.inn", "item",
		"serial_number", "milestones.0.name", "milestones.7.name", "milestones.1.comment", "contract.text"},
	workflow.DocInvoice: {"seller.name", "seller.inn", "seller.account", "seller.bik", "seller.corr_account",
		"buyer.name", "buyer.inn", "lines.0.name", "lines.3.name", "totals.net", "totals.vat",
		"totals.gross", "totals.words", "purpose", "payment_due", "basis"},
	workflow.DocUPD: {"seller.name", "seller.inn_kpp", "buyer.name", "buyer.inn_kpp", "consignee.text",
		"lines.0.name", "lines.3.name", "lines.1.country", "lines.1.customs_declaration", "totals.net",
		"totals.vat", "totals.gross", "totals.words", "payment_documents_text", "basis", "transport",
		"shipped_by.initials", "received_by.initials", "power_of_attorney", "shipment_date_contract"},
	workflow.DocRecommendationLetter: {"author.name", "author.inn", "supplier.name", "supplier.inn",
		"outgoing", "supplied.equipment.0", "supplied.amount", "supplied.amount_words", "supplied.period",
		"signatory.initials"},
}

// layoutFixed are literal texts each layout must print: titles, labels and the words of the
// forms that do not come from the view.
var layoutFixed = map[workflow.DocumentKind][]string{
	workflow.DocMeetingReport:        {"ОТЧЁТ О ВСТРЕЧЕ", "Следующие шаги", "Договорённости", "ЛПР"},
	workflow.DocProposal:             {"КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ", "Итого без НДС", "НДС 22 %", "Всего с НДС", "М.П."},
	workflow.DocClientCard:           {"КАРТА КЛИЕНТА", "Центр принятия решений", "История контактов", "223-ФЗ"},
	workflow.DocContract:             {"ДОГОВОР ПОСТАВКИ", "1. Предмет Договора", "7. Приёмка Товара", "10. Обстоятельства непреодолимой силы", "12. Антикоррупционная оговорка", "13. Адреса, реквизиты и подписи Сторон", "0,1 %", "10 %", "М.П."},
	workflow.DocSpecification:        {"СПЕЦИФИКАЦИЯ", "неотъемлемой частью Договора", "Итого без НДС", "Всего с НДС", "М.П."},
	workflow.DocProductionSchedule:   {"ГРАФИК ПРОИЗВОДСТВА", "выполнено", "+2 дн."},
	workflow.DocInvoice:              {"Счёт на оплату", "Банк получателя", "Получатель", "Итого без НДС", "НДС 22 %", "Всего к оплате с НДС", "Всего наименований 4", "Руководитель", "Главный бухгалтер", "М.П."},
	workflow.DocUPD:                  {"Универсальный передаточный документ", "Статус: 1", "Счёт-фактура № 214 от 06.07.2026", "он же", "без акциза", "Всего к оплате (9)", "[10]", "[15]", "[19]", "(1а)", "(10а)", "(11)"},
	workflow.DocRecommendationLetter: {"РЕКОМЕНДАТЕЛЬНОЕ ПИСЬМО", "Всем заинтересованным лицам", "М.П."},
}

// TestLayoutsShowTheView renders the example of every kind with its shipped layout and checks
// the PDF text: the number, the parties, the items, the totals and the amount in words from the
// view, the fixed wording of the form, and «стр. N из M» on every page.
func TestLayoutsShowTheView(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			_, d := layoutExample(t, k)
			pages := pdfPages(t, renderPDF(t, r, d))
			text := norm(strings.Join(pages, " "))
			want := []string{}
			if number, _ := d.Header(); number != "" {
				want = append(want, number)
			} else {
				t.Fatalf("the example of %s has no number", k)
			}
			v := d.View()
			paths, ok := layoutChecks[k]
			if !ok {
				t.Fatalf("no layout checks for %s", k)
			}
			for _, p := range paths {
				want = append(want, viewText(t, v, p))
			}
			want = append(want, layoutFixed[k]...)
			for _, w := range want {
				if !showsText(text, w) {
					t.Errorf("the PDF lacks %q", w)
				}
			}
			checkPageNumbers(t, k, pages)
		})
	}
}

// checkPageNumbers wants «стр. i из n» on page i of n (a one-page letter may omit it).
func checkPageNumbers(t *testing.T, k workflow.DocumentKind, pages []string) {
	t.Helper()
	if k == workflow.DocRecommendationLetter && len(pages) == 1 {
		if strings.Contains(pages[0], "стр.") {
			t.Errorf("a one-page letter carries a page number")
		}
		return
	}
	for i, p := range pages {
		want := fmt.Sprintf("стр. %d из %d", i+1, len(pages))
		if !strings.Contains(norm(p), want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
	}
}

// TestLayoutVariants renders the alternatives the examples do not take: the ТОРГ-12 +
// счёт-фактура profile of the УПД, a УПД of status 2, a contract with its own goods table
// and without ЭДО, a card that is not complete, a letter still awaiting the client.
func TestLayoutVariants(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		kind    workflow.DocumentKind
		edit    func(m map[string]any)
		want    []string
		notWant []string
	}{
		{"upd torg12", workflow.DocUPD, func(m map[string]any) { setPath(t, m, "profile", "torg12") },
			[]string{"ТОВАРНАЯ НАКЛАДНАЯ № 214 от 06.07.2026", "Унифицированная форма № ТОРГ-12", "0330212",
				"Всего по накладной", "Всего отпущено на сумму: Семь миллионов пятьсот три тысячи рублей 00 копеек",
				"Отпуск разрешил", "Груз получил грузополучатель", "Доверенность № 77 от 03.07.2026",
				"Счёт-фактура № 214 от 06.07.2026 (1)", "он же", "Российский рубль, 643", "без акциза", "Китай"},
			[]string{"Универсальный передаточный документ", "Статус:"}},
		{"upd status 2", workflow.DocUPD, func(m map[string]any) { setPath(t, m, "status", 2) },
			[]string{"Статус: 2", "Товар (груз) передал"},
			[]string{"Главный бухгалтер или иное уполномоченное лицо"}},
		{"contract with lines, no ЭДО", workflow.DocContract, func(m map[string]any) {
			setPath(t, m, "lines", exampleMap(t, workflow.DocSpecification)["lines"])
			setPath(t, m, "total", deleted{})
			setPath(t, m, "total_vat_rate", deleted{})
			setPath(t, m, "edo", false)
			setPath(t, m, "vat_change_clause", false)
		}, []string{"1.4. Стороны согласовали поставку следующего Товара", "Компрессор винтовой ВК-55",
			"Ресивер воздушный РВ-5000", "7 503 000,00", "12.4. Товаросопроводительные и расчётные документы"},
			[]string{"юридически значимыми электронными документами", "3.4."}},
		{"client card incomplete", workflow.DocClientCard, func(m map[string]any) { setPath(t, m, "dmu", []any{}) },
			[]string{"Карта заполнена не полностью", "dmu"}, []string{"Центр принятия решений"}},
		{"letter requested", workflow.DocRecommendationLetter, func(m map[string]any) {
			setPath(t, m, "status", "requested")
			setPath(t, m, "received_on", deleted{})
		}, []string{"Проект письма для согласования клиентом", "03.08.2026"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := exampleMap(t, c.kind)
			c.edit(m)
			d := mustDecode(t, c.kind, mustJSON(t, m))
			pages := pdfPages(t, renderPDF(t, r, d))
			text := norm(strings.Join(pages, " "))
			for _, w := range c.want {
				if !showsText(text, w) {
					t.Errorf("the PDF lacks %q", w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(text, norm(w)) {
					t.Errorf("the PDF shows %q", w)
				}
			}
			checkPageNumbers(t, c.kind, pages)
		})
	}
}

// TestLayoutPlaceholdersDocumented parses every shipped layout with the layout engine and
// checks each data path it reads: it must be a key VIEW.md documents for the kind, and a key
// the view of the example (or of a variant filling the example's empty lists) really has.
func TestLayoutPlaceholdersDocumented(t *testing.T) {
	eng, err := pdflayout.NewEngine(pdflayout.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseViewDoc(t)
	present := map[workflow.DocumentKind]map[string]bool{}
	for _, c := range viewCases(t) {
		if present[c.kind] == nil {
			present[c.kind] = map[string]bool{}
		}
		for p := range viewPaths(mustDecode(t, c.kind, c.raw).View()) {
			present[c.kind][p] = true
		}
	}
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			tf, err := Builtin(k, PDF)
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := eng.Parse(tf.Name, tf.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			documented := doc.documented(t, string(k))
			used := tpl.Placeholders()
			if len(used) < 10 {
				t.Fatalf("%s reads only %d paths: %v", tf.Name, len(used), used)
			}
			for _, p := range used {
				// "topics[]" is an element of a list of strings: the list itself is the key.
				key := strings.TrimSuffix(p, "[]")
				shape, ok := documented[key]
				switch {
				case !ok:
					t.Errorf("%s reads %q, which VIEW.md does not document for %s", tf.Name, p, k)
				case strings.HasSuffix(p, "[]") && shape != "strings":
					t.Errorf("%s loops over %q as a list of strings; VIEW.md says %s", tf.Name, key, shape)
				}
				if !present[k][strings.ReplaceAll(key, "[].", ".")] {
					t.Errorf("%s reads %q, which the view of the example lacks", tf.Name, p)
				}
			}
		})
	}
}

// TestLayoutLongInvoice renders a счёт with 300 lines: it must run over several pages, repeat
// the table header on each, number the pages «стр. N из M» and still end with the totals.
func TestLayoutLongInvoice(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	m := exampleMap(t, workflow.DocInvoice)
	base := m["lines"].([]any)
	var lines []any
	for len(lines) < 300 {
		lines = append(lines, base[len(lines)%len(base)])
	}
	m["lines"] = lines
	d := mustDecode(t, workflow.DocInvoice, mustJSON(t, m))
	v := d.View()
	if got := viewText(t, v, "totals.count"); got != "300" {
		t.Fatalf("totals.count = %s", got)
	}
	pages := pdfPages(t, renderPDF(t, r, d))
	if len(pages) < 4 {
		t.Fatalf("300 lines on %d pages, want at least 4", len(pages))
	}
	rows, withRows := 0, 0
	for i, p := range pages {
		np := norm(p)
		n := strings.Count(np, "Компрессор винтовой ВК-55") + strings.Count(np, "Осушитель рефрижераторный ОР-10") +
			strings.Count(np, "Ресивер воздушный РВ-5000") + strings.Count(np, "Пусконаладочные работы")
		if n > 0 {
			withRows++
			// The table header repeats on every page the table continues on.
			if !strings.Contains(np, "Товары (работы, услуги)") || !strings.Contains(np, "Кол-во") || !strings.Contains(np, "Ставка") {
				t.Errorf("page %d has %d rows and no table header", i+1, n)
			}
		} else if i < len(pages)-1 {
			t.Errorf("page %d of %d has no rows", i+1, len(pages))
		}
		if i > 0 && !strings.Contains(np, "(продолжение)") {
			t.Errorf("page %d has no running header", i+1)
		}
		rows += n
	}
	if rows != 300 {
		t.Errorf("%d item rows over all pages, want 300", rows)
	}
	if withRows < 4 {
		t.Errorf("the table spans %d pages, want at least 4", withRows)
	}
	checkPageNumbers(t, workflow.DocInvoice, pages)
	// The totals, the count and the amount in words follow the last row; the signatures are
	// on the last page.
	all := norm(strings.Join(pages, " "))
	lastRow := strings.LastIndex(all, "300 Пусконаладочные работы")
	if lastRow < 0 {
		t.Fatal("row 300 not found")
	}
	for _, w := range []string{viewText(t, v, "totals.net"), viewText(t, v, "totals.gross"),
		viewText(t, v, "totals.words"), "Всего наименований 300"} {
		if i := strings.LastIndex(all, norm(w)); i < lastRow {
			t.Errorf("%q is not after the last row", w)
		}
	}
	if !strings.Contains(norm(pages[len(pages)-1]), "Главный бухгалтер") {
		t.Errorf("the signatures are not on the last page")
	}
}

// TestLayoutGolden renders every example twice, wants identical bytes, and compares their
// SHA-256 with testdata/golden/KIND.pdf.sha256 (the ТОРГ-12 profile: upd-torg12). Run with
// -update after an intended change of a layout or of the layout engine.
func TestLayoutGolden(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	type golden struct {
		name string
		kind workflow.DocumentKind
		raw  []byte
	}
	var cases []golden
	for _, k := range Kinds() {
		raw, _ := layoutExample(t, k)
		cases = append(cases, golden{string(k), k, raw})
	}
	u := exampleMap(t, workflow.DocUPD)
	setPath(t, u, "profile", "torg12")
	cases = append(cases, golden{"upd-torg12", workflow.DocUPD, mustJSON(t, u)})
	dir := filepath.Join("testdata", "golden")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := renderPDF(t, r, mustDecode(t, c.kind, c.raw))
			// A fresh renderer: no parsed template or font state is shared.
			r2, err := NewRenderer(nil)
			if err != nil {
				t.Fatal(err)
			}
			b := renderPDF(t, r2, mustDecode(t, c.kind, c.raw))
			if !bytes.Equal(a, b) {
				t.Fatalf("two renders differ (%d and %d bytes)", len(a), len(b))
			}
			sum := sha256.Sum256(a)
			got := hex.EncodeToString(sum[:])
			file := filepath.Join(dir, c.name+".pdf.sha256")
			if updatingGolden() {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("no golden hash %s (run go test ./documents -run TestLayoutGolden -update)", file)
			} else if err != nil {
				t.Fatal(err)
			}
			if got != strings.TrimSpace(string(want)) {
				t.Errorf("%s.pdf sha256 = %s, golden %s; if the change is intended, rerun with -update",
					c.name, got, strings.TrimSpace(string(want)))
			}
		})
	}
	if updatingGolden() {
		return
	}
	// Every golden file belongs to a case: a stale one would hide a removed kind.
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf.sha256"))
	names := map[string]bool{}
	for _, c := range cases {
		names[c.name] = true
	}
	var stale []string
	for _, f := range files {
		if n := strings.TrimSuffix(filepath.Base(f), ".pdf.sha256"); !names[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("golden hashes without a case: %v", stale)
	}
}
