package pdflayout

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

func TestCP1251xTable(t *testing.T) {
	if got := len(cp1251xRunes()); got != 223 {
		t.Errorf("cp1251x has %d printable characters, want 223 (95 ASCII + 128)", got)
	}
	for _, tc := range []struct {
		r rune
		b byte
	}{{'₽', 0x98}, {'×', 0xA6}, {'№', 0xB9}, {'«', 0xAB}, {'»', 0xBB}, {'—', 0x97}, {'–', 0x96},
		{'Ё', 0xA8}, {'ё', 0xB8}, {'²', 0xA4}, {'³', 0xAC}, {'\u00a0', 0xA0}, {'А', 0xC0}, {'я', 0xFF}, {'A', 'A'}} {
		got, err := appendCP1251x(nil, string(tc.r))
		if err != nil || len(got) != 1 || got[0] != tc.b {
			t.Errorf("U+%04X encodes to % X (err %v), want %02X", tc.r, got, err, tc.b)
		}
	}
	if inCP1251x('¦') || inCP1251x('¤') || inCP1251x('¬') || inCP1251x('≤') || inCP1251x('中') || inCP1251x('\n') {
		t.Error("characters outside cp1251x reported as inside")
	}
	if _, err := appendCP1251x(nil, "a≤b"); err == nil {
		t.Error("appendCP1251x accepted ≤")
	}
}

// Our table translator and fpdf's own UnicodeTranslator, fed with the map
// file we generate, must agree on every character of the encoding.
func TestCP1251xMatchesFpdfTranslator(t *testing.T) {
	tr, err := fpdf.UnicodeTranslator(strings.NewReader(cp1251xMap()))
	if err != nil {
		t.Fatal(err)
	}
	s := string(cp1251xRunes())
	ours, err := appendCP1251x(nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if theirs := tr(s); theirs != string(ours) {
		t.Fatalf("translators disagree:\n ours  % X\n fpdf  % X", ours, []byte(theirs))
	}
}

// The font definition is computed in memory; fpdf.MakeFont, run on the same
// subset with the same encoding map, must produce the same metrics.
func TestFontDefinitionMatchesMakeFont(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cp1251x.map"), []byte(cp1251xMap()), 0o600); err != nil {
		t.Fatal(err)
	}
	// MakeFont diffs against cp1252.map in the same directory.
	var ref strings.Builder
	for b := range 256 {
		r := charmap.Windows1252.DecodeByte(byte(b))
		if b < 0x20 || r == '\ufffd' {
			fmt.Fprintf(&ref, "!%02X U+%04X .notdef\n", b, b)
		} else {
			fmt.Fprintf(&ref, "!%02X U+%04X %s\n", b, r, glyphName(r))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "cp1252.map"), []byte(ref.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for key, fam := range families {
		fs, err := fam.load()
		if err != nil {
			t.Fatal(err)
		}
		for st := range numStyles {
			fc := &fs.faces[st]
			// The subset the embedded font was built from: TestFontFilesUpToDate
			// checks that fc.zFont and fc.defJSON are what this build gives.
			ff, err := buildFaceFiles(fam, st)
			if err != nil {
				t.Fatal(err)
			}
			ttfPath := filepath.Join(dir, fmt.Sprintf("%s%d.ttf", key, st))
			if err := os.WriteFile(ttfPath, ff.subset, 0o600); err != nil {
				t.Fatal(err)
			}
			var msgs strings.Builder
			if err := fpdf.MakeFont(ttfPath, filepath.Join(dir, "cp1251x.map"), dir, &msgs, true); err != nil {
				t.Fatalf("MakeFont: %v", err)
			}
			if strings.Contains(msgs.String(), "missing") {
				t.Errorf("MakeFont reports missing characters:\n%s", msgs.String())
			}
			raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s%d.json", key, st)))
			if err != nil {
				t.Fatal(err)
			}
			var want, got fpdfFontDef
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(fc.defJSON, &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Cw, want.Cw) {
				t.Errorf("style %d: widths differ from MakeFont", st)
			}
			if got.Desc != want.Desc || got.Up != want.Up || got.Ut != want.Ut || got.OriginalSize != want.OriginalSize || got.Tp != want.Tp {
				t.Errorf("style %d: metrics differ\n ours     %+v up %d ut %d size %d\n MakeFont %+v up %d ut %d size %d",
					st, got.Desc, got.Up, got.Ut, got.OriginalSize, want.Desc, want.Up, want.Ut, want.OriginalSize)
			}
			if tag, name, ok := strings.Cut(got.Name, "+"); !ok || len(tag) != 6 || name != want.Name {
				t.Errorf("style %d: name %q, want ABCDEF+%s", st, got.Name, want.Name)
			}
			// MakeFont leaves out slots that WinAnsi already names the same way;
			// ours lists every slot. Both must resolve every slot to the same glyph.
			gotDiff, wantDiff := parseDifferences(t, got.Diff), parseDifferences(t, want.Diff)
			for b := 0x80; b < 0x100; b++ {
				w, ok := wantDiff[b]
				if !ok {
					w = glyphName(charmap.Windows1252.DecodeByte(byte(b)))
				}
				if gotDiff[b] != w {
					t.Errorf("style %d slot %02X: %s, MakeFont %s", st, b, gotDiff[b], w)
				}
			}
		}
	}
}

func parseDifferences(t *testing.T, s string) map[int]string {
	t.Helper()
	m := map[int]string{}
	code := 0
	for _, f := range strings.Fields(s) {
		if name, ok := strings.CutPrefix(f, "/"); ok {
			m[code] = name
			code++
			continue
		}
		if _, err := fmt.Sscanf(f, "%d", &code); err != nil {
			t.Fatalf("bad Differences entry %q", f)
		}
	}
	return m
}

func TestFacesCoverEncodingAndMeasure(t *testing.T) {
	for _, fam := range families {
		fs, err := fam.load()
		if err != nil {
			t.Fatal(err)
		}
		for st := range numStyles {
			fc := &fs.faces[st]
			for _, r := range cp1251xRunes() {
				if !fc.has(r) {
					t.Errorf("style %d lacks U+%04X", st, r)
				}
			}
			if fc.has('中') || fc.has('🚀') {
				t.Errorf("style %d claims CJK/rocket glyphs", st)
			}
			if len(fc.zFont) > 60_000 {
				t.Errorf("style %d: compressed subset is %d bytes", st, len(fc.zFont))
			}
		}
		reg := &fs.faces[styleRegular]
		if reg.advance('W') <= reg.advance('i') || reg.advance('₽') == int(reg.miss) {
			t.Error("implausible advances")
		}
	}
}
