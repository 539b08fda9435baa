package docxfill_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProposalPDFViaLibreOffice converts a filled proposal with LibreOffice and reads the
// PDF's text back: LibreOffice must accept the package, and the values, the three item
// rows and the totals must be on the page. Skipped when soffice or pdftotext is missing,
// unless CI=true.
func TestProposalPDFViaLibreOffice(t *testing.T) {
	soffice, err1 := exec.LookPath("soffice")
	pdftotext, err2 := exec.LookPath("pdftotext")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but soffice or pdftotext is missing: %v %v", err1, err2)
		}
		t.Skip("soffice or pdftotext not installed")
	}
	t.Parallel()

	tpl := mustProposal(t)
	d := proposalData(4, 3)
	dir := t.TempDir()
	docx := filepath.Join(dir, "proposal.docx")
	if err := os.WriteFile(docx, render(t, tpl, d), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A profile of its own, so parallel conversions do not clash.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "pdf", "--outdir", dir, docx)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "proposal.pdf")
	if _, err := os.Stat(pdf); err != nil {
		t.Fatalf("no PDF written: %v", err)
	}
	raw, err := exec.CommandContext(ctx, pdftotext, "-enc", "UTF-8", pdf, "-").Output()
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
	for i, it := range d.Lists["items"] {
		want = append(want, "ЦНС 38-"+string(rune('4'))+string(rune('4'+i)), normalize(it["total"]), normalize(it["price"]))
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
