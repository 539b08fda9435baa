package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// TestShippedVariantTemplatesAreListed: the templates page and GET /api/v1/templates list the
// УПД's shipped ТОРГ-12 variant (upd-torg12.docx) beside the kind's own template, and its
// download gives the very file the renderer prints that profile with; a variant that is not
// shipped (an unknown name, or in PDF, where the layout branches itself) is 404.
func TestShippedVariantTemplatesAreListed(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	s := newPagesSite(t, st)
	admin := s.signIn(t, s.f.Admin.Email)
	want, err := documents.BuiltinVariant(workflow.DocUPD, documents.ProfileTORG12, documents.DOCX)
	if err != nil {
		t.Fatal(err)
	}

	_, body := admin.do("GET", "/admin/templates", nil)
	row := parseHTML(t, body).Find("#tpl-upd-docx-" + documents.ProfileTORG12)
	href, _ := row.Find("a").Attr("href")
	if row.Length() != 1 || !strings.Contains(row.Text(), "upd-torg12.docx") || href == "" {
		t.Fatalf("the templates page lists the ТОРГ-12 variant as %q (link %q)", row.Text(), href)
	}
	if parseHTML(t, body).Find("#tpl-upd-pdf-"+documents.ProfileTORG12).Length() != 0 {
		t.Errorf("a PDF variant is listed, but none is shipped")
	}
	code, file := admin.do("GET", href, nil)
	sum := sha256.Sum256([]byte(file))
	if code != http.StatusOK || hex.EncodeToString(sum[:]) != want.SHA256 || !strings.HasPrefix(file, "PK") {
		t.Fatalf("download %s: status %d, %d bytes, sha256 %x; want %s", href, code, len(file), sum[:8], want.SHA256)
	}

	code, list := admin.do("GET", "/api/v1/templates", nil)
	var out struct {
		Builtin []map[string]string `json:"builtin"`
	}
	if err := json.Unmarshal([]byte(list), &out); code != http.StatusOK || err != nil {
		t.Fatalf("GET /api/v1/templates: %d, %v", code, err)
	}
	found := false
	for _, b := range out.Builtin {
		if b["kind"] == "upd" && b["variant"] == documents.ProfileTORG12 {
			found = b["format"] == "docx" && b["sha256"] == want.SHA256 && b["url"] == href
		}
	}
	if !found {
		t.Errorf("GET /api/v1/templates does not list the variant with its hash and URL: %+v", out.Builtin)
	}

	for _, u := range []string{"/api/v1/templates/builtin/upd/docx?variant=nope", "/api/v1/templates/builtin/upd/pdf?variant=" + documents.ProfileTORG12,
		"/api/v1/templates/builtin/invoice/docx?variant=" + documents.ProfileTORG12} {
		if code, _ := admin.do("GET", u, nil); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", u, code)
		}
	}
	if code, main := admin.do("GET", "/api/v1/templates/builtin/upd/docx", nil); code != http.StatusOK || main == file {
		t.Errorf("the УПД's own DOCX: status %d, the same file as the variant: %v", code, main == file)
	}
}
