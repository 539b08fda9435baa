package docxfill_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/documents/docxfill"
	tpldocx "github.com/dealgate/dealgate/templates/docx"
)

// proposalBytes returns the shipped proposal template.
func proposalBytes(t testing.TB) []byte {
	t.Helper()
	b, err := tpldocx.FS.ReadFile("proposal.docx")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustProposal parses the shipped proposal template.
func mustProposal(t testing.TB) *docxfill.Template {
	t.Helper()
	tpl, err := docxfill.NewTemplate("proposal.docx", proposalBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// proposalData is a complete data set for proposal.docx with n line items, keyed like the
// proposal view of documents/VIEW.md. variant changes the number, the quantities and
// every sum, so each variant is a different document.
func proposalData(variant, n int) docxfill.Data {
	lines := make([]map[string]string, n)
	var net, vat int64 // kopecks
	for i := range lines {
		qty := int64(1 + (variant+i)%7)
		price := int64(125000000 + 1000*int64(i) + int64(variant)) // kopecks
		amount := qty * price
		v := (amount*22 + 50) / 100
		net += amount
		vat += v
		lines[i] = map[string]string{
			"no":          fmt.Sprint(i + 1),
			"name":        fmt.Sprintf("Насос центробежный ЦНС 38-%d", 44+i),
			"description": "исп. «Х», ТУ 3631-001, 45 кВт",
			"unit":        "шт",
			"qty":         fmt.Sprint(qty),
			"price_net":   rub(price),
			"amount":      rub(amount),
			"vat":         rub(v),
			"total":       rub(amount + v),
		}
	}
	return docxfill.Data{
		Values: map[string]string{
			"number":                 fmt.Sprintf("КП-2026-%04d", variant+1),
			"date":                   "12.03.2026",
			"greeting":               "Уважаемый Иван Петрович!",
			"subject":                "О поставке насосного оборудования",
			"intro":                  "По итогам встречи 10.03.2026 направляем предложение на поставку насосов для станции «Северная».",
			"solution":               "Два насоса работают попеременно, третий в резерве.",
			"benefits_text":          "Экономия электроэнергии 18 %\nСервис в Череповце",
			"currency.short":         "руб.",
			"validity":               "до 11.04.2026 (30 (тридцать) календарных дней)",
			"offer_note":             "Настоящее коммерческое предложение не является публичной офертой. Цены действительны до 11.04.2026.",
			"seller.name":            `ООО «Гидромаш & Ко» <Поставщик> "Главный" 'офис'`,
			"seller.address":         "191186, г. Санкт-Петербург, Невский пр-кт, д. 1, лит. А, пом. 2-Н",
			"seller.requisites_line": "ИНН 7841000001, КПП 784101001, ОГРН 1027800000001",
			"seller.phone":           "+7 (812) 000-00-01",
			"seller.email":           "sales@gidromash.example",
			"seller.bank_line":       "р/с 40702810900000000001 в ПАО «Банк», БИК 044030001, к/с 30101810900000000001",
			"buyer.name":             "АО «Северный водоканал»",
			"buyer.address":          "162600, Вологодская обл.,\nг. Череповец,\nул. Труда, д. 5",
			"addressee.position":     "Главный инженер",
			"addressee.name":         "Смирнов Иван Петрович",
			"totals.net":             rub(net),
			"totals.vat":             rub(vat),
			"totals.vat_label":       "НДС 22 %",
			"totals.gross":           rub(net + vat),
			"totals.words":           "Сумма прописью для варианта " + fmt.Sprint(variant),
			"delivery_time":          "60 рабочих дней с даты аванса",
			"delivery_basis":         "доставка до склада Покупателя",
			"delivery_address":       "г. Череповец, ул. Труда, д. 5",
			"payment_terms":          "50 % аванс, 50 % по уведомлению о готовности",
			"warranty":               "24 месяца с даты ввода в эксплуатацию",
			"manager.name":           "Петров Пётр Петрович",
			"manager.position":       "Менеджер по продажам",
			"manager.phone":          "+7 (921) 000-00-02",
			"manager.email":          fmt.Sprintf("petrov+%d@gidromash.example", variant),
			"signer.position":        "Генеральный директор",
			"signer.initials":        "А. А. Иванов",
		},
		Lists: map[string][]map[string]string{"lines": lines},
	}
}

// rub formats kopecks as "1 250 000,00" with non-breaking spaces.
func rub(k int64) string {
	s := fmt.Sprint(k / 100)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s,%02d", b.String(), k%100)
}

// render renders tpl with d and fails the test on error.
func render(t testing.TB, tpl *docxfill.Template, d docxfill.Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tpl.Render(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readPart unzips one part of a .docx.
func readPart(t testing.TB, docx []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("output is not a zip: %v", err)
	}
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// wordText decodes a WordprocessingML part to the end (failing on malformed XML) and
// returns its text: w:t content, w:br as "\n", w:tab as "\t", paragraphs ended by "\n".
func wordText(t testing.TB, part []byte) string {
	t.Helper()
	s, err := decodeWordText(part)
	if err != nil {
		t.Fatalf("malformed XML: %v", err)
	}
	return s
}

func decodeWordText(part []byte) (string, error) {
	var b strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(part))
	inT := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch x.Name.Local {
			case "t":
				inT = true
			case "br":
				b.WriteString("\n")
			case "tab":
				b.WriteString("\t")
			}
		case xml.EndElement:
			switch x.Name.Local {
			case "t":
				inT = false
			case "p":
				b.WriteString("\n")
			}
		case xml.CharData:
			if inT {
				b.Write(x)
			}
		}
	}
}

// file is one zip entry for makeZip.
type file struct {
	name, body string
}

// makeZip writes entries in order, deflated, with a fixed time.
func makeZip(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`

// docWithBody is a minimal .docx whose body is body (WordprocessingML inside w:body).
func docWithBody(t testing.TB, body string, extra ...file) []byte {
	t.Helper()
	files := []file{
		{"[Content_Types].xml", contentTypes},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`},
	}
	return makeZip(t, append(files, extra...)...)
}

// para is a paragraph of runs with the given texts (each text in its own run).
func para(texts ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	for _, s := range texts {
		b.WriteString(`<w:r><w:t xml:space="preserve">` + s + `</w:t></w:r>`)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// row is a table row with one paragraph per cell.
func row(cells ...string) string {
	var b strings.Builder
	b.WriteString("<w:tr>")
	for _, c := range cells {
		b.WriteString("<w:tc>" + para(c) + "</w:tc>")
	}
	b.WriteString("</w:tr>")
	return b.String()
}

// table wraps rows into a w:tbl.
func table(rows ...string) string {
	return "<w:tbl><w:tblPr/><w:tblGrid/>" + strings.Join(rows, "") + "</w:tbl><w:p/>"
}
