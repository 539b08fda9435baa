package pdflayout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

func TestProposalReadsBack(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := mustParseFile(t, e, proposalTemplatePath)
	data := loadJSON(t, filepath.Join("testdata", "proposal.json"))
	pdf, res := render(t, e, tpl, data, RenderOptions{})
	if res.Path != PathFast || res.Pages != 1 || len(res.Fallback) != 0 {
		t.Errorf("result %+v, want the fast path and one page", res)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Fatal("output is not a complete PDF")
	}
	text := normalize(pdftotext(t, pdf))
	for _, want := range []string{
		"АО «УралКомпрессорМаш»",
		"ИНН / КПП 6658012341 / 665801001",
		"40702810938000012345 в ПАО Сбербанк",
		"Исх. № КП-2026-0123 от 12.03.2026",
		"Главному инженеру",
		"АО «Каменский завод металлоконструкций»",
		"Иванову С. П.",
		"КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ",
		"Уважаемый Сергей Петрович!",
		"Цена без", "Сумма без", "Всего с НДС,", "НДС 22 %, ₽",
		"Компрессор винтовой УКМ-55 (55 кВт, 10",
		"м³/мин",
		"+3 °C",
		"2 600 000,00 5 200 000,00 1 144 000,00 6 344 000,00",
		"Итого без НДС, ₽: 6 737 750,00",
		"НДС 22 %, ₽: 1 482 305,00",
		"Всего с НДС, ₽: 8 220 055,00",
		"Восемь миллионов двести двадцать тысяч пятьдесят пять рублей 00 копеек",
		"60 рабочих дней с даты поступления аванса",
		"до 11.04.2026 (30 календарных дней)",
		"не является публичной офертой",
		"/ А. В. Петров /",
		"(подпись)",
		"М.П.",
		"стр. 1 из 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	if strings.Contains(text, "ЧЕРНОВИК") {
		t.Error("a final document carries the draft watermark")
	}
	// Every item name appears.
	for _, it := range data["items"].([]any) {
		name := it.(map[string]any)["name"].(string)
		if first := strings.Fields(name)[0]; !strings.Contains(text, first) {
			t.Errorf("item %q missing", name)
		}
	}
	// The fast path embeds the prepared single-byte subsets, not the full
	// faces: a one-page proposal stays small.
	if len(pdf) > 120_000 {
		t.Errorf("PDF is %d bytes; the fast path should stay near 75 KB", len(pdf))
	}
	if !bytes.Contains(pdf, []byte("/Differences [128 /uni0402")) {
		t.Error("PDF lacks the cp1251x encoding")
	}
}

// TestLongTableRepeatsHeader renders a 300-line invoice: the rows flow over
// several pages, every page repeats the header row and says "стр. N из M",
// and no row is lost or duplicated.
func TestLongTableRepeatsHeader(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := mustParseFile(t, e, filepath.Join("testdata", "invoice.xml"))
	data := invoiceData(t, 1, 300)
	pdf, res := render(t, e, tpl, data, RenderOptions{})
	if res.Pages < 5 {
		t.Fatalf("300 rows on %d pages", res.Pages)
	}
	rowNo := regexp.MustCompile(`(?m)^\s*(\d{1,3})\s+\S`)
	next := 1
	for p := 1; p <= res.Pages; p++ {
		page := pdftotextPage(t, pdf, p)
		if want := fmt.Sprintf("стр. %d из %d", p, res.Pages); !strings.Contains(page, want) {
			t.Errorf("page %d lacks %q", p, want)
		}
		rows := 0
		for _, m := range rowNo.FindAllStringSubmatch(page, -1) {
			var n int
			fmt.Sscan(m[1], &n)
			if n == next {
				next++
				rows++
			}
		}
		// Every page with table rows starts with the header row; a page
		// after the table has none.
		headers := strings.Count(page, "Товары (работы, услуги)")
		if hasRows := rows > 0 || strings.Contains(page, "Итого:"); hasRows && headers != 1 || !hasRows && headers != 0 {
			t.Errorf("page %d: %d table rows and %d header rows", p, rows, headers)
		}
		if rows > 0 && strings.Index(page, "Товары (работы, услуги)") > strings.Index(page, "Осуш") && strings.Contains(page, "Осуш") && p > 1 {
			t.Errorf("page %d: header row is not above the rows", p)
		}
	}
	if next != 301 {
		t.Errorf("rows 1..300 not all found in order; stopped before %d", next)
	}
	last := normalize(pdftotextPage(t, pdf, res.Pages))
	total, _ := fnMoney([]any{data["total"]})
	if !strings.Contains(last, "Всего к оплате: "+normalize(total.(string))) {
		t.Errorf("last page lacks the total %q", total)
	}
	all := normalize(pdftotext(t, pdf))
	for i, it := range data["items"].([]any) {
		if name := it.(map[string]any)["name"].(string); !strings.Contains(all, strings.Fields(name)[0]) {
			t.Fatalf("item %d %q missing", i+1, name)
		}
	}
}

func pdftotextPage(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	p := fmt.Sprint(page)
	return runPdftotext(t, pdf, "-layout", "-f", p, "-l", p)
}

func pdftotextRaw(t *testing.T, pdf []byte) string {
	t.Helper()
	return runPdftotext(t, pdf, "-raw")
}

func runPdftotext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		pdftotext(t, pdf) // skips, or fails in CI
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(append(args, "-enc", "UTF-8"), in, "-")
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// TestDeterministicGolden: the same template and data give byte-identical
// PDFs across renders and engines, and the bytes match the recorded hash.
// Run with -update after an intended change of the output.
func TestDeterministicGolden(t *testing.T) {
	data := loadJSON(t, filepath.Join("testdata", "proposal.json"))
	var sums []string
	for i := 0; i < 3; i++ {
		e := newTestEngine(t, EngineOptions{})
		tpl := mustParseFile(t, e, proposalTemplatePath)
		pdf, _ := render(t, e, tpl, data, RenderOptions{Draft: i == 2})
		if i == 2 {
			pdf, _ = render(t, e, tpl, data, RenderOptions{}) // after a draft: no state leaks
		}
		sum := sha256.Sum256(pdf)
		sums = append(sums, hex.EncodeToString(sum[:]))
	}
	if sums[0] != sums[1] || sums[1] != sums[2] {
		t.Fatalf("renders differ: %v", sums)
	}
	golden := filepath.Join("testdata", "golden", "proposal.pdf.sha256")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(sums[0]+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestDeterministicGolden -update)", err)
	}
	if got := sums[0]; got != strings.TrimSpace(string(want)) {
		t.Errorf("proposal.pdf sha256 = %s, golden %s; if the change is intended, rerun with -update", got, strings.TrimSpace(string(want)))
	}
}

const fallbackTemplate = `<document title="{{.title}}">
  <h2>{{.title}}</h2>
  <p>Допуск {{.tol}}, угол {{.angle}}, далее {{.arrow}}</p>
  <p>Цена 1 500,00 ₽ × 2</p>
</document>`

// TestFallbackToUTF8 proves that text outside the single-byte set is never
// replaced: the document takes the UTF-8 path and reads back intact.
func TestFallbackToUTF8(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl, err := e.Parse("fallback.xml", []byte(fallbackTemplate))
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"title": "Зазор ≤ 0,5 мм", "tol": "±0,1 мм", "angle": "α = 30°", "arrow": "→ этап 2 ✓"}
	pdf, res := render(t, e, tpl, data, RenderOptions{})
	if res.Path != PathUTF8 {
		t.Fatalf("path %s, want utf8", res.Path)
	}
	if got := string(res.Fallback); got != "α→≤✓" {
		t.Errorf("Fallback = %q, want the four characters outside cp1251x", got)
	}
	text := normalize(pdftotext(t, pdf))
	for _, want := range []string{"Зазор ≤ 0,5 мм", "Допуск ±0,1 мм", "угол α = 30°", "далее → этап 2 ✓", "Цена 1 500,00 ₽ × 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("UTF-8 path lost %q; got %q", want, text)
		}
	}
	// Without those characters the same template takes the fast path.
	data = map[string]any{"title": "Зазор не более 0,5 мм", "tol": "±0,1 мм", "angle": "30°", "arrow": "этап 2"}
	pdf, res = render(t, e, tpl, data, RenderOptions{})
	if res.Path != PathFast {
		t.Errorf("path %s, want fast", res.Path)
	}
	if text := normalize(pdftotext(t, pdf)); !strings.Contains(text, "Цена 1 500,00 ₽ × 2") {
		t.Errorf("fast path lost text: %q", text)
	}
}

// TestMissingGlyphsRefused: characters no embedded font has (CJK) are an
// error, and nothing is written.
func TestMissingGlyphsRefused(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl, err := e.Parse("fallback.xml", []byte(fallbackTemplate))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = e.Render(&buf, tpl, map[string]any{"title": "Поставщик 上海机械", "tol": "≤", "angle": "", "arrow": ""}, RenderOptions{})
	var mg *MissingGlyphsError
	if !errors.As(err, &mg) || string(mg.Runes) != "上机械海" {
		t.Fatalf("err = %v, want MissingGlyphsError for 上海机械", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written for a refused document", buf.Len())
	}
}

func TestDraftWatermark(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := mustParseFile(t, e, proposalTemplatePath)
	data := loadJSON(t, filepath.Join("testdata", "proposal.json"))
	pdf, res := render(t, e, tpl, data, RenderOptions{Draft: true})
	if res.Path != PathFast {
		t.Errorf("draft took the %s path", res.Path)
	}
	// The watermark is rotated: pdftotext -raw gives it letter by letter.
	raw := strings.Join(strings.Fields(pdftotextRaw(t, pdf)), "")
	if !strings.Contains(raw, "ЧЕРНОВИК") {
		t.Error("draft lacks the ЧЕРНОВИК watermark")
	}
	if text := pdftotext(t, pdf); !strings.Contains(normalize(text), "8 220 055,00") {
		t.Error("watermark hides the content from text extraction")
	}
}

// TestConcurrentRenders: one engine and template, many goroutines, each
// output equal to the serial render of the same data (run with -race).
func TestConcurrentRenders(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := mustParseFile(t, e, proposalTemplatePath)
	base := loadJSON(t, filepath.Join("testdata", "proposal.json"))
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 24
	data := make([]map[string]any, n)
	want := make([][]byte, n)
	for i := range data {
		data[i] = proposalVariant(base, rng, i, 3+i%8)
		if i%5 == 0 { // some documents take the UTF-8 path
			data[i]["subject"] = "Поставка ≤ 60 дней"
		}
		want[i], _ = render(t, e, tpl, data[i], RenderOptions{Draft: i%3 == 0})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < n; k++ {
				i := (k + g*7) % n
				var buf bytes.Buffer
				if _, err := e.Render(&buf, tpl, data[i], RenderOptions{Date: testDate, Draft: i%3 == 0}); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(buf.Bytes(), want[i]) {
					errs <- fmt.Errorf("document %d differs when rendered concurrently", i)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLogoImage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 120, 40))
	for x := 0; x < 120; x++ {
		for y := 0; y < 40; y++ {
			img.Set(x, y, color.RGBA{0x1F, 0x38, 0x64, 0xFF})
		}
	}
	var logo bytes.Buffer
	if err := png.Encode(&logo, img); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, EngineOptions{})
	tpl := mustParseFile(t, e, proposalTemplatePath)
	if got := strings.Join(tpl.Images(), ","); got != "logo" {
		t.Errorf("Images() = %q", got)
	}
	data := loadJSON(t, filepath.Join("testdata", "proposal.json"))
	with, _ := render(t, e, tpl, data, RenderOptions{Images: map[string][]byte{"logo": logo.Bytes()}})
	without, _ := render(t, e, tpl, data, RenderOptions{})
	if !bytes.Contains(with, []byte("/Subtype /Image")) || bytes.Contains(without, []byte("/Subtype /Image")) {
		t.Error("logo not embedded exactly when given")
	}
	if text := normalize(pdftotext(t, with)); !strings.Contains(text, "стр. 1 из 1") {
		t.Error("logo pushed the proposal onto a second page")
	}
	var buf bytes.Buffer
	_, err := e.Render(&buf, tpl, data, RenderOptions{Images: map[string][]byte{"logo": []byte("GIF89a not really")}})
	var re *RenderError
	if !errors.As(err, &re) || re.Line == 0 || !strings.Contains(re.Msg, "logo") {
		t.Errorf("bad image: err = %v, want a RenderError with the template position", err)
	}
}

// TestShippedProposalReadsBack renders the shipped templates/pdf/proposal.xml
// with the proposal view of templates/examples/proposal.json
// (testdata/proposal_view.json is a snapshot of documents' Proposal.View();
// documents' own tests render the live view). The template's wording is
// edited by others, so only facts every proposal prints are checked.
func TestShippedProposalReadsBack(t *testing.T) {
	e, err := NewEngine(EngineOptions{}) // the product engine injects no functions
	if err != nil {
		t.Fatal(err)
	}
	tpl := mustParseFile(t, e, filepath.Join("..", "..", "templates", "pdf", "proposal.xml"))
	data := loadJSON(t, filepath.Join("testdata", "proposal_view.json"))
	for _, p := range tpl.Placeholders() {
		if !hasPath(data, strings.Split(p, ".")) {
			t.Errorf("templates/pdf/proposal.xml reads %q, which the proposal view lacks", p)
		}
	}
	pdf, res := render(t, e, tpl, data, RenderOptions{})
	if res.Path != PathFast {
		t.Errorf("path %s", res.Path)
	}
	text := normalize(pdftotext(t, pdf))
	for _, want := range []string{
		"АО «УралКомпрессорМаш»", "КП-2026-0123", "12.03.2026", "Гаврилов", "Компрессор винтовой ВК-55",
		"4 940 000,00", "7 503 000,00", "Семь миллионов пятьсот три тысячи рублей 00 копеек",
		"А. В. Смирнов", fmt.Sprintf("стр. 1 из %d", res.Pages),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("shipped proposal lacks %q", want)
		}
	}
}

// TestOnlyPlacedFacesEmbedded: a header whose italic line appears from page
// 2 on is laid out (measured) for every document, but a one-page document
// places no italic text and must not embed the italic face; a two-page one
// must, and its italic text must read back.
func TestOnlyPlacedFacesEmbedded(t *testing.T) {
	e := newTestEngine(t, EngineOptions{})
	tpl := parseString(t, e, `<document page="A4" margin="15">
  <header><if test="gt $page 1"><p italic="true">Продолжение, стр. {{$page}}</p></if></header>
  <p>Первая страница ₽ 58×40</p>
  <if test=".two"><pagebreak/><p bold="true">Вторая страница</p></if>
</document>`)
	for _, two := range []bool{false, true} {
		pdf, res := render(t, e, tpl, map[string]any{"two": two}, RenderOptions{})
		fonts := bytes.Count(pdf, []byte("/FontFile2 "))
		italic := bytes.Contains(pdf, []byte("-Oblique"))
		text := normalize(pdftotext(t, pdf))
		switch {
		case !two && (res.Pages != 1 || fonts != 1 || italic):
			t.Errorf("one page: %d pages, %d embedded faces, italic %v; want 1, 1 (regular), false", res.Pages, fonts, italic)
		case two && (res.Pages != 2 || fonts != 3 || !italic):
			t.Errorf("two pages: %d pages, %d embedded faces, italic %v; want 2, 3, true", res.Pages, fonts, italic)
		}
		if !strings.Contains(text, "Первая страница ₽ 58×40") || two != strings.Contains(text, "Продолжение, стр. 2") {
			t.Errorf("two=%v: text %q", two, text)
		}
	}
}
