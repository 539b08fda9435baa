package documents

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/documents/docxfill"
	"github.com/dealgate/dealgate/workflow"
)

// The shipped DOCX templates (templates/docx) are checked here against the views they are
// filled from: every placeholder is a view key, the loop rows loop, and the example of
// every kind renders to a well-formed document that holds its number, parties, lines and
// totals, byte for byte the same each time and equal to a golden hash; LibreOffice turns
// each into a PDF whose text says the same.

// The -update flag is shared with the PDF layout tests: whichever file of the package is
// compiled first defines it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden hashes in testdata/golden")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	return ok && g.Get() == true
}

// docxCheck is what the rendered example of a kind must show.
type docxCheck struct {
	// values are view keys whose formatted value must appear in the document text.
	values []string
	// loops maps a list to a field: every item's value of that field must appear, so each
	// list is really a loop row (one row per item).
	loops map[string]string
	// pdf are view keys checked in the PDF text too (short values that do not wrap).
	pdf []string
	// maxPages bounds the PDF's length; landscape kinds must come out landscape.
	maxPages  int
	landscape bool
}

var docxChecks = map[workflow.DocumentKind]docxCheck{
	workflow.DocMeetingReport: {
		values: []string{"number", "date_words", "time", "client.name", "seller.name", "client.requisites_line", "reason", "goal",
			"situation.problems", "assessment.potential", "assessment.probability", "author.initials"},
		loops:    map[string]string{"participants": "name", "objections": "objection", "next_steps": "action", "documents_promised": "action"},
		pdf:      []string{"number", "client.name", "assessment.potential", "author.initials"},
		maxPages: 3,
	},
	workflow.DocProposal: {
		values:   []string{"number", "date", "seller.name", "buyer.name", "totals.net", "totals.vat", "totals.gross", "totals.words", "offer_note"},
		loops:    map[string]string{"lines": "name"},
		pdf:      []string{"number", "seller.name", "totals.gross"},
		maxPages: 3,
	},
	workflow.DocClientCard: {
		values: []string{"number", "company.name", "company.inn_kpp", "company.bank_line", "potential", "revenue", "budget.amount",
			"procurement.law_ru", "next_step.action", "owner.initials"},
		loops: map[string]string{"sites": "name", "installed_base": "equipment", "competitors": "name", "needs": "description",
			"dmu": "name", "contact_history": "summary"},
		pdf:      []string{"number", "company.name", "potential", "budget.amount"},
		maxPages: 3,
	},
	workflow.DocContract: {
		values: []string{"number", "date_contract", "city", "seller.name", "buyer.name", "seller.director_name_genitive",
			"buyer.director_name_genitive", "seller.inn_kpp", "buyer.inn_kpp", "seller.account", "buyer.account",
			"price_clause", "total", "total_words", "payment_terms", "delivery_period", "warranty", "penalty_percent",
			"claims_period", "arbitration_court", "vat_change_text", "edo_text", "valid_until_words"},
		pdf:      []string{"number", "seller.director_initials", "buyer.director_initials", "arbitration_court"},
		maxPages: 6,
	},
	workflow.DocSpecification: {
		values: []string{"number", "heading", "contract.text", "seller.name", "buyer.name", "totals.net", "totals.vat",
			"totals.gross", "totals.words", "delivery_period", "warranty", "consignee.name"},
		loops:    map[string]string{"lines": "name", "payment_schedule": "term"},
		pdf:      []string{"heading", "totals.net", "totals.vat", "totals.gross"},
		maxPages: 3,
	},
	workflow.DocProductionSchedule: {
		values:   []string{"number", "date_words", "seller.name", "buyer.name", "contract.text", "specification.text", "item", "serial_number", "trigger_date"},
		loops:    map[string]string{"milestones": "name"},
		pdf:      []string{"number", "serial_number", "trigger_date"},
		maxPages: 2, landscape: true,
	},
	workflow.DocInvoice: {
		values: []string{"number", "date_words", "seller.name", "buyer.name", "seller.bik", "seller.account", "seller.corr_account",
			"basis", "totals.net", "totals.vat", "totals.gross", "totals.words", "purpose", "payment_due"},
		loops:    map[string]string{"lines": "name"},
		pdf:      []string{"number", "seller.account", "totals.net", "totals.vat", "totals.gross", "totals.words"},
		maxPages: 1,
	},
	workflow.DocUPD: {
		values: []string{"number", "date_words", "status", "seller.name", "seller.inn_kpp", "buyer.name", "buyer.inn_kpp",
			"consignor.text", "consignee.text", "payment_documents_text", "currency.name", "currency.numeric", "basis",
			"transport", "power_of_attorney", "totals.net", "totals.vat", "totals.gross", "totals.words", "shipped_by.initials",
			"received_by.initials", "seller.director_initials", "seller.chief_accountant_initials"},
		loops:    map[string]string{"lines": "name"},
		pdf:      []string{"number", "seller.inn_kpp", "buyer.inn_kpp", "totals.net", "totals.vat", "totals.gross", "power_of_attorney"},
		maxPages: 3, landscape: true,
	},
	workflow.DocRecommendationLetter: {
		values: []string{"outgoing", "author.name", "addressee", "supplier.name", "supplied.contract.text", "supplied.period",
			"supplied.amount", "supplied.amount_words", "recommendation", "signatory.initials"},
		pdf:      []string{"outgoing", "supplier.name", "signatory.initials"},
		maxPages: 1,
	},
}

// TestDOCXTemplatePlaceholdersAreViewKeys parses every shipped DOCX template and checks
// that its placeholders are keys of its kind's view (as CheckTemplate does for uploads)
// and that the lists expected to repeat are loop rows.
func TestDOCXTemplatePlaceholdersAreViewKeys(t *testing.T) {
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			tf, err := Builtin(k, DOCX)
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := docxfill.NewTemplate(tf.Name, tf.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Example(k)
			if err != nil {
				t.Fatal(err)
			}
			known := viewPaths(d.View())
			var keys []string
			for p := range known {
				keys = append(keys, p)
			}
			if unknown := tpl.Unknown(keys); len(unknown) > 0 {
				t.Errorf("placeholders that are not view keys: %v", unknown)
			}
			for list := range docxChecks[k].loops {
				if !slices.Contains(tpl.Lists(), list) {
					t.Errorf("no loop row over %s (loop rows: %v)", list, tpl.Lists())
				}
			}
			if err := docxRenderer(t).CheckTemplate(k, DOCX, tf.Name, tf.Bytes); err != nil {
				t.Errorf("CheckTemplate refuses the shipped template: %v", err)
			}
			t.Logf("%d placeholders, loops %v", len(tpl.Placeholders()), tpl.Lists())
		})
	}
}

// docxRenderer returns a renderer of the shipped templates.
func docxRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDOCXTemplatesRenderExamples renders the example of every kind, twice: the bytes must
// be identical, every XML part well formed, no placeholder left, the expected values and
// every item of the loop lists present, and word/document.xml must hash to the golden
// value in testdata/golden/KIND.document.xml.sha256 (rewrite with -update).
func TestDOCXTemplatesRenderExamples(t *testing.T) {
	r := docxRenderer(t)
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			check, ok := docxChecks[k]
			if !ok {
				t.Fatalf("no docxChecks entry for %s", k)
			}
			d, err := Example(k)
			if err != nil {
				t.Fatal(err)
			}
			a, tf, err := r.Render(context.Background(), d, DOCX, RenderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tf.Name != "builtin:"+string(k)+".docx" {
				t.Fatalf("rendered with %q", tf.Name)
			}
			b, _, err := r.Render(context.Background(), d, DOCX, RenderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Fatal("two renders of the same data differ")
			}

			parts := docxParts(t, a)
			doc := parts["word/document.xml"]
			text := docxText(t, doc) + "\n" + docxText(t, parts["word/footer1.xml"])
			if m := leftover.FindString(text); m != "" {
				t.Errorf("placeholder left in the document: %s", m)
			}
			values, lists := docxfill.Flatten(d.View())
			for _, key := range check.values {
				v, ok := values[key]
				if !ok || v == "" {
					t.Errorf("the example's view has no value for %s", key)
					continue
				}
				if !strings.Contains(text, v) {
					t.Errorf("document lacks %s = %q", key, v)
				}
			}
			for list, field := range check.loops {
				items := lists[list]
				if len(items) == 0 {
					t.Errorf("the example has no %s", list)
				}
				for i, it := range items {
					if !strings.Contains(text, it[field]) {
						t.Errorf("document lacks %s[%d].%s = %q", list, i, field, it[field])
					}
				}
			}
			if n := strings.Count(text, "стр. "); n == 0 {
				t.Error("the footer has no page number")
			}

			sum := sha256.Sum256(doc)
			got := hex.EncodeToString(sum[:])
			file := filepath.Join("testdata", "golden", string(k)+".document.xml.sha256")
			if updateGolden() {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("no golden hash %s (go test ./documents -run TestDOCXTemplatesRenderExamples -update): %v", file, err)
			}
			if got != strings.TrimSpace(string(want)) {
				t.Errorf("word/document.xml sha256 = %s, golden %s; if the template or view change is intended, rerun with -update",
					got, strings.TrimSpace(string(want)))
			}
		})
	}
}

// TestDOCXTemplatesChangeWithData renders an example with a changed line name and number
// and checks the change reaches the document, so the golden hash is not of a constant.
func TestDOCXTemplatesChangeWithData(t *testing.T) {
	r := docxRenderer(t)
	m := exampleMap(t, workflow.DocInvoice)
	setPath(t, m, "number", "СЧ-2026-009999")
	setPath(t, m, "lines.0.name", "Компрессор винтовой ВК-110 <спецзаказ> & Ко")
	d := mustDecode(t, workflow.DocInvoice, mustJSON(t, m))
	out, _, err := r.Render(context.Background(), d, DOCX, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	text := docxText(t, docxParts(t, out)["word/document.xml"])
	for _, want := range []string{"СЧ-2026-009999", "Компрессор винтовой ВК-110 <спецзаказ> & Ко"} {
		if !strings.Contains(text, want) {
			t.Errorf("document lacks %q", want)
		}
	}
	if strings.Contains(text, "Компрессор винтовой ВК-55") {
		t.Error("the old line name is still in the document")
	}
}

// TestDOCXTemplatesPDFViaLibreOffice converts the rendered example of every kind with
// LibreOffice and reads the PDF back: LibreOffice must accept each package, the text
// must hold the number and the key values, the page count stays within bounds, and the
// landscape kinds come out landscape. Skipped when soffice, pdftotext or pdfinfo is
// missing, unless CI=true.
func TestDOCXTemplatesPDFViaLibreOffice(t *testing.T) {
	tools := map[string]string{}
	for _, n := range []string{"soffice", "pdftotext", "pdfinfo"} {
		p, err := exec.LookPath(n)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing", n)
			}
			t.Skipf("%s not installed", n)
		}
		tools[n] = p
	}
	r := docxRenderer(t)
	dir := t.TempDir()
	var files []string
	views := map[workflow.DocumentKind]map[string]string{}
	for _, k := range Kinds() {
		d, err := Example(k)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := r.Render(context.Background(), d, DOCX, RenderOptions{})
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		f := filepath.Join(dir, string(k)+".docx")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		views[k], _ = docxfill.Flatten(d.View())
	}

	// One soffice run converts all files; a private profile keeps it from clashing with
	// other LibreOffice instances.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	profile := t.TempDir()
	out := filepath.Join(dir, "pdf")
	args := append([]string{"-env:UserInstallation=file://" + filepath.ToSlash(profile), "--headless",
		"--convert-to", "pdf", "--outdir", out}, files...)
	cmd := exec.CommandContext(ctx, tools["soffice"], args...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}

	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) {
			check := docxChecks[k]
			pdf := filepath.Join(out, string(k)+".pdf")
			if _, err := os.Stat(pdf); err != nil {
				t.Fatalf("LibreOffice wrote no PDF: %v", err)
			}
			raw, err := exec.Command(tools["pdftotext"], "-enc", "UTF-8", pdf, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := foldSpace(string(raw))
			for _, key := range append([]string{"number"}, check.pdf...) {
				if v := foldSpace(views[k][key]); !strings.Contains(text, v) {
					t.Errorf("PDF text lacks %s = %q", key, v)
				}
			}
			if strings.Contains(text, "{") {
				t.Errorf("PDF text holds a brace: %q", text[strings.Index(text, "{"):min(len(text), strings.Index(text, "{")+40)])
			}
			info, err := exec.Command(tools["pdfinfo"], pdf).Output()
			if err != nil {
				t.Fatalf("pdfinfo: %v", err)
			}
			pages, w, h := pdfInfo(t, string(info))
			if pages < 1 || pages > check.maxPages {
				t.Errorf("%d pages, want 1…%d", pages, check.maxPages)
			}
			if !strings.Contains(text, "стр. 1 из "+strconv.Itoa(pages)) {
				t.Errorf("PDF text lacks the footer «стр. 1 из %d»", pages)
			}
			if got := w > h; got != check.landscape {
				t.Errorf("page %.0f × %.0f pt: landscape = %v, want %v", w, h, got, check.landscape)
			}
			if t.Failed() {
				t.Logf("PDF text:\n%s", raw)
			}
		})
	}
}

// leftover finds a placeholder that was not filled.
var leftover = regexp.MustCompile(`\{[A-Za-z0-9_.#-]+\}`)

// docxParts unzips a .docx and checks that every XML part is well formed.
func docxParts(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = data
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			dec := xml.NewDecoder(bytes.NewReader(data))
			for {
				_, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
				}
			}
		}
	}
	if parts["word/document.xml"] == nil {
		t.Fatal("no word/document.xml")
	}
	return parts
}

// docxText returns the text of a WordprocessingML part: the w:t contents, a line per
// paragraph, breaks and tabs as spaces.
func docxText(t *testing.T, part []byte) string {
	t.Helper()
	var b strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(part))
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "t":
				inText = true
			case "br", "tab":
				b.WriteByte(' ')
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(e)
			}
		}
	}
	return b.String()
}

// foldSpace turns non-breaking spaces and runs of white space into one space.
func foldSpace(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// pdfInfo reads the page count and the first page's size from pdfinfo's output.
func pdfInfo(t *testing.T, info string) (pages int, w, h float64) {
	t.Helper()
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Pages":
			pages, _ = strconv.Atoi(v)
		case "Page size":
			f := strings.Fields(v) // "841.89 x 595.304 pts (A4)"
			if len(f) >= 3 {
				w, _ = strconv.ParseFloat(f[0], 64)
				h, _ = strconv.ParseFloat(f[2], 64)
			}
		}
	}
	if pages == 0 || w == 0 || h == 0 {
		t.Fatalf("cannot read pdfinfo output:\n%s", info)
	}
	return pages, w, h
}
