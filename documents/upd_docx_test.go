package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/documents/docxfill"
	"github.com/dealgate/dealgate/workflow"
)

// The УПД prints two forms by its profile: upd (the УПД) and torg12 (ТОРГ-12 + счёт-фактура).
// The PDF layout branches inside upd.xml; the DOCX forms are two shipped files, upd.docx and
// upd-torg12.docx, and the renderer picks one by the data.

// updProfile returns the example УПД with the given profile, decoded.
func updProfile(t testing.TB, profile string) Data {
	t.Helper()
	m := exampleMap(t, workflow.DocUPD)
	setPath(t, m, "profile", profile)
	return mustDecode(t, workflow.DocUPD, mustJSON(t, m))
}

// TestUPDProfileChoosesDOCX: a torg12 УПД renders with upd-torg12.docx, an upd one with
// upd.docx; the PDF layout is upd.xml for both; BuiltinFor agrees with Render.
func TestUPDProfileChoosesDOCX(t *testing.T) {
	r := docxRenderer(t)
	for _, c := range []struct{ profile, docx string }{
		{ProfileUPD, "builtin:upd.docx"},
		{ProfileTORG12, "builtin:upd-torg12.docx"},
	} {
		d := updProfile(t, c.profile)
		_, tf, err := r.Render(context.Background(), d, DOCX, RenderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tf.Name != c.docx || tf.ID != 0 || tf.Version != 0 {
			t.Errorf("%s: DOCX rendered with %q (id %d v%d), want %s", c.profile, tf.Name, tf.ID, tf.Version, c.docx)
		}
		bf, err := BuiltinFor(d, DOCX)
		if err != nil || bf.Name != c.docx || bf.SHA256 != tf.SHA256 {
			t.Errorf("%s: BuiltinFor = %q %s (%v), Render used %q %s", c.profile, bf.Name, bf.SHA256, err, tf.Name, tf.SHA256)
		}
		_, pf, err := r.Render(context.Background(), d, PDF, RenderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pf.Name != "builtin:upd.xml" {
			t.Errorf("%s: PDF rendered with %q, want builtin:upd.xml (it prints both profiles)", c.profile, pf.Name)
		}
	}
	a, _ := Builtin(workflow.DocUPD, DOCX)
	b, _ := BuiltinFor(updProfile(t, ProfileTORG12), DOCX)
	if a.SHA256 == b.SHA256 {
		t.Fatal("upd.docx and upd-torg12.docx are the same file")
	}
	if err := r.Warm(); err != nil {
		t.Fatalf("Warm with the variant: %v", err)
	}
}

// TestBuiltinNamed: re-rendering finds a shipped template by its recorded name.
func TestBuiltinNamed(t *testing.T) {
	for _, c := range []struct {
		format     Format
		name, want string
	}{
		{DOCX, "", "builtin:upd.docx"}, // a record without a name: the kind's own file
		{DOCX, "builtin:upd.docx", "builtin:upd.docx"},
		{DOCX, "builtin:upd-torg12.docx", "builtin:upd-torg12.docx"},
		{PDF, "builtin:upd.xml", "builtin:upd.xml"},
		{PDF, "builtin:upd-torg12.xml", ""}, // no PDF variant is shipped
		{DOCX, "builtin:proposal.docx", ""}, // another kind's file
		{DOCX, "builtin:upd-torg12.xml", ""},
		{DOCX, "upd v1 (upd.docx)", ""},
	} {
		tf, err := BuiltinNamed(workflow.DocUPD, c.format, c.name)
		if c.want == "" {
			if err == nil {
				t.Errorf("BuiltinNamed(%s, %q) = %q, want an error", c.format, c.name, tf.Name)
			}
			continue
		}
		if err != nil || tf.Name != c.want || len(tf.Bytes) == 0 {
			t.Errorf("BuiltinNamed(%s, %q) = %q (%d bytes), %v; want %s", c.format, c.name, tf.Name, len(tf.Bytes), err, c.want)
		}
	}
}

// uploadedSource serves given "uploaded" templates as the active ones and the shipped ones
// otherwise, like the storage-backed source.
type uploadedSource map[Format]TemplateFile

func (s uploadedSource) Active(_ context.Context, k workflow.DocumentKind, f Format) (TemplateFile, error) {
	if tf, ok := s[f]; ok && tf.Kind == k {
		return tf, nil
	}
	return Builtin(k, f)
}

func (s uploadedSource) ByID(_ context.Context, k workflow.DocumentKind, f Format, id int64) (TemplateFile, error) {
	if tf, ok := s[f]; ok && tf.ID == id {
		return tf, nil
	}
	return Builtin(k, f)
}

// TestUploadedUPDTemplateAndProfiles: an uploaded УПД DOCX serves the upd profile only; a
// torg12 document still gets the shipped ТОРГ-12 DOCX. An uploaded PDF layout serves both
// profiles (a layout can branch on profile).
func TestUploadedUPDTemplateAndProfiles(t *testing.T) {
	shippedDOCX, _ := Builtin(workflow.DocUPD, DOCX)
	shippedPDF, _ := Builtin(workflow.DocUPD, PDF)
	up := shippedDOCX
	up.ID, up.Version, up.Name = 7, 1, "upd v1 (наш УПД.docx)"
	lay := shippedPDF
	lay.ID, lay.Version, lay.Name = 8, 1, "upd v1 (layout.xml)"
	r, err := NewRenderer(uploadedSource{DOCX: up, PDF: lay})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		profile string
		docxID  int64
		docx    string
	}{
		{ProfileUPD, 7, up.Name},
		{ProfileTORG12, 0, "builtin:upd-torg12.docx"},
	} {
		d := updProfile(t, c.profile)
		tf, err := r.TemplateFor(ctx, d, DOCX)
		if err != nil || tf.ID != c.docxID || tf.Name != c.docx {
			t.Errorf("%s: DOCX template %q id %d (%v), want %q id %d", c.profile, tf.Name, tf.ID, err, c.docx, c.docxID)
		}
		pf, err := r.TemplateFor(ctx, d, PDF)
		if err != nil || pf.ID != 8 {
			t.Errorf("%s: PDF template %q id %d (%v), want the uploaded layout", c.profile, pf.Name, pf.ID, err)
		}
		_, used, err := r.Render(ctx, d, DOCX, RenderOptions{})
		if err != nil || used.ID != c.docxID {
			t.Errorf("%s: Render used %q id %d (%v)", c.profile, used.Name, used.ID, err)
		}
	}
	// Template (kind only) still answers the kind's active template.
	if tf, err := r.Template(ctx, workflow.DocUPD, DOCX); err != nil || tf.ID != 7 {
		t.Errorf("Template = %q id %d (%v), want the upload", tf.Name, tf.ID, err)
	}
}

// torg12Text renders the torg12 example to DOCX and returns the bytes and the text of its
// body and footer.
func torg12Text(t *testing.T, r *Renderer, d Data) ([]byte, string, string) {
	t.Helper()
	out, _, err := r.Render(context.Background(), d, DOCX, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parts := docxParts(t, out)
	return out, docxText(t, parts["word/document.xml"]), docxText(t, parts["word/footer1.xml"])
}

// TestTORG12DOCXContent renders the torg12 example: the ТОРГ-12 (title, form code, the four
// parties with requisites and bank, basis, transport, every line, totals and the amount in
// words, signatories) and the счёт-фактура (its lines 1–8, every line again, «Всего к
// оплате»), no placeholder left, the same bytes twice, and word/document.xml equal to the
// golden hash testdata/golden/upd-torg12.document.xml.sha256 (rewrite with -update). The
// upd profile's DOCX has none of the ТОРГ-12.
func TestTORG12DOCXContent(t *testing.T) {
	r := docxRenderer(t)
	d := updProfile(t, ProfileTORG12)
	a, text, footer := torg12Text(t, r, d)
	b, _, _ := torg12Text(t, r, d)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same data differ")
	}
	if m := leftover.FindString(text + footer); m != "" {
		t.Errorf("placeholder left in the document: %s", m)
	}
	if strings.ContainsAny(text+footer, "{}") {
		t.Error("a brace is left in the document")
	}
	values, lists := docxfill.Flatten(d.View())
	for _, want := range []string{
		"Унифицированная форма № ТОРГ-12", "0330212",
		"ТОВАРНАЯ НАКЛАДНАЯ № " + values["number"] + " от " + values["date"],
		"Счёт-фактура № " + values["number"] + " от " + values["date"] + " (1)",
		"Приложение № 1 к постановлению Правительства Российской Федерации от 26 декабря 2011 г. № 1137",
		"№ п/п 1–" + values["totals.count"] + " № " + values["number"] + " от " + values["date"] + " (товарная накладная)",
		"Всего по накладной", "Всего к оплате (9)", "Всего отпущено на сумму: ",
		"Отпуск разрешил", "Главный (старший) бухгалтер", "Отпуск груза произвёл", "Груз принял", "Груз получил грузополучатель",
		values["currency.name"] + ", " + values["currency.numeric"],
	} {
		if !strings.Contains(text, want) {
			t.Errorf("document lacks %q", want)
		}
	}
	if !strings.Contains(footer, "ТОРГ-12 и счёт-фактура № "+values["number"]) || !strings.Contains(footer, "стр. ") {
		t.Errorf("footer %q", footer)
	}
	for _, key := range []string{
		"torg12.consignor", "torg12.consignee", "torg12.supplier", "torg12.payer",
		"seller.name", "seller.address", "seller.inn_kpp", "seller.bank_line", "buyer.name", "buyer.address", "buyer.inn_kpp",
		"buyer.bank_line", "consignor.text", "consignee.text", "contract.text", "basis", "transport", "payment_documents_text",
		"power_of_attorney", "shipment_date_contract",
		"totals.net", "totals.vat", "totals.gross", "totals.words", "totals.count_words", "totals.vat_label",
		"seller.director_title", "seller.director_initials", "seller.chief_accountant_initials",
		"shipped_by.position", "shipped_by.initials", "received_by.position", "received_by.initials",
	} {
		v := values[key]
		if v == "" {
			t.Errorf("the example's view has no value for %s", key)
			continue
		}
		if !strings.Contains(text, v) {
			t.Errorf("document lacks %s = %q", key, v)
		}
	}
	// The supplier line carries the seller's requisites and bank.
	for _, part := range []string{"ИНН 6658012341", "КПП 665801001", "ОГРН 1026601234560", "БИК 046577674", "р/с 40702810316020012345"} {
		if !strings.Contains(values["torg12.supplier"], part) {
			t.Errorf("torg12.supplier %q lacks %q", values["torg12.supplier"], part)
		}
	}
	// Every line, in both tables: the ТОРГ-12 and the счёт-фактура.
	if len(lists["lines"]) < 2 {
		t.Fatalf("the example has %d lines", len(lists["lines"]))
	}
	for i, l := range lists["lines"] {
		if n := strings.Count(text, l["name"]); n < 2 {
			t.Errorf("line %d %q appears %d times, want the ТОРГ-12 and the счёт-фактура", i, l["name"], n)
		}
		for _, f := range []string{"description", "sku", "okei", "qty", "price_net", "amount", "vat_rate", "vat", "total"} {
			if l[f] != "" && !strings.Contains(text, l[f]) {
				t.Errorf("line %d lacks %s = %q", i, f, l[f])
			}
		}
	}
	if strings.Contains(text, "Универсальный передаточный документ") {
		t.Error("the ТОРГ-12 profile prints the УПД form")
	}
	_, updText, _ := torg12Text(t, r, updProfile(t, ProfileUPD))
	if strings.Contains(updText, "ТОВАРНАЯ НАКЛАДНАЯ") || !strings.Contains(updText, "Универсальный передаточный документ") {
		t.Error("the upd profile does not print the УПД form alone")
	}

	sum := sha256.Sum256(docxParts(t, a)["word/document.xml"])
	got := hex.EncodeToString(sum[:])
	file := filepath.Join("testdata", "golden", "upd-torg12.document.xml.sha256")
	if updateGolden() {
		if err := os.WriteFile(file, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no golden hash %s (go test ./documents -run TestTORG12DOCXContent -update): %v", file, err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Errorf("word/document.xml sha256 = %s, golden %s; if the change is intended, rerun with -update", got, strings.TrimSpace(string(want)))
	}
}

// TestUPDProfilesDOCXViaLibreOffice converts the DOCX of both profiles with LibreOffice and
// reads the PDFs back: the torg12 one holds the ТОРГ-12 and the счёт-фактура with the
// parties, every line and the totals, on landscape pages; the upd one is the УПД. Skipped
// when soffice, pdftotext or pdfinfo is missing, unless CI=true.
func TestUPDProfilesDOCXViaLibreOffice(t *testing.T) {
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
	views := map[string]map[string]string{}
	lines := map[string][]map[string]string{}
	var files []string
	for _, p := range []string{ProfileUPD, ProfileTORG12} {
		d := updProfile(t, p)
		b, _, err := r.Render(context.Background(), d, DOCX, RenderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "upd-"+p+".docx")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		var l map[string][]map[string]string
		views[p], l = docxfill.Flatten(d.View())
		lines[p] = l["lines"]
	}
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
	for _, p := range []string{ProfileUPD, ProfileTORG12} {
		t.Run(p, func(t *testing.T) {
			pdf := filepath.Join(out, "upd-"+p+".pdf")
			raw, err := exec.Command(tools["pdftotext"], "-enc", "UTF-8", pdf, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := foldSpace(string(raw))
			v := views[p]
			want := []string{v["number"], v["seller.inn_kpp"], v["buyer.inn_kpp"], v["totals.net"], v["totals.vat"], v["totals.gross"]}
			if p == ProfileTORG12 {
				want = append(want, "ТОРГ-12", "0330212", "ТОВАРНАЯ НАКЛАДНАЯ № "+v["number"], "Счёт-фактура № "+v["number"],
					"Всего по накладной", "Всего к оплате", "ИНН "+v["seller.inn"], "БИК "+v["seller.bik"], "БИК "+v["buyer.bik"])
				for _, l := range lines[p] {
					want = append(want, l["sku"], l["total"])
				}
			} else {
				want = append(want, "Универсальный передаточный документ")
			}
			for _, w := range want {
				if !strings.Contains(text, foldSpace(w)) {
					t.Errorf("PDF text lacks %q", w)
				}
			}
			if p == ProfileTORG12 && strings.Contains(text, "Универсальный передаточный документ") {
				t.Error("the ТОРГ-12 profile prints the УПД form")
			}
			if p == ProfileUPD && strings.Contains(text, "ТОВАРНАЯ НАКЛАДНАЯ") {
				t.Error("the УПД profile prints the ТОРГ-12")
			}
			if strings.Contains(text, "{") {
				t.Errorf("PDF text holds a brace: %q", text[strings.Index(text, "{"):min(len(text), strings.Index(text, "{")+40)])
			}
			info, err := exec.Command(tools["pdfinfo"], pdf).Output()
			if err != nil {
				t.Fatalf("pdfinfo: %v", err)
			}
			pages, w, h := pdfInfo(t, string(info))
			minPages := 1
			if p == ProfileTORG12 {
				minPages = 2 // the счёт-фактура starts a new page
			}
			if pages < minPages || pages > 4 {
				t.Errorf("%d pages, want %d…4", pages, minPages)
			}
			if w <= h {
				t.Errorf("page %.0f × %.0f pt is not landscape", w, h)
			}
			if t.Failed() {
				t.Logf("PDF text:\n%s", raw)
			}
		})
	}
}
