package docxfill_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/documents/docxfill"
)

// TestProposalPDFViaLibreOffice converts a filled proposal with LibreOffice and reads the
// PDF's text back: LibreOffice must accept the package, and the values, the three item
// rows and the totals must be on the page. Skipped when soffice or pdftotext is missing,
// unless CI=true.
func TestProposalPDFViaLibreOffice(t *testing.T) {
	tools := needTools(t, "soffice", "pdftotext")
	t.Parallel()

	tpl := mustProposal(t)
	d := proposalData(4, 3)
	dir := t.TempDir()
	docx := filepath.Join(dir, "proposal.docx")
	if err := os.WriteFile(docx, render(t, tpl, d), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := convert(t, tools["soffice"], docx, "pdf", dir)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	raw, err := exec.CommandContext(ctx, tools["pdftotext"], "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := normalize(string(raw))

	want := []string{
		normalize(d.Values["seller.name"]),
		d.Values["buyer.name"],
		"Исх. № " + d.Values["number"] + " от " + d.Values["date"],
		"КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ",
		"Всего с НДС: " + normalize(d.Values["totals.gross"]) + " руб.",
		"Итого без НДС: " + normalize(d.Values["totals.net"]),
		"не является публичной офертой",
		"г. Череповец",
	}
	for i, it := range d.Lists["lines"] {
		want = append(want, fmt.Sprintf("ЦНС 38-%d", 44+i), normalize(it["total"]), normalize(it["price_net"]))
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}

// normalize folds non-breaking spaces and runs of white space to one space.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// TestTemplateResavedByLibreOffice takes the proposal template through LibreOffice's own
// DOCX writer (other run structure, bare <w:t>, its own styles) and fills the result: an
// uploaded template made in a word processor must parse to the same placeholders, and
// leading spaces of values must survive the bare <w:t>.
func TestTemplateResavedByLibreOffice(t *testing.T) {
	tools := needTools(t, "soffice")
	t.Parallel()

	dir := t.TempDir()
	src := filepath.Join(dir, "src", "proposal.docx")
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, proposalBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	resaved, err := os.ReadFile(convert(t, tools["soffice"], src, "docx:MS Word 2007 XML", dir))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(resaved, proposalBytes(t)) {
		t.Fatal("LibreOffice returned the file unchanged")
	}
	tpl, err := docxfill.NewTemplate("resaved.docx", resaved)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tpl.Placeholders(), mustProposal(t).Placeholders(); !slices.Equal(got, want) {
		t.Fatalf("placeholders after LibreOffice:\n got %v\nwant %v", got, want)
	}
	d := proposalData(2, 3)
	d.Values["intro"] = "   три пробела впереди"
	doc := readPart(t, render(t, tpl, d), "word/document.xml")
	text := wordText(t, doc)
	for _, want := range []string{d.Values["seller.name"], d.Values["buyer.address"], d.Values["intro"], "Исх. № " + d.Values["number"]} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	// Word drops leading spaces of a w:t without xml:space="preserve".
	if !bytes.Contains(doc, []byte(`<w:t xml:space="preserve">   три пробела впереди`)) {
		t.Error(`the w:t holding the value lacks xml:space="preserve"`)
	}
	if got := strings.Count(text, "Насос центробежный"); got != 3 {
		t.Errorf("%d item rows, want 3", got)
	}
}

// needTools finds the named programs; it skips the test when one is missing, unless
// CI=true, where that is a failure.
func needTools(t *testing.T, names ...string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing: %v", n, err)
			}
			t.Skipf("%s not installed", n)
		}
		paths[n] = p
	}
	return paths
}

// convert runs soffice --convert-to on file into outDir and returns the output path.
// Each call has its own profile and HOME, so parallel conversions do not clash.
func convert(t *testing.T, soffice, file, to, outDir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	profile := t.TempDir()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.ToSlash(profile),
		"--headless", "--convert-to", to, "--outdir", outDir, file)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	ext, _, _ := strings.Cut(to, ":")
	out := filepath.Join(outDir, strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))+"."+ext)
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("soffice wrote no %s: %v", out, err)
	}
	return out
}
