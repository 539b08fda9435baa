package web

import (
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// extValue matches an RFC 5987 ext-value's value-chars: attr-chars and percent-encoded bytes.
var extValue = regexp.MustCompile("^(?:%[0-9A-F]{2}|[A-Za-z0-9!#$&+.^_`|~-])+$")

// TestInlinePDFFilenameIsRFC5987 checks the Content-Disposition of the pages' inline PDFs
// for a Cyrillic name with spaces, double and single quotes, parentheses and ':', '=' and '@'
// (which url.PathEscape would leave as they are, though RFC 5987 does not allow them): filename*
// carries only attr-chars and percent-encoded UTF-8, decodes back to the name, and the
// header as a whole parses.
func TestInlinePDFFilenameIsRFC5987(t *testing.T) {
	name := `Счёт "ООО Ромашка" № 7: от 'мая' (черновик) a=b@c`
	want := `Счёт 'ООО Ромашка' № 7: от 'мая' (черновик) a=b@c.pdf` // double quotes become single ones
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/documents/1/pdf", nil), rec)
	if err := inlinePDF(c, []byte("%PDF-1.4\n"), name, false); err != nil {
		t.Fatal(err)
	}
	h := rec.Header().Get("Content-Disposition")
	t.Logf("Content-Disposition: %s", h)
	_, ext, ok := strings.Cut(h, "; filename*=UTF-8''")
	if !ok {
		t.Fatalf("no filename*=UTF-8'' in %q", h)
	}
	if !extValue.MatchString(ext) {
		t.Fatalf("filename* value %q has characters outside the RFC 5987 attr-char set", ext)
	}
	if got, err := url.PathUnescape(ext); err != nil || got != want {
		t.Fatalf("filename* decodes to %q (%v), want %q", got, err, want)
	}
	disp, params, err := mime.ParseMediaType(h)
	if err != nil || disp != "inline" {
		t.Fatalf("ParseMediaType(%q) = %q, %v", h, disp, err)
	}
	if params["filename"] != want { // Go's parser prefers the decoded filename*
		t.Fatalf("parsed filename %q, want %q", params["filename"], want)
	}
	if strings.ContainsAny(ext, ` "'():=@`) {
		t.Fatalf("filename* value %q holds a space, a quote, a parenthesis, ':', '=' or '@'", ext)
	}
}
