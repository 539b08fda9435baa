package api_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/documents/docxfill"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// docsToday is the clock of the document service in these tests: new documents are dated
// 10.04.2026 (VAT 22 %, numbers of 2026).
var docsToday = time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)

// newDocEnv is newEnv with the document clock set to docsToday.
func newDocEnv(t testing.TB, st *storage.Store) *env {
	t.Helper()
	e := newEnv(t, st)
	e.srv.Documents.Now = func() time.Time { return docsToday }
	return e
}

// forEachDocEnv runs fn on a fresh document environment on each database.
func forEachDocEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) { fn(t, newDocEnv(t, st)) })
}

// kindExample returns templates/examples/K.json as generic JSON.
func kindExample(t testing.TB, k workflow.DocumentKind) map[string]any {
	t.Helper()
	b, err := fs.ReadFile(templates.Examples(), string(k)+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// fillMissing copies into dst what src has and dst lacks: absent keys, empty strings and
// empty lists; nested objects are filled the same way. It completes prefilled data with what
// only a person would type (the example's values).
func fillMissing(dst, src map[string]any) {
	for k, sv := range src {
		dv, ok := dst[k]
		switch d := dv.(type) {
		case map[string]any:
			if s, ok := sv.(map[string]any); ok {
				fillMissing(d, s)
				continue
			}
		case string:
			if d != "" {
				continue
			}
		case []any:
			if len(d) > 0 {
				continue
			}
		case nil:
		default:
			if ok {
				continue
			}
		}
		dst[k] = sv
	}
}

// putSeller sets our company to the examples' seller (admin) and returns it.
func (e *env) putSeller(t testing.TB) map[string]any {
	t.Helper()
	seller := kindExample(t, workflow.DocProposal)["seller"].(map[string]any)
	var got map[string]any
	e.do(t, "PUT", "/api/v1/seller", e.f.Admin.Token, seller).want(t, http.StatusOK)
	e.do(t, "GET", "/api/v1/seller", e.f.Rep1.Token, nil).want(t, http.StatusOK).decode(t, &got)
	if got["name"] != seller["name"] || got["inn"] != seller["inn"] || got["account"] != seller["account"] {
		t.Fatalf("GET /seller = %v, want the example's seller", got)
	}
	return seller
}

// catalogueCSV is a semicolon-separated export with decimal commas and grouped digits, as
// spreadsheets write it.
const catalogueCSV = "\ufeffsku;name;unit;okei;price;cost;vat_rate\n" +
	"VK-55;Компрессор винтовой ВК-55;шт;796;2 600 000,00;1 900 000,00;22\n" +
	"OR-10;Осушитель рефрижераторный ОР-10;шт;796;320000,00;210000;22\n" +
	"RV-5000;Ресивер воздушный РВ-5000;шт;796;420000;300000;22\n" +
	"PNR-1;Пусконаладочные работы;усл. ед.;876;150000.00;60000;22\n"

// importCatalogue imports catalogueCSV (admin) and returns the catalogue as listed.
func (e *env) importCatalogue(t testing.TB) []api.ProductJSON {
	t.Helper()
	req := request(t, "POST", "/api/v1/catalogue/import", e.f.Admin.Token, catalogueCSV)
	req.Header.Set("Content-Type", "text/csv")
	var imp struct{ Imported int }
	e.serve(req).want(t, http.StatusOK).decode(t, &imp)
	if imp.Imported != 4 {
		t.Fatalf("imported %d products, want 4", imp.Imported)
	}
	var list struct{ Items []api.ProductJSON }
	e.do(t, "GET", "/api/v1/catalogue", e.f.Rep1.Token, nil).want(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 4 {
		t.Fatalf("catalogue %+v, want 4 items", list.Items)
	}
	bySKU := map[string]api.ProductJSON{}
	for _, p := range list.Items {
		bySKU[p.SKU] = p
	}
	if p := bySKU["VK-55"]; p.Price != "2600000.00" || p.Cost != "1900000.00" || p.Unit != "шт" || p.VATRate != "22" {
		t.Fatalf("VK-55 imported as %+v", p)
	}
	if p := bySKU["PNR-1"]; p.Price != "150000.00" || p.OKEI != "876" || p.Unit != "усл. ед." {
		t.Fatalf("PNR-1 imported as %+v", p)
	}
	// A bad line is named, and nothing of that file is imported.
	bad := request(t, "POST", "/api/v1/catalogue/import", e.f.Admin.Token, "sku,name,price\nX-1,Изделие,12.50\nX-2,Изделие 2,двенадцать\n")
	bad.Header.Set("Content-Type", "text/csv")
	if p := e.serve(bad).problem(t, http.StatusUnprocessableEntity, api.ProblemInvalid); !strings.Contains(p.Field, "line 1") && !strings.Contains(p.Detail, "line 1: price") {
		t.Fatalf("bad CSV problem %+v, want the line and field named", p)
	}
	if _, err := e.st.FindProductBySKU(t.Context(), "X-1"); workflow.Code(err) != workflow.ENOTFOUND {
		t.Fatalf("a refused import stored X-1: %v", err)
	}
	return list.Items
}

// prefill asks the API for new data of kind on the deal.
func (e *env) prefill(t testing.TB, token string, dealID int64, k workflow.DocumentKind) map[string]any {
	t.Helper()
	var out struct {
		Kind string
		Data map[string]any
	}
	e.do(t, "GET", fmt.Sprintf("/api/v1/deals/%d/documents/prefill?kind=%s", dealID, k), token, nil).want(t, http.StatusOK).decode(t, &out)
	if out.Kind != string(k) || out.Data == nil {
		t.Fatalf("prefill of %s: %+v", k, out)
	}
	return out.Data
}

// makeDocument posts a document (a draft, or final) and returns it.
func (e *env) makeDocument(t testing.TB, token string, dealID int64, k workflow.DocumentKind, data any, final bool) api.DocumentJSON {
	t.Helper()
	var d api.DocumentJSON
	r := e.do(t, "POST", fmt.Sprintf("/api/v1/deals/%d/documents", dealID), token, map[string]any{"kind": k, "data": data, "final": final})
	r.want(t, http.StatusCreated).decode(t, &d)
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/documents/%d", d.ID) {
		t.Fatalf("Location %q for document %d", loc, d.ID)
	}
	wantStatus := "draft"
	if final {
		wantStatus = "final"
	}
	if d.ID == 0 || d.Kind != string(k) || d.Status != wantStatus || d.DealID != dealID {
		t.Fatalf("made %s: %+v", k, d)
	}
	return d
}

// documentDetail is the answer of GET /documents/{id}.
type documentDetail struct {
	Document     api.DocumentJSON `json:"document"`
	SignedCopies []struct {
		ID          int64  `json:"id"`
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
		SHA256      string `json:"sha256"`
		Size        int64  `json:"size"`
		URL         string `json:"url"`
	} `json:"signed_copies"`
}

func (e *env) document(t testing.TB, token string, id int64) documentDetail {
	t.Helper()
	var d documentDetail
	e.do(t, "GET", fmt.Sprintf("/api/v1/documents/%d", id), token, nil).want(t, http.StatusOK).decode(t, &d)
	return d
}

// move posts a transition and wants it to succeed at the stage to.
func (e *env) move(t testing.TB, token string, dealID int64, body map[string]any, to string) api.DealJSON {
	t.Helper()
	var d api.DealJSON
	e.transition(t, token, dealID, body).want(t, http.StatusOK).decode(t, &d)
	if d.Stage != to {
		t.Fatalf("after %v the deal is at %s, want %s", body, d.Stage, to)
	}
	return d
}

func (e *env) post201(t testing.TB, token, path string, body any) {
	t.Helper()
	e.do(t, "POST", path, token, body).want(t, http.StatusCreated)
}

// rfc5987AttrChar are the characters an RFC 5987 ext-value may carry unencoded.
const rfc5987AttrChar = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~"

// checkDisposition checks a Content-Disposition per RFC 6266 / 5987: the disposition type, an
// ASCII filename= fallback, and a filename* parameter in UTF-8 with the percent-encoded name,
// which must decode to want.
func checkDisposition(t testing.TB, h, disposition, want string) {
	t.Helper()
	typ, rest, _ := strings.Cut(h, ";")
	if typ != disposition {
		t.Errorf("Content-Disposition %q: type %q, want %s", h, typ, disposition)
	}
	var fallback, ext string
	for _, p := range strings.Split(rest, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch k {
		case "filename":
			fallback = strings.Trim(v, `"`)
		case "filename*":
			ext = v
		}
	}
	for _, r := range fallback {
		if r < 0x20 || r >= 0x7f {
			t.Errorf("Content-Disposition %q: the filename= fallback is not ASCII", h)
			break
		}
	}
	if !strings.HasSuffix(fallback, filepath.Ext(want)) {
		t.Errorf("Content-Disposition %q: fallback %q lacks the extension of %q", h, fallback, want)
	}
	enc, ok := strings.CutPrefix(ext, "UTF-8''")
	if !ok {
		t.Fatalf("Content-Disposition %q has no filename*=UTF-8''", h)
	}
	for i := 0; i < len(enc); i++ {
		if c := enc[i]; c == '%' {
			if i+2 >= len(enc) || !strings.ContainsRune("0123456789ABCDEFabcdef", rune(enc[i+1])) || !strings.ContainsRune("0123456789ABCDEFabcdef", rune(enc[i+2])) {
				t.Errorf("Content-Disposition %q: bad percent escape at %d", h, i)
			}
		} else if !strings.ContainsRune(rfc5987AttrChar, rune(c)) {
			t.Errorf("Content-Disposition %q: %q is not an RFC 5987 attr-char and is not percent-encoded", h, c)
		}
	}
	name, err := url.PathUnescape(enc)
	if err != nil || !utf8.ValidString(name) {
		t.Fatalf("Content-Disposition %q: filename* does not decode: %v", h, err)
	}
	if name != want {
		t.Errorf("Content-Disposition file name %q, want %q", name, want)
	}
}

// contentTypes of the two formats.
var contentTypes = map[documents.Format]string{
	documents.PDF:  "application/pdf",
	documents.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// download fetches a final document's file, checks the headers against the document (type,
// attachment name, ETag and X-Content-SHA256 equal to the stored hash and to the body's own
// SHA-256) and returns the body.
func (e *env) download(t testing.TB, token string, d api.DocumentJSON, f documents.Format) []byte {
	t.Helper()
	file, ok := d.Files[string(f)]
	if !ok || len(file.SHA256) != 64 {
		t.Fatalf("%s %d has no %s file: %+v", d.Kind, d.ID, f, d.Files)
	}
	if file.URL != fmt.Sprintf("/api/v1/documents/%d/%s", d.ID, f) {
		t.Fatalf("%s url %q", f, file.URL)
	}
	r := e.do(t, "GET", file.URL, token, nil).want(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != contentTypes[f] {
		t.Errorf("%s %s: Content-Type %q, want %q", d.Kind, f, ct, contentTypes[f])
	}
	if sum := storage.SHA256Hex(r.Body); sum != file.SHA256 {
		t.Errorf("%s %s: body SHA-256 %s, stored %s", d.Kind, f, sum, file.SHA256)
	}
	if et := r.Header.Get("ETag"); et != `"`+file.SHA256+`"` {
		t.Errorf("%s %s: ETag %q, want the stored hash", d.Kind, f, et)
	}
	if x := r.Header.Get("X-Content-SHA256"); x != file.SHA256 {
		t.Errorf("%s %s: X-Content-SHA256 %q, want %s", d.Kind, f, x, file.SHA256)
	}
	name := d.Title.Ru + " № " + strings.ReplaceAll(d.Number, "/", "-")
	if d.Version > 1 {
		name += fmt.Sprintf(" (версия %d)", d.Version)
	}
	checkDisposition(t, r.Header.Get("Content-Disposition"), "attachment", name+"."+string(f))
	return r.Body
}

// needTool returns the path of a command-line tool; without it the test is skipped, unless
// CI=true, where it fails.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not installed", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// foldSpaces turns every run of white space (line breaks, non-breaking spaces) into one space.
func foldSpaces(s string) string {
	s = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2007", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// pdfText returns the text of a PDF as pdftotext reads it, spaces folded.
func pdfText(t testing.TB, pdf []byte, args ...string) string {
	t.Helper()
	tool := needTool(t, "pdftotext")
	f := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, append(append([]string{"-enc", "UTF-8"}, args...), f, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return foldSpaces(string(out))
}

// hasDraftMark reports whether a PDF carries the ЧЕРНОВИК watermark. It is drawn rotated, so
// pdftotext -raw gives it letter by letter: spaces are removed before looking.
func hasDraftMark(t testing.TB, pdf []byte) bool {
	t.Helper()
	return strings.Contains(strings.ReplaceAll(pdfText(t, pdf, "-raw"), " ", ""), "ЧЕРНОВИК")
}

// libreOfficeTexts converts DOCX files (name → bytes) to PDF with one headless LibreOffice
// run and returns the text of each, spaces folded. Skipped without soffice unless CI=true.
func libreOfficeTexts(t *testing.T, files map[string][]byte) map[string]string {
	t.Helper()
	soffice := needTool(t, "soffice")
	dir, profile := t.TempDir(), t.TempDir()
	args := []string{"-env:UserInstallation=file://" + filepath.ToSlash(profile), "--headless", "--convert-to", "pdf", "--outdir", filepath.Join(dir, "pdf")}
	for name, b := range files {
		f := filepath.Join(dir, name+".docx")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, f)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	texts := map[string]string{}
	for name := range files {
		pdf, err := os.ReadFile(filepath.Join(dir, "pdf", name+".pdf"))
		if err != nil {
			t.Fatalf("LibreOffice did not convert %s.docx: %v", name, err)
		}
		texts[name] = pdfText(t, pdf)
	}
	return texts
}

// partyOf names the view key of the client company in each kind.
var partyOf = map[workflow.DocumentKind]string{
	workflow.DocMeetingReport: "client", workflow.DocProposal: "buyer", workflow.DocClientCard: "company",
	workflow.DocContract: "buyer", workflow.DocSpecification: "buyer", workflow.DocProductionSchedule: "buyer",
	workflow.DocInvoice: "buyer", workflow.DocUPD: "buyer", workflow.DocRecommendationLetter: "author",
}

// expectedTexts returns what a document's files must print: its number, the client's name,
// and for kinds with totals the total and the amount in words, all read from the stored
// data's view.
func expectedTexts(t testing.TB, d api.DocumentJSON) map[string]string {
	t.Helper()
	k := workflow.DocumentKind(d.Kind)
	data, err := documents.Decode(k, d.Data)
	if err != nil {
		t.Fatalf("stored %s data does not decode: %v", k, err)
	}
	flat, _ := docxfill.Flatten(data.View())
	want := map[string]string{"number": d.Number}
	if flat["number"] != d.Number {
		t.Fatalf("stored %s data has number %q, the document %q", k, flat["number"], d.Number)
	}
	key := partyOf[k] + ".name"
	want[key] = flat[key]
	if w := flat["totals.words"]; w != "" {
		want["totals.words"], want["totals.gross"] = w, flat["totals.gross"]
	}
	for k, v := range want {
		if v == "" {
			t.Fatalf("%s: expected %s is empty", d.Kind, k)
		}
		want[k] = foldSpaces(v)
	}
	return want
}

func containsAll(t testing.TB, what, text string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if !strings.Contains(text, v) {
			t.Errorf("%s lacks %s = %q", what, k, v)
		}
	}
	if t.Failed() {
		t.Logf("%s text: %s", what, text)
	}
}

// TestDocumentsEndToEnd walks a deal through the whole default pipeline making every kind of
// document through the API as the stages ask for them: prefilled from the deal and the earlier
// documents, drafts and finals, numbered by the default and a custom format. Every final file
// is downloaded and read back (pdftotext; the DOCX through LibreOffice), corrections keep
// both versions, final documents cannot change, signed copies are checked by content, the
// stage gates count only final documents, re-rendering gives the stored bytes, and a preview
// stores nothing.
func TestDocumentsEndToEnd(t *testing.T) {
	t.Parallel()
	forEachDocEnv(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		rep, bo, admin := e.f.Rep1.Token, e.f.Backoffice.Token, e.f.Admin.Token
		seller := e.putSeller(t)
		products := e.importCatalogue(t)
		deal := e.createDeal(t, rep, e.f.Company.ID)
		id := deal.ID
		docs := map[workflow.DocumentKind]api.DocumentJSON{}
		base := fmt.Sprintf("/api/v1/deals/%d", id)

		// A custom number format for the client card; a bad one is refused.
		if p := e.do(t, "PUT", "/api/v1/settings/numbering", admin, map[string]string{"invoice": "СЧ-{YYYY}"}).problem(t, 422, api.ProblemInvalid); p.Field != "invoice" {
			t.Fatalf("a format without a sequence: %+v", p)
		}
		e.do(t, "PUT", "/api/v1/settings/numbering", rep, map[string]string{"client_card": "{YYYY}/КК-{NNNNN}"}).problem(t, 403, api.ProblemForbidden)
		var formats map[string]string
		e.do(t, "PUT", "/api/v1/settings/numbering", admin, map[string]string{"client_card": "{YYYY}/КК-{NNNNN}"}).want(t, 200).decode(t, &formats)
		if formats["client_card"] != "{YYYY}/КК-{NNNNN}" || formats["proposal"] != "КП-{YYYY}-{NNNN}" || formats["invoice"] != "СЧ-{YYYY}-{NNNNNN}" {
			t.Fatalf("number formats %v", formats)
		}

		// research → cold call → meeting.
		e.move(t, rep, id, map[string]any{"action": "advance"}, "cold_call")
		e.post201(t, rep, base+"/activities", map[string]any{"kind": "call", "note": "первый звонок"})
		e.move(t, rep, id, map[string]any{"action": "advance"}, "meeting")

		// Meeting report: prefilled with the client and the rep, completed by hand.
		mr := e.prefill(t, rep, id, workflow.DocMeetingReport)
		if c := mr["client"].(map[string]any); c["name"] != e.f.Company.Name || c["inn"] != e.f.Company.INN {
			t.Fatalf("meeting report prefill client %v", c)
		}
		if s := mr["seller"].(map[string]any); s["name"] != seller["name"] {
			t.Fatalf("meeting report prefill seller %v", s)
		}
		mrEx := kindExample(t, workflow.DocMeetingReport)
		fillMissing(mr, mrEx)
		mr["date"] = mrEx["date"] // the meeting was held on the example's day; its next steps follow it
		e.transition(t, rep, id, map[string]any{"action": "advance"}).problem(t, 422, api.ProblemMissingEvidence)
		docs[workflow.DocMeetingReport] = e.makeDocument(t, rep, id, workflow.DocMeetingReport, mr, true)
		e.move(t, rep, id, map[string]any{"action": "advance"}, "needs")
		e.post201(t, rep, base+"/facts", map[string]any{"kind": "needs", "summary": "компрессорная станция"})
		e.move(t, rep, id, map[string]any{"action": "advance"}, "proposal")

		// Proposal: a draft from the prefill with the catalogue's products; the gate does not
		// count it; the draft changes, then is finalised.
		prop := e.prefill(t, rep, id, workflow.DocProposal)
		if b := prop["buyer"].(map[string]any); b["name"] != e.f.Company.Name {
			t.Fatalf("proposal prefill buyer %v", b)
		}
		qty := map[string]string{"VK-55": "2", "OR-10": "2", "RV-5000": "1", "PNR-1": "1"}
		var lines []any
		for _, p := range products {
			lines = append(lines, map[string]any{"sku": p.SKU, "name": p.Name, "unit": p.Unit, "okei": p.OKEI, "qty": qty[p.SKU], "price": p.Price, "vat_rate": p.VATRate})
		}
		prop["lines"] = lines
		draft := e.makeDocument(t, rep, id, workflow.DocProposal, prop, false)
		if draft.Number != "" || len(draft.Files) != 0 || draft.Version != 1 {
			t.Fatalf("a draft has a number or files: %+v", draft)
		}
		p := e.transition(t, rep, id, map[string]any{"action": "advance"}).problem(t, 422, api.ProblemMissingEvidence)
		if p.Stage != "proposal" || len(p.Missing) != 1 || !strings.Contains(fmt.Sprint(p.Missing), "proposal") {
			t.Fatalf("with only a draft proposal the gate says %+v", p)
		}
		dpdf := e.do(t, "GET", fmt.Sprintf("/api/v1/documents/%d/pdf", draft.ID), rep, nil).want(t, 200)
		if dpdf.Header.Get("ETag") != "" || !hasDraftMark(t, dpdf.Body) {
			t.Fatalf("a draft's PDF is not marked ЧЕРНОВИК (or has an ETag %q)", dpdf.Header.Get("ETag"))
		}
		checkDisposition(t, dpdf.Header.Get("Content-Disposition"), "attachment", fmt.Sprintf("Коммерческое предложение (черновик %d).pdf", draft.ID))
		prop["subject"] = "Компрессорная станция цеха № 3"
		var upd api.DocumentJSON
		e.do(t, "POST", base+"/documents", rep, map[string]any{"kind": "proposal", "data": prop, "draft_id": draft.ID}).want(t, 201).decode(t, &upd)
		if upd.ID != draft.ID || upd.Status != "draft" || upd.DataSHA256 == draft.DataSHA256 {
			t.Fatalf("draft update: %+v (was %s)", upd, draft.DataSHA256)
		}
		var fin api.DocumentJSON
		e.do(t, "POST", fmt.Sprintf("/api/v1/documents/%d/finalise", draft.ID), rep, nil).want(t, 200).decode(t, &fin)
		if fin.ID != draft.ID || fin.Status != "final" || fin.Number != "КП-2026-0001" || fin.FinalisedAt == nil || len(fin.Templates) != 2 {
			t.Fatalf("finalised proposal %+v", fin)
		}
		docs[workflow.DocProposal] = fin
		e.move(t, rep, id, map[string]any{"action": "advance"}, "dmu")

		// Exact totals: 2 × 2 600 000 + 2 × 320 000 + 420 000 + 150 000 = 6 410 000,00 + НДС 22 %.
		want := expectedTexts(t, fin)
		if want["totals.gross"] != "7 820 200,00" || want["totals.words"] != "Семь миллионов восемьсот двадцать тысяч двести рублей 00 копеек" {
			t.Fatalf("proposal totals %q, %q", want["totals.gross"], want["totals.words"])
		}

		// dmu → client card (custom number format) → negotiation → tender (skipped) → contract.
		e.post201(t, rep, base+"/facts", map[string]any{"kind": "decision_makers", "names": []string{"Белов С. Н."}})
		e.move(t, rep, id, map[string]any{"action": "advance"}, "client_card")
		cc := e.prefill(t, rep, id, workflow.DocClientCard)
		ccEx := kindExample(t, workflow.DocClientCard)
		fillMissing(cc, ccEx)
		// The people come from the meeting report; their attitude and influence are the rep's.
		for i, m := range cc["dmu"].([]any) {
			fillMissing(m.(map[string]any), ccEx["dmu"].([]any)[i].(map[string]any))
		}
		docs[workflow.DocClientCard] = e.makeDocument(t, rep, id, workflow.DocClientCard, cc, true)
		e.move(t, rep, id, map[string]any{"action": "advance"}, "negotiation")
		e.post201(t, rep, base+"/activities", map[string]any{"kind": "meeting", "note": "переговоры", "decision_maker": true})
		e.move(t, rep, id, map[string]any{"action": "advance"}, "tender")
		e.move(t, rep, id, map[string]any{"action": "skip", "reason": "закупка без тендера"}, "contract")

		// Contract: the prefill carries the proposal's lines.
		con := e.prefill(t, rep, id, workflow.DocContract)
		conLines, _ := con["lines"].([]any)
		if len(conLines) != len(lines) {
			t.Fatalf("contract prefill has %d lines, the proposal %d", len(conLines), len(lines))
		}
		for i, l := range conLines {
			got, pl := l.(map[string]any), lines[i].(map[string]any)
			if got["sku"] != pl["sku"] || got["name"] != pl["name"] || got["qty"] != pl["qty"] || got["price"] != pl["price"] {
				t.Errorf("contract prefill line %d = %v, proposal line %v", i, got, pl)
			}
		}
		// What only a person supplies: the court and the buyer's signatory.
		con["arbitration_court"] = "Арбитражный суд г. Москвы"
		buyer := con["buyer"].(map[string]any)
		buyer["director_name"], buyer["director_title"] = "Белов Сергей Николаевич", "Генеральный директор"
		docs[workflow.DocContract] = e.makeDocument(t, rep, id, workflow.DocContract, con, true)
		e.move(t, rep, id, map[string]any{"action": "advance"}, "specification")

		// Specification (back office): the prefill names the contract.
		spec := e.prefill(t, bo, id, workflow.DocSpecification)
		if c := spec["contract"].(map[string]any); c["number"] != "1/2026-П" || c["date"] != "2026-04-10" {
			t.Fatalf("specification prefill contract %v", c)
		}
		e.do(t, "POST", base+"/documents", rep, map[string]any{"kind": "specification", "data": spec, "final": true}).problem(t, 403, api.ProblemForbidden)
		docs[workflow.DocSpecification] = e.makeDocument(t, bo, id, workflow.DocSpecification, spec, true)
		e.move(t, bo, id, map[string]any{"action": "advance"}, "payment")

		// Invoice: a draft finalised by the back office; payment recorded.
		inv := e.prefill(t, bo, id, workflow.DocInvoice)
		if c := inv["specification"].(map[string]any); c["number"] != "1" {
			t.Fatalf("invoice prefill specification %v", c)
		}
		invDraft := e.makeDocument(t, bo, id, workflow.DocInvoice, inv, false)
		e.do(t, "POST", fmt.Sprintf("/api/v1/documents/%d/finalise", invDraft.ID), rep, nil).problem(t, 403, api.ProblemForbidden)
		var invFin api.DocumentJSON
		e.do(t, "POST", fmt.Sprintf("/api/v1/documents/%d/finalise", invDraft.ID), bo, nil).want(t, 200).decode(t, &invFin)
		docs[workflow.DocInvoice] = invFin
		e.post201(t, bo, base+"/facts", map[string]any{"kind": "payment", "amount": "3910100.00", "date": "2026-04-15"})
		e.move(t, bo, id, map[string]any{"action": "advance"}, "production")

		// Production schedule, УПД, shipment, recommendation letter.
		ps := e.prefill(t, bo, id, workflow.DocProductionSchedule)
		docs[workflow.DocProductionSchedule] = e.makeDocument(t, bo, id, workflow.DocProductionSchedule, ps, true)
		e.move(t, bo, id, map[string]any{"action": "advance"}, "shipment")
		u := e.prefill(t, bo, id, workflow.DocUPD)
		docs[workflow.DocUPD] = e.makeDocument(t, bo, id, workflow.DocUPD, u, true)
		e.post201(t, bo, base+"/facts", map[string]any{"kind": "shipment", "date": "2026-07-06"})
		e.move(t, bo, id, map[string]any{"action": "advance"}, "feedback")
		rl := e.prefill(t, rep, id, workflow.DocRecommendationLetter)
		docs[workflow.DocRecommendationLetter] = e.makeDocument(t, rep, id, workflow.DocRecommendationLetter, rl, true)

		// Numbers: the default formats, the custom one, each counter starting at 1.
		wantNumbers := map[workflow.DocumentKind]string{
			workflow.DocMeetingReport: "ОВ-2026-0001", workflow.DocProposal: "КП-2026-0001", workflow.DocClientCard: "2026/КК-00001",
			workflow.DocContract: "1/2026-П", workflow.DocSpecification: "1", workflow.DocProductionSchedule: "ГП-2026-0001",
			workflow.DocInvoice: "СЧ-2026-000001", workflow.DocUPD: "1", workflow.DocRecommendationLetter: "РП-2026-0001",
		}
		for _, k := range workflow.DocumentKinds {
			d, ok := docs[k]
			if !ok {
				t.Fatalf("no %s was made", k)
			}
			if d.Number != wantNumbers[k] || d.Version != 1 || d.Status != "final" {
				t.Errorf("%s: number %q v%d %s, want %q v1 final", k, d.Number, d.Version, d.Status, wantNumbers[k])
			}
		}
		// A revised proposal, made final at once, takes the next number.
		prop2 := e.makeDocument(t, rep, id, workflow.DocProposal, e.prefill(t, rep, id, workflow.DocProposal), true)
		if prop2.Number != "КП-2026-0002" {
			t.Fatalf("second proposal number %q, want КП-2026-0002", prop2.Number)
		}

		// Every final file: headers, hashes, and the text read back.
		docxFiles := map[string][]byte{}
		for _, k := range workflow.DocumentKinds {
			d := docs[k]
			want := expectedTexts(t, d)
			pdf := e.download(t, rep, d, documents.PDF)
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("%s PDF starts %q", k, pdf[:min(8, len(pdf))])
			}
			containsAll(t, string(k)+" PDF", pdfText(t, pdf), want)
			if hasDraftMark(t, pdf) {
				t.Errorf("the final %s PDF is marked ЧЕРНОВИК", k)
			}
			docx := e.download(t, rep, d, documents.DOCX)
			if _, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx))); err != nil {
				t.Fatalf("%s DOCX is not a zip: %v", k, err)
			}
			docxFiles[string(k)] = docx
		}

		// Re-rendering from the recorded data and templates gives the stored bytes, every kind.
		for _, k := range workflow.DocumentKinds {
			stored, err := e.st.FindDocumentByID(ctx, docs[k].ID)
			if err != nil {
				t.Fatal(err)
			}
			pdf, docx, err := e.srv.Documents.Rerender(ctx, stored)
			if err != nil {
				t.Fatalf("rerender %s: %v", k, err)
			}
			if storage.SHA256Hex(pdf) != stored.PDFSHA256 || storage.SHA256Hex(docx) != stored.DOCXSHA256 {
				t.Errorf("rerender %s: pdf %s docx %s, stored %s %s", k, storage.SHA256Hex(pdf), storage.SHA256Hex(docx), stored.PDFSHA256, stored.DOCXSHA256)
			}
		}

		checkCorrection(t, e, docs[workflow.DocProposal])
		checkImmutable(t, e, docs[workflow.DocInvoice], docs[workflow.DocContract])
		checkSignedCopies(t, e, docs[workflow.DocInvoice])
		checkPreview(t, e, id, prop)

		// Winning closes the deal; a closed deal takes no more documents or corrections.
		e.move(t, rep, id, map[string]any{"action": "win"}, "feedback")
		e.do(t, "POST", fmt.Sprintf("/api/v1/documents/%d/corrections", docs[workflow.DocContract].ID), rep, map[string]any{"data": docs[workflow.DocContract].Data}).problem(t, 422, api.ProblemInvalid)

		t.Run("docx via LibreOffice", func(t *testing.T) {
			texts := libreOfficeTexts(t, docxFiles)
			for _, k := range workflow.DocumentKinds {
				containsAll(t, string(k)+" DOCX→PDF", texts[string(k)], expectedTexts(t, docs[k]))
			}
		})
	})
}

// checkCorrection corrects a final proposal: version 2 with the same number supersedes
// version 1, both are listed and downloadable, and the trail records both events.
func checkCorrection(t *testing.T, e *env, old api.DocumentJSON) {
	t.Helper()
	rep := e.f.Rep1.Token
	oldPDF := e.download(t, rep, old, documents.PDF)
	var data map[string]any
	if err := json.Unmarshal(old.Data, &data); err != nil {
		t.Fatal(err)
	}
	// One more ВК-55: the derived amounts are left out, the service computes them again.
	for _, l := range data["lines"].([]any) {
		line := l.(map[string]any)
		if line["sku"] == "VK-55" {
			line["qty"] = "3"
		}
		delete(line, "amount")
		delete(line, "vat")
		delete(line, "total")
	}
	delete(data, "totals")
	delete(data, "optional_totals")
	path := fmt.Sprintf("/api/v1/documents/%d/corrections", old.ID)
	e.do(t, "POST", path, e.f.Backoffice.Token, map[string]any{"data": data}).problem(t, 403, api.ProblemForbidden)
	e.do(t, "POST", path, e.f.Rep2.Token, map[string]any{"data": data}).problem(t, 404, api.ProblemNotFound)
	before := e.countEvents(t, old.DealID)
	var v2 api.DocumentJSON
	e.do(t, "POST", path, rep, map[string]any{"data": data}).want(t, http.StatusCreated).decode(t, &v2)
	if v2.ID == old.ID || v2.Version != 2 || v2.Number != old.Number || v2.Status != "final" || v2.SupersedesID == nil || *v2.SupersedesID != old.ID {
		t.Fatalf("correction %+v of %d", v2, old.ID)
	}
	if v2.Files["pdf"].SHA256 == old.Files["pdf"].SHA256 {
		t.Fatal("the correction's PDF is the old one")
	}
	if got := e.document(t, rep, old.ID).Document; got.Status != "superseded" || got.Files["pdf"].SHA256 != old.Files["pdf"].SHA256 {
		t.Fatalf("the corrected version is now %+v", got)
	}
	if !bytes.Equal(e.download(t, rep, old, documents.PDF), oldPDF) {
		t.Fatal("the superseded version's PDF changed")
	}
	e.download(t, rep, old, documents.DOCX)
	text := pdfText(t, e.download(t, rep, v2, documents.PDF))
	if !strings.Contains(text, old.Number) || !strings.Contains(text, "10 992 200,00") {
		t.Errorf("the correction's PDF lacks the number or the new total: %s", text)
	}
	var list struct{ Items []api.DocumentJSON }
	e.do(t, "GET", fmt.Sprintf("/api/v1/deals/%d/documents?kind=proposal", old.DealID), rep, nil).want(t, 200).decode(t, &list)
	var ids []int64
	for _, d := range list.Items {
		ids = append(ids, d.ID)
	}
	if !slices.Contains(ids, old.ID) || !slices.Contains(ids, v2.ID) {
		t.Fatalf("proposal list %v lacks %d or %d", ids, old.ID, v2.ID)
	}
	evs, err := e.st.FindEvents(t.Context(), old.DealID)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(evs)) != before+2 {
		t.Fatalf("%d events after the correction, want %d", len(evs), before+2)
	}
	sup, fin := evs[len(evs)-2], evs[len(evs)-1]
	if sup.Kind != workflow.EventDocumentSupersede || fin.Kind != workflow.EventDocumentFinalised {
		t.Fatalf("events %s, %s; want document_superseded, document_finalised", sup.Kind, fin.Kind)
	}
	var sp, fp map[string]any
	_ = json.Unmarshal(sup.Payload, &sp)
	_ = json.Unmarshal(fin.Payload, &fp)
	if fmt.Sprint(sp["document_id"]) != fmt.Sprint(old.ID) || fmt.Sprint(sp["superseded_by"]) != fmt.Sprint(v2.ID) ||
		fmt.Sprint(fp["document_id"]) != fmt.Sprint(v2.ID) || fmt.Sprint(fp["supersedes_id"]) != fmt.Sprint(old.ID) {
		t.Fatalf("event payloads %s / %s", sup.Payload, fin.Payload)
	}
	if files, _ := fp["files"].(map[string]any); files["pdf"] != v2.Files["pdf"].SHA256 || files["docx"] != v2.Files["docx"].SHA256 {
		t.Fatalf("the finalised event records files %v, the document %+v", fp["files"], v2.Files)
	}
	// Only the current version can be corrected.
	e.do(t, "POST", path, rep, map[string]any{"data": data}).problem(t, 422, api.ProblemInvalid)
	// The stage gate still counts the proposal: its current version is final.
	if got := e.document(t, rep, v2.ID).Document; got.Status != "final" {
		t.Fatalf("v2 is %s", got.Status)
	}
}

// checkImmutable tries to change a final document through every route that takes one: it
// stays byte for byte what it was.
func checkImmutable(t *testing.T, e *env, final, other api.DocumentJSON) {
	t.Helper()
	bo := e.f.Backoffice.Token
	before := e.document(t, bo, final.ID).Document
	events := e.countEvents(t, final.DealID)
	base := fmt.Sprintf("/api/v1/deals/%d/documents", final.DealID)
	var data map[string]any
	_ = json.Unmarshal(final.Data, &data)
	data["payment_due"] = "2026-05-30"
	// As a draft update, with or without final, and as the draft of another kind.
	e.do(t, "POST", base, bo, map[string]any{"kind": final.Kind, "data": data, "draft_id": final.ID}).problem(t, 422, api.ProblemInvalid)
	e.do(t, "POST", base, bo, map[string]any{"kind": final.Kind, "data": data, "draft_id": final.ID, "final": true}).problem(t, 422, api.ProblemInvalid)
	e.do(t, "POST", base, e.f.Admin.Token, map[string]any{"kind": other.Kind, "data": other.Data, "draft_id": final.ID}).problem(t, 422, api.ProblemInvalid)
	// Finalising again.
	e.do(t, "POST", fmt.Sprintf("/api/v1/documents/%d/finalise", final.ID), bo, nil).problem(t, 422, api.ProblemInvalid)
	// DELETE deletes drafts only: a final document is refused as evidence.
	e.do(t, "DELETE", fmt.Sprintf("/api/v1/documents/%d", final.ID), bo, nil).problem(t, 409, api.ProblemConflict)
	// Methods the API does not offer on a document.
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		for _, p := range []string{"", "/pdf", "/docx"} {
			if m == "DELETE" && p == "" {
				continue
			}
			r := e.do(t, m, fmt.Sprintf("/api/v1/documents/%d%s", final.ID, p), bo, data)
			if r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusNotFound {
				t.Errorf("%s /documents/%d%s: %d %s", m, final.ID, p, r.Status, r.Body)
			}
		}
	}
	after := e.document(t, bo, final.ID).Document
	if after.DataSHA256 != before.DataSHA256 || after.Status != "final" || after.Number != before.Number ||
		after.Files["pdf"] != before.Files["pdf"] || after.Files["docx"] != before.Files["docx"] || !bytes.Equal(after.Data, before.Data) {
		t.Fatalf("the final document changed:\n%+v\n%+v", before, after)
	}
	if n := e.countEvents(t, final.DealID); n != events {
		t.Fatalf("refused changes appended %d events", n-events)
	}
}

// pngBytes, jpegBytes and pdfBytes are tiny files with the right magic numbers.
var (
	pdfScan  = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	jpegScan = append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{0x55}, 64)...)
	pngScan  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0x11}, 64)...)
)

// uploadRaw posts b as the body with the content type.
func (e *env) uploadRaw(t testing.TB, path, token, ct string, b []byte) response {
	t.Helper()
	req := request(t, "POST", path, token, b)
	req.Header.Set("Content-Type", ct)
	return e.serve(req)
}

// uploadForm posts b as the "file" field of a multipart form.
func (e *env) uploadForm(t testing.TB, path, token, filename, ct string, b []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", ct)
	w, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(b)
	_ = mw.Close()
	req := request(t, "POST", path, token, body.Bytes())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.serve(req)
}

// checkSignedCopies attaches scans to a final document: PDF, JPEG and PNG (raw and as a
// form) are kept with their hash; other content, oversize files and drafts are refused.
func checkSignedCopies(t *testing.T, e *env, final api.DocumentJSON) {
	t.Helper()
	bo := e.f.Backoffice.Token
	path := fmt.Sprintf("/api/v1/documents/%d/signed-copies", final.ID)
	events := e.countEvents(t, final.DealID)
	type sent struct {
		name, ct string
		b        []byte
		stored   string // the name kept, when it is not name
	}
	// A name longer than the 200 bytes kept, whose cut falls inside a letter.
	long := "Счёт на оплату № СЧ-2026-000001 от 10.04.2026, " + strings.Repeat("подписан обеими сторонами ", 6) + ".pdf"
	var ok []sent
	for _, s := range []sent{
		{name: "подписанный счёт.pdf", ct: "application/pdf", b: pdfScan},
		{name: "скан.jpg", ct: "image/jpeg", b: jpegScan},
		{name: "скан 14:05, v=2 @офис.png", ct: "image/png", b: pngScan},
		{name: "\xffскан\r\n.pdf", ct: "application/pdf", b: pdfScan, stored: "_скан.pdf"},
		{name: long, ct: "application/pdf", b: pdfScan},
	} {
		var a struct {
			ID       int64  `json:"id"`
			SHA256   string `json:"sha256"`
			Size     int64  `json:"size"`
			Filename string `json:"filename"`
		}
		e.uploadRaw(t, path+"?filename="+url.QueryEscape(s.name), bo, s.ct, s.b).want(t, 201).decode(t, &a)
		if s.name == long {
			if len(a.Filename) > 200 || !utf8.ValidString(a.Filename) || !strings.HasSuffix(a.Filename, "сторонами.pdf") && !strings.HasSuffix(a.Filename, ".pdf") || !strings.HasPrefix(long, strings.TrimSuffix(a.Filename, ".pdf")) {
				t.Fatalf("a long name is kept as %q (%d bytes)", a.Filename, len(a.Filename))
			}
			s.stored = a.Filename
		}
		if s.stored == "" {
			s.stored = s.name
		}
		if a.SHA256 != storage.SHA256Hex(s.b) || a.Size != int64(len(s.b)) || a.Filename != s.stored {
			t.Fatalf("signed copy %q stored as %+v, want the name %q", s.name, a, s.stored)
		}
		ok = append(ok, s)
	}
	e.uploadForm(t, path, bo, "scan-form.pdf", "application/pdf", pdfScan).want(t, 201)
	ok = append(ok, sent{name: "scan-form.pdf", ct: "application/pdf", b: pdfScan, stored: "scan-form.pdf"})

	// Refused: an executable renamed to .pdf, a JPEG sent as PDF, a text file, an auditor,
	// a file over the limit (raw and as a form), a draft.
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 256)...)
	e.uploadRaw(t, path+"?filename=scan.pdf", bo, "application/pdf", exe).problem(t, 422, api.ProblemInvalid)
	e.uploadForm(t, path, bo, "scan.pdf", "application/pdf", exe).problem(t, 422, api.ProblemInvalid)
	e.uploadRaw(t, path, bo, "application/pdf", jpegScan).problem(t, 422, api.ProblemInvalid)
	e.uploadRaw(t, path, bo, "text/plain", []byte("подписано")).problem(t, 422, api.ProblemInvalid)
	e.uploadRaw(t, path, e.f.Auditor.Token, "application/pdf", pdfScan).problem(t, 403, api.ProblemForbidden)
	big := append(append([]byte{}, pdfScan...), bytes.Repeat([]byte{' '}, 21<<20)...)
	e.uploadRaw(t, path, bo, "application/pdf", big).problem(t, 413, api.ProblemTooLarge)
	e.uploadForm(t, path, bo, "big.pdf", "application/pdf", big).problem(t, 413, api.ProblemTooLarge)
	over := big[:api.MaxSignedCopy+1]
	e.uploadRaw(t, path, bo, "application/pdf", over).problem(t, 413, api.ProblemTooLarge)
	draft := e.makeDocument(t, e.f.Rep1.Token, final.DealID, workflow.DocMeetingReport, kindExample(t, workflow.DocMeetingReport), false)
	e.uploadRaw(t, fmt.Sprintf("/api/v1/documents/%d/signed-copies", draft.ID), bo, "application/pdf", pdfScan).problem(t, 422, api.ProblemInvalid)

	det := e.document(t, e.f.Auditor.Token, final.ID)
	if len(det.SignedCopies) != len(ok) {
		t.Fatalf("%d signed copies listed, want %d", len(det.SignedCopies), len(ok))
	}
	for i, s := range ok {
		a := det.SignedCopies[i]
		if a.ContentType != s.ct || a.SHA256 != storage.SHA256Hex(s.b) || a.Filename != s.stored {
			t.Errorf("signed copy %d: %+v, want %s %s", i, a, s.stored, s.ct)
		}
		r := e.do(t, "GET", a.URL, e.f.Auditor.Token, nil).want(t, 200)
		if !bytes.Equal(r.Body, s.b) || r.Header.Get("Content-Type") != s.ct {
			t.Errorf("signed copy %d downloads as %s, %d bytes", i, r.Header.Get("Content-Type"), len(r.Body))
		}
		checkDisposition(t, r.Header.Get("Content-Disposition"), "attachment", s.stored)
	}
	if n := e.countEvents(t, final.DealID); n != events+int64(len(ok)) {
		t.Fatalf("%d events for %d signed copies", n-events, len(ok))
	}
	if det.Document.Status != "final" || det.Document.DataSHA256 != final.DataSHA256 {
		t.Fatalf("attaching changed the document: %+v", det.Document)
	}
}

// countRows counts the rows of a table.
func (e *env) countRows(t testing.TB, table string) int64 {
	t.Helper()
	var n int64
	if err := e.st.DB().Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// checkPreview renders data as a draft without storing anything.
func checkPreview(t *testing.T, e *env, dealID int64, data map[string]any) {
	t.Helper()
	docs, blobs, events := e.countRows(t, "documents"), e.countRows(t, "blobs"), e.countEvents(t, dealID)
	path := fmt.Sprintf("/api/v1/deals/%d/documents/preview", dealID)
	r := e.do(t, "POST", path, e.f.Rep1.Token, map[string]any{"kind": "proposal", "data": data}).want(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("preview Content-Type %q", ct)
	}
	checkDisposition(t, r.Header.Get("Content-Disposition"), "inline", "proposal-preview.pdf")
	if text := pdfText(t, r.Body); !hasDraftMark(t, r.Body) || !strings.Contains(text, e.f.Company.Name) {
		t.Fatalf("preview text lacks ЧЕРНОВИК or the buyer: %s", text)
	}
	r = e.do(t, "POST", path+"?format=docx", e.f.Rep1.Token, map[string]any{"kind": "proposal", "data": data}).want(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != contentTypes[documents.DOCX] {
		t.Fatalf("DOCX preview Content-Type %q", ct)
	}
	e.do(t, "POST", path, e.f.Rep1.Token, map[string]any{"kind": "proposal", "data": map[string]any{"lines": "x"}}).problem(t, 422, api.ProblemInvalid)
	e.do(t, "POST", path+"?format=odt", e.f.Rep1.Token, map[string]any{"kind": "proposal", "data": data}).problem(t, 422, api.ProblemInvalid)
	// Characters the PDF font lacks are the typist's to change: 422 naming the field.
	unprintable := map[string]any{}
	for k, v := range data {
		unprintable[k] = v
	}
	unprintable["subject"] = "Компрессоры 漢字"
	if p := e.do(t, "POST", path, e.f.Rep1.Token, map[string]any{"kind": "proposal", "data": unprintable}).problem(t, 422, api.ProblemInvalid); p.Field != "subject" || !strings.Contains(p.Detail, "U+6F22") {
		t.Fatalf("unprintable preview: %+v", p)
	}
	if d, b, ev := e.countRows(t, "documents"), e.countRows(t, "blobs"), e.countEvents(t, dealID); d != docs || b != blobs || ev != events {
		t.Fatalf("a preview stored something: documents %d→%d, blobs %d→%d, events %d→%d", docs, d, blobs, b, events, ev)
	}
}

// zipEntry is one entry of a test archive. Raw entries are written with CreateRaw: their
// Data is already deflated and the header (sizes, CRC) is taken as given, true or not.
type zipEntry struct {
	Name string
	Data []byte
	Raw  *zip.FileHeader
}

// rezip copies a zip archive, passing every entry through edit (nil keeps it), and appends
// extra entries.
func rezip(t testing.TB, b []byte, edit func(name string, content []byte) []byte, extra ...zipEntry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			content = edit(f.Name, content)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(content)
	}
	for _, x := range extra {
		var w io.Writer
		if x.Raw != nil {
			w, err = zw.CreateRaw(x.Raw)
		} else {
			w, err = zw.Create(x.Name)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(x.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// deflatedZeros returns n zero bytes deflated (a zip entry's raw data) and their CRC-32.
func deflatedZeros(t testing.TB, n int) ([]byte, uint32) {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	crc := crc32.NewIEEE()
	for written := 0; written < n; written += len(zeros) {
		chunk := zeros[:min(len(zeros), n-written)]
		_, _ = fw.Write(chunk)
		_, _ = crc.Write(chunk)
	}
	_ = fw.Close()
	return buf.Bytes(), crc.Sum32()
}

// replaceOnce replaces the first old in b, failing the test when there is none.
func replaceOnce(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%q is not in the template", old)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// docxVariant is the shipped proposal DOCX with one heading changed.
func docxVariant(t testing.TB, marker string) []byte {
	t.Helper()
	tf, err := documents.Builtin(workflow.DocProposal, documents.DOCX)
	if err != nil {
		t.Fatal(err)
	}
	return rezip(t, tf.Bytes, func(name string, c []byte) []byte {
		if name == "word/document.xml" {
			return replaceOnce(t, c, "Преимущества решения:", "Преимущества решения ("+marker+"):")
		}
		return c
	})
}

// layoutVariant is the shipped proposal layout with one heading changed.
func layoutVariant(t testing.TB, marker string) []byte {
	t.Helper()
	tf, err := documents.Builtin(workflow.DocProposal, documents.PDF)
	if err != nil {
		t.Fatal(err)
	}
	return replaceOnce(t, tf.Bytes, ">Преимущества решения:<", ">Преимущества решения ("+marker+"):<")
}

// docxDocument returns word/document.xml of a DOCX.
func docxDocument(t testing.TB, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			defer rc.Close()
			c, _ := io.ReadAll(rc)
			return string(c)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

// refTo returns the template reference of format in a document.
func refTo(t testing.TB, d api.DocumentJSON, f documents.Format) storage.TemplateRef {
	t.Helper()
	for _, r := range d.Templates {
		if r.Format == string(f) {
			return r
		}
	}
	t.Fatalf("document %d records no %s template: %+v", d.ID, f, d.Templates)
	return storage.TemplateRef{}
}

// TestTemplateUpload: an admin uploads DOCX and PDF-layout variants of the proposal; they are
// checked, versioned and activated; documents record the template id, version and SHA-256
// they were rendered with and re-render with that version after another is activated;
// version 0 returns to the shipped template. Unknown placeholders (named), non-zip files, zip
// bombs, path traversal, broken XML (line and column) are 422; oversize uploads 413.
func TestTemplateUpload(t *testing.T) {
	t.Parallel()
	forEachDocEnv(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		admin := e.f.Admin.Token
		deal := e.createDeal(t, e.f.Rep1.Token, e.f.Company.ID)
		const docxCT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		upload := func(format, filename, ct string, b []byte) response {
			t.Helper()
			return e.uploadRaw(t, "/api/v1/templates/proposal/"+format+"?filename="+url.QueryEscape(filename), admin, ct, b)
		}
		var v1, v2, lv1 api.TemplateJSON
		v1docx, v2docx, layout := docxVariant(t, "ВАРИАНТ-1"), docxVariant(t, "ВАРИАНТ-2"), layoutVariant(t, "ВЁРСТКА-1")
		e.uploadRaw(t, "/api/v1/templates/proposal/docx", e.f.Manager.Token, docxCT, v1docx).problem(t, 403, api.ProblemForbidden)
		upload("docx", "КП вариант 1.docx", docxCT, v1docx).want(t, 201).decode(t, &v1)
		upload("docx", "КП вариант 2.docx", docxCT, v2docx).want(t, 201).decode(t, &v2)
		e.uploadForm(t, "/api/v1/templates/proposal/pdf", admin, "proposal-layout.xml", "application/xml", layout).want(t, 201).decode(t, &lv1)
		if v1.Version != 1 || v2.Version != 2 || lv1.Version != 1 || v1.SHA256 != storage.SHA256Hex(v1docx) || lv1.SHA256 != storage.SHA256Hex(layout) {
			t.Fatalf("versions: %+v %+v %+v", v1, v2, lv1)
		}
		if !v2.Active || !lv1.Active || v1.Kind != "proposal" || v1.Format != "docx" || lv1.Format != "pdf" || lv1.Filename != "proposal-layout.xml" {
			t.Fatalf("uploads: %+v %+v", v2, lv1)
		}
		got := e.do(t, "GET", v1.URL, admin, nil).want(t, 200)
		if !bytes.Equal(got.Body, v1docx) || got.Header.Get("Content-Type") != docxCT {
			t.Fatal("the stored v1 is not the uploaded file")
		}
		checkDisposition(t, got.Header.Get("Content-Disposition"), "attachment", "КП вариант 1.docx")
		// A name that is not UTF-8 is stored as valid text (PostgreSQL takes nothing else).
		shippedInvoice, _ := documents.Builtin(workflow.DocInvoice, documents.DOCX)
		var odd api.TemplateJSON
		e.uploadRaw(t, "/api/v1/templates/invoice/docx?filename=%FF%FE%D1%81%D1%87%D1%91%D1%82.docx", admin, docxCT, shippedInvoice.Bytes).want(t, 201).decode(t, &odd)
		if odd.Filename != "_счёт.docx" || odd.Version != 1 {
			t.Fatalf("a non-UTF-8 name is kept as %+v", odd)
		}
		e.do(t, "POST", "/api/v1/templates/invoice/docx/activate", admin, map[string]any{"version": 0}).want(t, 200)
		var list struct {
			Items   []api.TemplateJSON
			Builtin []map[string]string
		}
		e.do(t, "GET", "/api/v1/templates?kind=proposal", e.f.Rep1.Token, nil).want(t, 200).decode(t, &list)
		// Every kind ships a PDF layout and a DOCX, and the УПД its ТОРГ-12 DOCX variant.
		variants := 0
		for _, b := range list.Builtin {
			if b["variant"] != "" {
				variants++
			}
		}
		if len(list.Items) != 3 || len(list.Builtin) != 2*len(workflow.DocumentKinds)+1 || variants != 1 {
			t.Fatalf("template list: %d uploaded, %d shipped (%d variants)", len(list.Items), len(list.Builtin), variants)
		}

		// v2 is active: a new proposal records it and the layout, and prints them.
		propData := kindExample(t, workflow.DocProposal)
		d2 := e.makeDocument(t, e.f.Rep1.Token, deal.ID, workflow.DocProposal, propData, true)
		if r := refTo(t, d2, documents.DOCX); r.ID != v2.ID || r.Version != 2 || r.SHA256 != v2.SHA256 {
			t.Fatalf("docx reference %+v, want v2 %+v", r, v2)
		}
		if r := refTo(t, d2, documents.PDF); r.ID != lv1.ID || r.Version != 1 || r.SHA256 != lv1.SHA256 {
			t.Fatalf("pdf reference %+v, want %+v", r, lv1)
		}
		if !strings.Contains(docxDocument(t, e.download(t, e.f.Rep1.Token, d2, documents.DOCX)), "ВАРИАНТ-2") {
			t.Fatal("the DOCX was not made with the uploaded v2")
		}
		if !strings.Contains(pdfText(t, e.download(t, e.f.Rep1.Token, d2, documents.PDF)), "ВЁРСТКА-1") {
			t.Fatal("the PDF was not made with the uploaded layout")
		}

		// Back to v1, then to the shipped DOCX (version 0); a missing version is 404.
		e.do(t, "POST", "/api/v1/templates/proposal/docx/activate", admin, map[string]any{"version": 1}).want(t, 200)
		d1 := e.makeDocument(t, e.f.Rep1.Token, deal.ID, workflow.DocProposal, propData, true)
		if r := refTo(t, d1, documents.DOCX); r.ID != v1.ID || r.Version != 1 || r.SHA256 != v1.SHA256 {
			t.Fatalf("docx reference %+v, want v1", r)
		}
		e.do(t, "POST", "/api/v1/templates/proposal/docx/activate", admin, map[string]any{"version": 9}).problem(t, 404, api.ProblemNotFound)
		e.do(t, "POST", "/api/v1/templates/proposal/docx/activate", admin, map[string]any{"version": -1}).problem(t, 422, api.ProblemInvalid)
		e.do(t, "POST", "/api/v1/templates/proposal/docx/activate", admin, map[string]any{"version": 0}).want(t, 200)
		e.do(t, "POST", "/api/v1/templates/proposal/pdf/activate", admin, map[string]any{"version": 0}).want(t, 200)
		d0 := e.makeDocument(t, e.f.Rep1.Token, deal.ID, workflow.DocProposal, propData, true)
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			shipped, _ := documents.Builtin(workflow.DocProposal, f)
			if r := refTo(t, d0, f); r.ID != 0 || r.Version != 0 || r.SHA256 != shipped.SHA256 {
				t.Fatalf("%s reference %+v, want the shipped template %s", f, r, shipped.SHA256)
			}
		}
		if strings.Contains(docxDocument(t, e.download(t, e.f.Rep1.Token, d0, documents.DOCX)), "ВАРИАНТ") {
			t.Fatal("version 0 still renders an uploaded DOCX")
		}

		// Re-rendering uses the recorded versions, whatever is active now.
		for _, d := range []api.DocumentJSON{d2, d1, d0} {
			stored, err := e.st.FindDocumentByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			pdf, docx, err := e.srv.Documents.Rerender(ctx, stored)
			if err != nil {
				t.Fatal(err)
			}
			if storage.SHA256Hex(pdf) != d.Files["pdf"].SHA256 || storage.SHA256Hex(docx) != d.Files["docx"].SHA256 {
				t.Errorf("document %d does not re-render to its stored files", d.ID)
			}
		}
		if !strings.Contains(docxDocument(t, e.download(t, e.f.Rep1.Token, d1, documents.DOCX)), "ВАРИАНТ-1") {
			t.Fatal("the v1 document lost its template")
		}

		// Refusals, each listing what is wrong.
		refused := func(format, ct string, b []byte, wants ...string) {
			t.Helper()
			p := upload(format, "bad."+format, ct, b).problem(t, 422, api.ProblemInvalid)
			msg := p.Detail
			for _, fp := range p.Errors {
				msg += " | " + fp.Message
			}
			for _, w := range wants {
				if !strings.Contains(msg, w) {
					t.Errorf("refusal %q does not say %q", msg, w)
				}
			}
		}
		unknown := rezip(t, v1docx, func(name string, c []byte) []byte {
			if name == "word/document.xml" {
				return replaceOnce(t, c, "Преимущества решения", "{no_such_key} {buyer.nam} Преимущества решения")
			}
			return c
		})
		refused("docx", docxCT, unknown, "unknown placeholders", "no_such_key", "buyer.nam")
		refused("docx", docxCT, []byte("это не документ Word"), "zip")
		refused("docx", docxCT, layout, "zip")
		refused("pdf", "application/xml", v1docx, "bad.pdf:1:")

		// A zip bomb whose header lies: 40 MB of zeros declared as 2 KB.
		bomb, crc := deflatedZeros(t, 40<<20)
		lying := rezip(t, v1docx, nil, zipEntry{Raw: &zip.FileHeader{Name: "word/media/bomb.bin", Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(bomb)), UncompressedSize64: 2048}, Data: bomb})
		refused("docx", docxCT, lying, "word/media/bomb.bin")
		// An honest one: 4 × 30 MB entries, each under the entry limit, together over the total.
		part, crc30 := deflatedZeros(t, 30<<20)
		var many []zipEntry
		for i := range 4 {
			many = append(many, zipEntry{Raw: &zip.FileHeader{Name: fmt.Sprintf("word/media/fill%d.bin", i), Method: zip.Deflate, CRC32: crc30,
				CompressedSize64: uint64(len(part)), UncompressedSize64: 30 << 20}, Data: part})
		}
		if honest := rezip(t, v1docx, nil, many...); len(honest) > 1<<20 {
			t.Fatalf("the honest bomb is %d bytes compressed", len(honest))
		} else {
			refused("docx", docxCT, honest, "limit")
		}
		refused("docx", docxCT, rezip(t, v1docx, nil, zipEntry{Name: "../../evil.xml", Data: []byte("<x/>")}), "../../evil.xml")

		// A broken layout names the line and column.
		lines := strings.Split(string(layout), "\n")
		const brokenLine = 71 // the «Преимущества решения» paragraph
		if !strings.Contains(lines[brokenLine-1], "ВЁРСТКА-1") {
			t.Fatalf("line %d of the layout is %q", brokenLine, lines[brokenLine-1])
		}
		lines[brokenLine-1] = strings.Replace(lines[brokenLine-1], "</p>", "</b>", 1)
		refused("pdf", "application/xml", []byte(strings.Join(lines, "\n")), fmt.Sprintf("bad.pdf:%d:", brokenLine))
		refused("pdf", "application/xml", replaceOnce(t, layout, "ВЁРСТКА-1", "{{.no_such_key}}"), "no_such_key")

		// Over the limits: 413, from the handler (over 10 MB) and from the body limit (over 21 MB).
		for _, n := range []int{docxfill.MaxTemplateSize + 1, 22 << 20} {
			padded := rezip(t, v1docx, nil, zipEntry{Raw: &zip.FileHeader{Name: "word/media/pad.bin", Method: zip.Store, CRC32: crc32.ChecksumIEEE(make([]byte, n)),
				CompressedSize64: uint64(n), UncompressedSize64: uint64(n)}, Data: make([]byte, n)})
			upload("docx", "big.docx", docxCT, padded).problem(t, 413, api.ProblemTooLarge)
		}

		// Nothing refused was stored.
		e.do(t, "GET", "/api/v1/templates?kind=proposal", admin, nil).want(t, 200).decode(t, &list)
		if len(list.Items) != 3 {
			t.Fatalf("%d template versions after the refusals, want 3", len(list.Items))
		}
	})
}
