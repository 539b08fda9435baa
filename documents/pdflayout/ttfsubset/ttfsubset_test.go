package ttfsubset

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// sampleRunes is printable ASCII, Cyrillic, the typographic characters of
// Russian business documents and a few letters that DejaVu builds as
// composite glyphs (accented Latin and Cyrillic).
func sampleRunes() []rune {
	var rs []rune
	for r := rune(0x20); r < 0x7F; r++ {
		rs = append(rs, r)
	}
	for r := rune(0x400); r <= 0x45F; r++ {
		rs = append(rs, r)
	}
	rs = append(rs, '₽', '№', '«', '»', '—', '–', '×', '\u00a0', '…', '€', '§', '°', '±', 'é', 'Å', 'ǅ')
	return rs
}

func TestSubsetKeepsGlyphsOutlinesAndAdvances(t *testing.T) {
	for _, tc := range []struct {
		name string
		ttf  []byte
	}{
		{"DejaVuSans", dejavusans.TTF},
		{"DejaVuSans-Bold", dejavusansbold.TTF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig, err := Parse(tc.ttf)
			if err != nil {
				t.Fatal(err)
			}
			runes := sampleRunes()
			sub, err := orig.Subset(runes)
			if err != nil {
				t.Fatal(err)
			}
			if len(sub) > len(tc.ttf)/5 {
				t.Errorf("subset is %d bytes, want well under a fifth of %d", len(sub), len(tc.ttf))
			}
			of, err := sfnt.Parse(tc.ttf)
			if err != nil {
				t.Fatal(err)
			}
			sf, err := sfnt.Parse(sub)
			if err != nil {
				t.Fatalf("x/image/font/sfnt cannot parse the subset: %v", err)
			}
			var ob, sb sfnt.Buffer
			ppem := fixed.Int26_6(of.UnitsPerEm()) // unscaled: compare exact font units
			composites := 0
			for _, r := range runes {
				og, _ := of.GlyphIndex(&ob, r)
				sg, err := sf.GlyphIndex(&sb, r)
				if err != nil || sg == 0 {
					t.Fatalf("U+%04X: no glyph in subset (err %v)", r, err)
				}
				oa, _ := of.GlyphAdvance(&ob, og, ppem, font.HintingNone)
				sa, err := sf.GlyphAdvance(&sb, sg, ppem, font.HintingNone)
				if err != nil || oa != sa {
					t.Errorf("U+%04X: advance %v, want %v (err %v)", r, sa, oa, err)
				}
				os, err := of.LoadGlyph(&ob, og, ppem, nil)
				if err != nil {
					t.Fatal(err)
				}
				oseg := slices.Clone(os)
				ss, err := sf.LoadGlyph(&sb, sg, ppem, nil)
				if err != nil {
					t.Fatalf("U+%04X: LoadGlyph on subset: %v", r, err)
				}
				if !slices.Equal(oseg, ss) {
					t.Errorf("U+%04X: outline differs after subsetting", r)
				}
				if g := orig.glyph(int(orig.GlyphIndex(r))); len(g) >= 2 && int16(binary.BigEndian.Uint16(g)) < 0 {
					composites++
				}
			}
			if composites == 0 {
				t.Error("sample has no composite glyph; the component remapping was not exercised")
			}
			// Runes outside the sample are gone.
			if g, _ := sf.GlyphIndex(&sb, 'Ω'); g != 0 {
				t.Error("Ω survived the subset")
			}
			// Our own reader agrees with sfnt.
			again, err := Parse(sub)
			if err != nil {
				t.Fatal(err)
			}
			if again.NumGlyphs() != sf.NumGlyphs() {
				t.Errorf("NumGlyphs %d vs sfnt %d", again.NumGlyphs(), sf.NumGlyphs())
			}
			if got, want := again.Runes(), sortedUnique(runes); !slices.Equal(got, want) {
				t.Errorf("subset cmap has %d runes, want %d", len(got), len(want))
			}
			if again.PostScriptName() != orig.PostScriptName() || orig.PostScriptName() == "" {
				t.Errorf("PostScript name %q, want %q", again.PostScriptName(), orig.PostScriptName())
			}
		})
	}
}

func sortedUnique(rs []rune) []rune {
	rs = slices.Clone(rs)
	slices.Sort(rs)
	return slices.Compact(rs)
}

// fpdf's own TrueType reader (the one MakeFont uses) must accept the subset
// and see the same widths.
func TestSubsetReadableByFpdf(t *testing.T) {
	orig, err := Parse(dejavusans.TTF)
	if err != nil {
		t.Fatal(err)
	}
	runes := sampleRunes()
	sub, err := orig.Subset(runes)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sub.ttf")
	if err := os.WriteFile(path, sub, 0o600); err != nil {
		t.Fatal(err)
	}
	ttf, err := fpdf.TtfParse(path)
	if err != nil {
		t.Fatalf("fpdf.TtfParse: %v", err)
	}
	if !ttf.Embeddable {
		t.Error("subset is not embeddable")
	}
	for _, r := range runes {
		gid, ok := ttf.Chars[uint16(r)]
		if !ok {
			t.Fatalf("fpdf sees no glyph for U+%04X", r)
		}
		if got, want := int(ttf.Widths[gid]), orig.Advance(orig.GlyphIndex(r)); got != want {
			t.Errorf("U+%04X: fpdf width %d, want %d", r, got, want)
		}
	}
}

func TestSubsetMissingRune(t *testing.T) {
	f, err := Parse(dejavusans.TTF)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Subset([]rune{'A', '中', '🚀'})
	var me *MissingRunesError
	if !errors.As(err, &me) || !slices.Equal(me.Runes, []rune{'中', '🚀'}) {
		t.Fatalf("err = %v, want MissingRunesError for 中 and 🚀", err)
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"otf":       []byte("OTTO\x00\x00\x00\x00\x00\x00\x00\x00"),
		"truncated": dejavusans.TTF[:5000],
		"zeros":     make([]byte, 64),
	} {
		if _, err := Parse(b); err == nil {
			t.Errorf("%s: Parse succeeded", name)
		}
	}
}

func FuzzParseSubset(f *testing.F) {
	small, err := Parse(dejavusans.TTF)
	if err != nil {
		f.Fatal(err)
	}
	seed, err := small.Subset([]rune("AБв₽"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, err := Parse(b)
		if err != nil {
			return
		}
		rs := ft.Runes()
		if len(rs) > 300 { // the engine subsets 256 characters
			rs = rs[:300]
		}
		if sub, err := ft.Subset(rs); err == nil {
			if _, err := Parse(sub); err != nil {
				t.Fatalf("subset of a parseable font does not parse: %v", err)
			}
		}
	})
}

func TestSubsetWithNameFilter(t *testing.T) {
	f, err := Parse(dejavusans.TTF)
	if err != nil {
		t.Fatal(err)
	}
	full, err := f.Subset([]rune("Аб"))
	if err != nil {
		t.Fatal(err)
	}
	// Keep the licence (name ID 13) only in its Macintosh Roman form.
	small, err := f.SubsetWith([]rune("Аб"), Options{KeepName: func(p, _, _, id uint16) bool { return !(p == 3 && id == 13) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(small) >= len(full)-5000 {
		t.Errorf("filtered subset %d bytes, unfiltered %d", len(small), len(full))
	}
	sf, err := Parse(small)
	if err != nil {
		t.Fatal(err)
	}
	if sf.PostScriptName() != "DejaVuSans" {
		t.Errorf("PostScript name %q", sf.PostScriptName())
	}
	if lic := sf.nameRecord(13); !strings.Contains(lic, "Bitstream") {
		t.Errorf("licence text lost: %.60q", lic)
	}
	if _, err := sfnt.Parse(small); err != nil {
		t.Fatal(err)
	}
}
