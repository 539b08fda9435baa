package docxfill_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dealgate/dealgate/documents/docxfill"
)

// FuzzNewTemplate feeds arbitrary bytes to NewTemplate. It must never panic; a refusal
// must wrap ErrInvalidTemplate; an accepted template must render with every placeholder
// filled, and every XML entry that was well formed in the input must be well formed in
// the output. Seeds: testdata/fuzz/FuzzNewTemplate (go test -update rewrites them).
func FuzzNewTemplate(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, in []byte) {
		tpl, err := docxfill.NewTemplate("fuzz", in)
		if err != nil {
			if !errors.Is(err, docxfill.ErrInvalidTemplate) {
				t.Fatalf("error does not wrap ErrInvalidTemplate: %v", err)
			}
			return
		}
		d := fullData(tpl, "x & <y>\n\"z\"")
		var out bytes.Buffer
		if err := tpl.Render(&out, d); err != nil {
			t.Fatalf("Render: %v", err)
		}
		before := xmlEntries(t, in)
		after := xmlEntries(t, out.Bytes())
		for name, ok := range before {
			if ok && !after[name] {
				t.Fatalf("%s was well-formed XML and is not after filling", name)
			}
		}
	})
}

// FuzzDocumentXML is FuzzNewTemplate one level down: the fuzzer writes word/document.xml
// and the test zips it, so mutations reach go-docx's parsers and the compiler instead of
// failing the zip checksums.
func FuzzDocumentXML(f *testing.F) {
	f.Add(readPart(f, proposalBytes(f), "word/document.xml"))
	for _, body := range []string{
		para("{a}", "{b.c}") + table(row("{items.#}", "{items.x}"), row("{t.a}")),
		`<w:p><w:r><w:t>{</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>number</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:t xml:space="preserve">} от {date}</w:t></w:r></w:p>`,
		`<w:p><w:r><w:t/></w:r><w:r/><w:r><w:t>{a}</w:t><w:br/><w:t>b</w:t></w:r></w:p>`,
		table(`<w:tr><w:tc>` + table(row("{x.a}")) + `</w:tc><w:tc>` + para("{x.b}") + `</w:tc></w:tr>`),
	} {
		f.Add([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		in := makeZip(t, file{"[Content_Types].xml", contentTypes}, file{"word/document.xml", string(doc)})
		tpl, err := docxfill.NewTemplate("fuzz", in)
		if err != nil {
			if !errors.Is(err, docxfill.ErrInvalidTemplate) {
				t.Fatalf("error does not wrap ErrInvalidTemplate: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := tpl.Render(&out, fullData(tpl, "x & <y>\n\"z\"\t")); err != nil {
			t.Fatalf("Render: %v", err)
		}
		filled := readPart(t, out.Bytes(), "word/document.xml")
		if _, err := decodeWordText(doc); err == nil {
			if _, err := decodeWordText(filled); err != nil {
				t.Fatalf("well-formed template, malformed output: %v\n%s", err, filled)
			}
		}
		if len(tpl.Placeholders()) > 0 && bytes.Equal(filled, doc) {
			t.Fatal("placeholders found but nothing filled")
		}
	})
}

// FuzzRenderValues renders arbitrary values into a split placeholder and a loop row and
// checks the exact text that comes back out of the XML. Seeds:
// testdata/fuzz/FuzzRenderValues.
func FuzzRenderValues(f *testing.F) {
	f.Add("", "")
	f.Add(`ООО «Ромашка & Ко» <b> "q" 'a'`, "строка 1\nстрока 2\tтаб")
	f.Add("\xff\x00\r\n\r", "\uFFFE{a}{items.b}\uFFFF")
	body := `<w:p><w:r><w:t>{</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>a}</w:t></w:r></w:p>` +
		table(row("{items.b}", "{items.#}"))
	tpl, err := docxfill.NewTemplate("values", docWithBody(f, body))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var out bytes.Buffer
		err := tpl.Render(&out, docxfill.Data{
			Values: map[string]string{"a": a},
			Lists:  map[string][]map[string]string{"items": {{"b": b}, {"b": b}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		doc := readPart(t, out.Bytes(), "word/document.xml")
		got, err := decodeWordText(doc)
		if err != nil {
			t.Fatalf("malformed XML for a=%q b=%q: %v", a, b, err)
		}
		sa, sb := sanitized(a), sanitized(b)
		if want := sa + "\n" + sb + "\n1\n" + sb + "\n2\n\n"; got != want {
			t.Fatalf("text %q, want %q", got, want)
		}
	})
}

// sanitized is what a value reads as in the document: invalid UTF-8 bytes become U+FFFD,
// CR LF and CR become LF, other characters outside XML 1.0 are dropped.
func sanitized(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(0xFFFD)
		case r == '\r':
			b.WriteByte('\n')
			if i < len(s) && s[i] == '\n' {
				i++
			}
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fullData fills every placeholder of tpl with v, and gives every loop list two items
// with all its fields.
func fullData(tpl *docxfill.Template, v string) docxfill.Data {
	d := docxfill.Data{Values: map[string]string{}, Lists: map[string][]map[string]string{}}
	for _, k := range tpl.Placeholders() {
		d.Values[k] = v
	}
	for _, l := range tpl.Lists() {
		item := map[string]string{}
		for _, k := range tpl.Placeholders() {
			if f, ok := strings.CutPrefix(k, l+"."); ok {
				item[f] = v
			}
		}
		d.Lists[l] = []map[string]string{item, item}
	}
	return d
}

// xmlEntries maps the .xml entries of a zip to whether they are well-formed XML.
func xmlEntries(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string]bool{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		_, err = decodeWordText(data)
		out[f.Name] = err == nil
	}
	return out
}

// TestFuzzSeeds writes the seed corpora of both fuzz targets when run with -update, and
// otherwise checks that it is there (go test runs every seed as a sub-test).
func TestFuzzSeeds(t *testing.T) {
	const w = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	proposal := proposalBytes(t)
	seeds := map[string][]byte{
		"proposal":        proposal,
		"truncated":       proposal[:len(proposal)*2/3],
		"plain":           docWithBody(t, para("Текст без полей")),
		"loop":            docWithBody(t, para("{n}")+table(row("№", "Товар"), row("{items.#}", "{items.name}"), row("{t.a}", "{t.b}"))),
		"word-split":      docWithBody(t, `<w:p><w:r><w:t>{</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>number</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:t xml:space="preserve">} от {date}</w:t></w:r></w:p>`),
		"header-footer":   docWithBody(t, para("{a}"), file{"word/header1.xml", `<w:hdr ` + w + `>` + para("{h}") + `</w:hdr>`}, file{"word/footer1.xml", `<w:ftr ` + w + `>` + para("{f}") + `</w:ftr>`}),
		"nested-table":    docWithBody(t, table(`<w:tr><w:tc>`+table(row("{x.a}"))+`</w:tc></w:tr>`)),
		"traversal":       makeZip(t, file{"[Content_Types].xml", contentTypes}, file{"../word/document.xml", "<a/>"}),
		"empty-w-t":       docWithBody(t, `<w:p><w:r><w:t/></w:r><w:r><w:t>{a}</w:t></w:r></w:p>`),
		"two-texts-a-run": docWithBody(t, `<w:p><w:r><w:t>{a}</w:t><w:br/><w:t>{b}</w:t></w:r></w:p>`),
	}
	files := map[string]string{}
	for name, b := range seeds {
		files[filepath.Join("FuzzNewTemplate", name)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
	}
	values := map[string][2]string{
		"escaping":  {`ООО «Гидромаш & Ко» <Поставщик> "Главный" 'офис'`, "a<b>&c"},
		"lines":     {"162600, Вологодская обл.,\nг. Череповец,\r\nул. Труда, д. 5", "\tотступ  "},
		"invalid":   {"\xff\xfe\x00\x1b[0m", "\uFFFE\uFFFF\U0001F600"},
		"braces":    {"{a}", "{items.b} }{"},
		"long-utf8": {strings.Repeat("Ёжик ", 500), strings.Repeat("№ ", 100)},
	}
	for name, v := range values {
		files[filepath.Join("FuzzRenderValues", name)] = fmt.Sprintf("go test fuzz v1\nstring(%q)\nstring(%q)\n", v[0], v[1])
	}
	for name, content := range files {
		path := filepath.Join("testdata", "fuzz", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("seed missing (go test -update writes it): %v", err)
		}
	}
}
