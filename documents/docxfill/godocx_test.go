package docxfill_test

import (
	"bytes"
	"slices"
	"sync"
	"testing"

	"github.com/dealgate/dealgate/documents/docxfill"
	godocx "github.com/lukasjarosch/go-docx"
)

// TestSameBytesAsGoDocx pins the compiled splice to go-docx v0.4.7's own replacement:
// for a template whose w:t already preserve spaces and values without line breaks, the
// filled document.xml and header are byte-identical to OpenBytes + ReplaceAll + Write.
func TestSameBytesAsGoDocx(t *testing.T) {
	const w = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	body := para("Исх. № ", "{num", "ber}", " от {date}") +
		`<w:p><w:r><w:t xml:space="preserve">{</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">seller</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:t xml:space="preserve">.name}</w:t></w:r><w:r><w:t xml:space="preserve">, ИНН {seller.inn}</w:t></w:r></w:p>` +
		para("{a}{b}{a}", "тест {date}") +
		table(row("{seller.inn}", "{buyer.inn}"))
	src := docWithBody(t, body, file{"word/header1.xml", `<w:hdr ` + w + `>` + para("КП {number}") + `</w:hdr>`})
	values := map[string]string{
		"number": "КП-2026-0042", "date": "05.06.2026", "seller.name": `ООО «Ромашка & Ко» <"x">`,
		"seller.inn": "7707083893", "buyer.inn": "", "a": "Ёё 'q'", "b": "скобки { и } по одной",
	}

	tpl, err := docxfill.NewTemplate("same", src)
	if err != nil {
		t.Fatal(err)
	}
	ours := render(t, tpl, docxfill.Data{Values: values})

	doc, err := godocx.OpenBytes(src)
	if err != nil {
		t.Fatal(err)
	}
	pm := godocx.PlaceholderMap{}
	for k, v := range values {
		pm[k] = v
	}
	if err := doc.ReplaceAll(pm); err != nil {
		t.Fatal(err)
	}
	var theirs bytes.Buffer
	if err := doc.Write(&theirs); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"word/document.xml", "word/header1.xml"} {
		got, want := readPart(t, ours, part), readPart(t, theirs.Bytes(), part)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from go-docx:\n ours: %s\ntheirs: %s", part, got, want)
		}
	}
}

// TestSplitThatGoDocxLoses covers the split Word makes when spell-check marks surround
// the key: the last run ends one placeholder and starts the next ("} от {date}").
// go-docx v0.4.7's ParsePlaceholders loses both; NewTemplate pairs the braces itself.
func TestSplitThatGoDocxLoses(t *testing.T) {
	body := `<w:p><w:r><w:t xml:space="preserve">Исх. № {</w:t></w:r><w:proofErr w:type="spellStart"/>` +
		`<w:r><w:t>number</w:t></w:r><w:proofErr w:type="spellEnd"/>` +
		`<w:r><w:t xml:space="preserve">} от {date}, {a}</w:t></w:r></w:p>` + para("{x", "}{b}{", "c}")
	src := docWithBody(t, body)
	xmlDoc := readPart(t, src, "word/document.xml")

	rp := godocx.NewRunParser(xmlDoc)
	if err := rp.Execute(); err != nil {
		t.Fatal(err)
	}
	if phs, _ := godocx.ParsePlaceholders(rp.Runs(), xmlDoc); len(phs) == 6 {
		t.Log("go-docx now finds all placeholders itself; the fallback may be unnecessary")
	}

	tpl, err := docxfill.NewTemplate("split", src)
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.Placeholders(); !slices.Equal(got, []string{"a", "b", "c", "date", "number", "x"}) {
		t.Fatalf("Placeholders() = %v", got)
	}
	out := render(t, tpl, docxfill.Data{Values: map[string]string{"number": "КП-1", "date": "01.02.2026", "a": "A", "b": "B", "c": "C", "x": "X"}})
	text := wordText(t, readPart(t, out, "word/document.xml"))
	if want := "Исх. № КП-1 от 01.02.2026, A\nXBC\n"; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
}

// TestConcurrentUse renders from one template in 4 goroutines × 50 times, each output
// checked against the single-threaded bytes, while other goroutines parse templates
// (go-docx's parser counters are guarded). Run with -race.
func TestConcurrentUse(t *testing.T) {
	tpl := mustProposal(t)
	const variants = 10
	data := make([]docxfill.Data, variants)
	want := make([][]byte, variants)
	for i := range data {
		data[i] = proposalData(i, 1+i%4)
		want[i] = render(t, tpl, data[i])
	}
	src := proposalBytes(t)

	var wg sync.WaitGroup
	errs := make(chan string, 400)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for n := range 50 {
				i := (g*7 + n) % variants
				buf.Reset()
				if err := tpl.Render(&buf, data[i]); err != nil {
					errs <- err.Error()
					return
				}
				if !bytes.Equal(buf.Bytes(), want[i]) {
					errs <- "concurrent render differs from the single-threaded one"
					return
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				p, err := docxfill.NewTemplate("again", src)
				if err != nil {
					errs <- err.Error()
					return
				}
				var buf bytes.Buffer
				if err := p.Render(&buf, data[g]); err != nil || !bytes.Equal(buf.Bytes(), want[g]) {
					errs <- "template parsed concurrently renders differently"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
