package docxfill_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/documents/docxfill"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking the change)", name)
	}
}

func TestProposalRender(t *testing.T) {
	tpl := mustProposal(t)
	d := proposalData(0, 3)
	out := render(t, tpl, d)

	doc := readPart(t, out, "word/document.xml")
	text := wordText(t, doc)

	for _, k := range []string{"seller.name", "buyer.address", "number", "date", "totals.gross", "payment_terms", "signer.initials", "intro", "offer_note"} {
		if !strings.Contains(text, d.Values[k]) {
			t.Errorf("document text lacks %s = %q", k, d.Values[k])
		}
	}
	for i, it := range d.Lists["lines"] {
		for _, f := range []string{"no", "name", "description", "qty", "price_net", "amount", "vat", "total"} {
			if !strings.Contains(text, it[f]) {
				t.Errorf("item %d: document text lacks %s = %q", i, f, it[f])
			}
		}
	}
	// Escaping: the raw XML carries entities, never the bare characters of the value.
	for _, want := range []string{"&amp; Ко", "&lt;Поставщик&gt;", "&#34;Главный&#34;", "&#39;офис&#39;"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	// The multi-line address became line breaks.
	if !strings.Contains(text, "162600, Вологодская обл.,\nг. Череповец,\nул. Труда, д. 5") {
		t.Error("multi-line address not rendered with line breaks")
	}
	if !bytes.Contains(doc, []byte(`Вологодская обл.,</w:t><w:br/><w:t xml:space="preserve">г. Череповец`)) {
		t.Error("line break markup not as expected")
	}
	// The split placeholders: the value sits in the first run, the other fragments are empty.
	if !strings.Contains(text, "Исх. № КП-2026-0001 от 12.03.2026") {
		t.Errorf("split placeholders not filled: %q", text[:min(len(text), 600)])
	}
	if strings.ContainsAny(text, "{}") {
		t.Error("a placeholder was left in the text")
	}
	// Three item rows plus heading, total row, the addressee and signature tables.
	if got := bytes.Count(doc, []byte("<w:tr>")); got != 3+2+2 {
		t.Errorf("table rows: got %d, want 7", got)
	}
	for i := 1; i <= 3; i++ {
		if !strings.Contains(text, fmt.Sprintf("\n%d\nНасос центробежный ЦНС 38-%d\nисп.", i, 43+i)) {
			t.Errorf("line number %d missing before its item", i)
		}
	}
	footer := wordText(t, readPart(t, out, "word/footer1.xml"))
	if !strings.Contains(footer, "Коммерческое предложение № КП-2026-0001 от 12.03.2026") {
		t.Errorf("footer not filled: %q", footer)
	}

	// Untouched parts are copied byte for byte.
	src := proposalBytes(t)
	for _, name := range []string{"word/styles.xml", "[Content_Types].xml", "word/_rels/document.xml.rels"} {
		if !bytes.Equal(readPart(t, out, name), readPart(t, src, name)) {
			t.Errorf("%s changed", name)
		}
	}

	// Deterministic: the same data gives the same bytes, and the same as last time.
	again := render(t, tpl, d)
	if !bytes.Equal(out, again) {
		t.Fatal("two renders of the same data differ")
	}
	tpl2 := mustProposal(t)
	if !bytes.Equal(out, render(t, tpl2, d)) {
		t.Fatal("a second parse of the template renders different bytes")
	}
	golden(t, "proposal-3-items.document.xml", doc)
	sum := sha256.Sum256(out)
	golden(t, "proposal-3-items.docx.sha256", []byte(hex.EncodeToString(sum[:])+"\n"))
}

func TestLoopRows(t *testing.T) {
	body := para("Счёт {number}") + table(
		row("№", "Товар", "Кол-во"),
		row("{items.#}", "{items.name}", "{items.qty}"),
		row("Итого", "{totals.sum}", ""),
	)
	tpl, err := docxfill.NewTemplate("loop", docWithBody(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tpl.Lists(), []string{"items", "totals"}; !slices.Equal(got, want) {
		t.Errorf("Lists() = %v, want %v", got, want)
	}
	values := map[string]string{"number": "7", "totals.sum": "30"}
	cases := []struct {
		name  string
		lists map[string][]map[string]string
		rows  int
		text  []string
	}{
		{"three items", map[string][]map[string]string{"items": {
			{"name": "a", "qty": "1"}, {"name": "b", "qty": "2"}, {"name": "c", "qty": "3", "#": "3а"},
		}}, 5, []string{"1\na\n1\n", "2\nb\n2\n", "3а\nc\n3\n", "Итого\n30"}},
		{"empty list removes the row", map[string][]map[string]string{"items": {}}, 2, []string{"Товар\nКол-во\nИтого\n30"}},
		{"one item", map[string][]map[string]string{"items": {{"name": "x & y", "qty": "1"}}}, 3, []string{"1\nx & y\n1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, tpl, docxfill.Data{Values: values, Lists: c.lists})
			doc := readPart(t, out, "word/document.xml")
			if got := bytes.Count(doc, []byte("<w:tr>")); got != c.rows {
				t.Errorf("rows: got %d, want %d", got, c.rows)
			}
			text := wordText(t, doc)
			for _, want := range c.text {
				if !strings.Contains(text, want) {
					t.Errorf("text %q lacks %q", text, want)
				}
			}
		})
	}

	t.Run("row filled from values without a list", func(t *testing.T) {
		out := render(t, tpl, docxfill.Data{Values: map[string]string{
			"number": "7", "totals.sum": "30", "items.#": "—", "items.name": "по спецификации", "items.qty": "—",
		}})
		text := wordText(t, readPart(t, out, "word/document.xml"))
		if !strings.Contains(text, "—\nпо спецификации\n—") {
			t.Errorf("text %q", text)
		}
	})

	t.Run("missing item fields are named with their index", func(t *testing.T) {
		var buf bytes.Buffer
		err := tpl.Render(&buf, docxfill.Data{Values: values, Lists: map[string][]map[string]string{"items": {
			{"name": "a", "qty": "1"}, {"name": "b"}, nil,
		}}})
		var me *docxfill.MissingError
		if !errors.As(err, &me) {
			t.Fatalf("got %v, want *MissingError", err)
		}
		if want := []string{"items.1.qty", "items.2.name", "items.2.qty"}; !slices.Equal(me.Keys, want) {
			t.Errorf("Keys = %v, want %v", me.Keys, want)
		}
		if buf.Len() != 0 {
			t.Error("output written despite the error")
		}
	})
}

func TestRowsThatAreNotLoops(t *testing.T) {
	body := table(
		row("{seller.inn}", "{buyer.inn}"), // two prefixes: plain row
		row("{total}", "x"),                // key without a dot: plain row
		row("ИНН", "{seller.kpp}"),         // one prefix: loop-capable, filled from values
	)
	tpl, err := docxfill.NewTemplate("plain", docWithBody(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.Lists(); !slices.Equal(got, []string{"seller"}) {
		t.Errorf("Lists() = %v", got)
	}
	vals := map[string]string{"seller.inn": "1", "buyer.inn": "2", "total": "3", "seller.kpp": "4"}
	// A list named like the prefix of a plain row does not repeat it.
	out := render(t, tpl, docxfill.Data{Values: vals, Lists: map[string][]map[string]string{"buyer": {{"inn": "x"}, {"inn": "y"}}}})
	doc := readPart(t, out, "word/document.xml")
	if got := bytes.Count(doc, []byte("<w:tr>")); got != 3 {
		t.Errorf("rows: %d, want 3", got)
	}
	if text := wordText(t, doc); !strings.Contains(text, "1\n2\n3\nx\nИНН\n4") {
		t.Errorf("text %q", text)
	}
}

func TestMissingAndExtraKeys(t *testing.T) {
	tpl := mustProposal(t)
	d := proposalData(1, 2)
	delete(d.Values, "seller.requisites_line")
	delete(d.Values, "number") // split across three runs, also in the footer
	d.Values["not.in.template"] = "ignored"
	var buf bytes.Buffer
	err := tpl.Render(&buf, d)
	var me *docxfill.MissingError
	if !errors.As(err, &me) {
		t.Fatalf("got %v, want *MissingError", err)
	}
	if want := []string{"number", "seller.requisites_line"}; !slices.Equal(me.Keys, want) {
		t.Errorf("Keys = %v, want %v", me.Keys, want)
	}
	if !strings.Contains(err.Error(), "seller.requisites_line") || !strings.Contains(err.Error(), "number") {
		t.Errorf("message %q does not name the keys", err)
	}
	if buf.Len() != 0 {
		t.Error("output written despite the error")
	}

	// An extra key alone is fine.
	d = proposalData(1, 2)
	d.Values["not.in.template"] = "ignored"
	render(t, tpl, d)

	// No data at all names every key, and the message stays short.
	err = tpl.Render(&buf, docxfill.Data{})
	if !errors.As(err, &me) || len(me.Keys) != len(tpl.Placeholders()) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "more") {
		t.Errorf("long message not truncated: %q", err)
	}
}

func TestPlaceholdersAndUnknown(t *testing.T) {
	tpl := mustProposal(t)
	ph := tpl.Placeholders()
	for _, want := range []string{"number", "date", "seller.requisites_line", "lines.name", "lines.no", "totals.words", "buyer.address", "currency.short"} {
		if !slices.Contains(ph, want) {
			t.Errorf("Placeholders() lacks %q", want)
		}
	}
	if !slices.IsSorted(ph) {
		t.Error("Placeholders() not sorted")
	}
	// Every placeholder is covered by the test data: scalars by Values, loop fields by lines.
	d := proposalData(0, 1)
	var known []string
	for k := range d.Values {
		known = append(known, k)
	}
	for f := range d.Lists["lines"][0] {
		known = append(known, "lines."+f)
	}
	if u := tpl.Unknown(known); len(u) != 0 {
		t.Errorf("Unknown() = %v, want none", u)
	}

	// An uploaded template with a misspelt key is detectable before any render.
	up := docWithBody(t, para("{seller.requisites_line}, {seller.innn}", "{items.#}"))
	utpl, err := docxfill.NewTemplate("upload", up)
	if err != nil {
		t.Fatal(err)
	}
	if got := utpl.Unknown(known); !slices.Equal(got, []string{"items.#", "seller.innn"}) {
		t.Errorf("Unknown() = %v", got)
	}
}

func TestValuesAreSanitised(t *testing.T) {
	tpl, err := docxfill.NewTemplate("v", docWithBody(t, `<w:p><w:r><w:t>{v}</w:t></w:r></w:p>`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, text string }{
		{"  отступ  ", "  отступ  "},
		{"a\r\nb\rc\nd", "a\nb\nc\nd"},
		{"a\tb", "a\tb"},
		{"a\x00b\x1fc\x7fd", "abc\x7fd"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"\uFFFEx\uFFFF", "x"},
		{"{other} } {", "{other} } {"},
		{"", ""},
	}
	for _, c := range cases {
		out := render(t, tpl, docxfill.Data{Values: map[string]string{"v": c.in}})
		doc := readPart(t, out, "word/document.xml")
		if got := strings.TrimSuffix(wordText(t, doc), "\n"); got != c.text {
			t.Errorf("value %q: text %q, want %q", c.in, got, c.text)
		}
		// The bare <w:t> holding a value got xml:space="preserve".
		if !bytes.Contains(doc, []byte(`<w:t xml:space="preserve">`)) {
			t.Errorf("value %q: w:t does not preserve spaces", c.in)
		}
	}
}

// TestLoopRowWithSplitPlaceholders repeats a row whose placeholders Word split across
// runs, one of them in the way go-docx alone cannot pair ("} x {").
func TestLoopRowWithSplitPlaceholders(t *testing.T) {
	cell := func(runs ...string) string { return "<w:tc>" + para(runs...) + "</w:tc>" }
	body := table(
		"<w:tr>"+cell("{items.", "name}")+
			`<w:tc><w:p><w:r><w:t>{</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>items.qty</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:t xml:space="preserve">} шт. по {items.price}</w:t></w:r></w:p></w:tc>`+
			"</w:tr>",
		row("{sum}"),
	)
	tpl, err := docxfill.NewTemplate("split-loop", docWithBody(t, body))
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, tpl, docxfill.Data{
		Values: map[string]string{"sum": "12"},
		Lists: map[string][]map[string]string{"items": {
			{"name": "Болт", "qty": "2", "price": "3"},
			{"name": "Гайка", "qty": "3", "price": "2"},
		}},
	})
	text := wordText(t, readPart(t, out, "word/document.xml"))
	if want := "Болт\n2 шт. по 3\nГайка\n3 шт. по 2\n12\n\n"; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
}
