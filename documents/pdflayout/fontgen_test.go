package pdflayout

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"golang.org/x/image/font/sfnt"

	"github.com/dealgate/dealgate/documents/pdflayout/ttfsubset"
)

// This file builds the prepared fonts of fontdata/ (see fontFiles):
// TestFontFilesUpToDate compares them with a fresh build, and with -update
// (what `go generate` runs) writes them.

// faceFiles is what the fast path embeds of one face.
type faceFiles struct {
	subset  []byte // uncompressed subset
	zFont   []byte // subset compressed with zlib at BestCompression
	defJSON []byte // fpdf font definition
}

// buildFaceFiles subsets a DejaVu face to the glyphs of cp1251x, checks the
// subset with an independent parser, compresses it and writes its font
// definition.
func buildFaceFiles(fam *family, st fontStyle) (*faceFiles, error) {
	full, err := ttfsubset.Parse(fam.ttf[st])
	if err != nil {
		return nil, err
	}
	runes := cp1251xRunes()
	// DejaVu carries its licence text twice; the Windows copy is UTF-16 and
	// twice as long. Every PDF embeds the subset, so keep the licence once,
	// in its Macintosh Roman record, when the font has one.
	hasMacLicence := false
	full.NameRecords(func(p, _, _, id uint16) {
		hasMacLicence = hasMacLicence || p == 1 && id == 13
	})
	opts := ttfsubset.Options{KeepName: func(p, _, _, id uint16) bool {
		return !(hasMacLicence && p == 3 && id == 13)
	}}
	sub, err := full.SubsetWith(runes, opts)
	if err != nil {
		return nil, err
	}
	if err := verifySubset(full, sub, runes); err != nil {
		return nil, err
	}
	ff := &faceFiles{subset: sub}
	var zb bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&zb, zlib.BestCompression)
	_, _ = zw.Write(sub)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	ff.zFont = zb.Bytes()
	ff.defJSON, err = fontDefinition(fam, st, sub)
	return ff, err
}

// TestFontFilesUpToDate rebuilds every face of every family and compares
// the result with the embedded files, byte for byte: the PDFs embed them,
// so a difference would change every document. With -update it rewrites
// fontdata/ instead.
func TestFontFilesUpToDate(t *testing.T) {
	want := map[string]bool{}
	for _, fam := range families {
		for st := range numStyles {
			want[faceFileBase(fam, st)+".z"] = true
			want[faceFileBase(fam, st)+".json"] = true
		}
	}
	entries, err := fontFiles.ReadDir("fontdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("fontdata/%s belongs to no face; remove it", e.Name())
		}
	}
	for _, fam := range families {
		for st := range numStyles {
			ff, err := buildFaceFiles(fam, st)
			if err != nil {
				t.Fatalf("%s %q: %v", fam.name, fpdfStyle[st], err)
			}
			for ext, want := range map[string][]byte{".z": ff.zFont, ".json": ff.defJSON} {
				name := faceFileBase(fam, st) + ext
				if *update {
					if err := os.WriteFile(filepath.Join("fontdata", name), want, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				got, err := fontFiles.ReadFile("fontdata/" + name)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("fontdata/%s (%d bytes) differs from a fresh build (%d bytes); run go generate if the change is intended", name, len(got), len(want))
				}
			}
		}
	}
}

// verifySubset re-reads the subset with an independent parser
// (golang.org/x/image/font/sfnt) and checks that every character of the
// encoding still has its glyph, with the original advance.
func verifySubset(full *ttfsubset.Font, sub []byte, runes []rune) error {
	sf, err := sfnt.Parse(sub)
	if err != nil {
		return fmt.Errorf("subset does not parse: %w", err)
	}
	var buf sfnt.Buffer
	for _, r := range runes {
		g, err := sf.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			return fmt.Errorf("subset lost the glyph of U+%04X", r)
		}
		if _, err := sf.LoadGlyph(&buf, g, 64*16, nil); err != nil {
			return fmt.Errorf("subset glyph of U+%04X does not load: %w", r, err)
		}
	}
	st, err := ttfsubset.Parse(sub)
	if err != nil {
		return err
	}
	for _, r := range runes {
		if st.Advance(st.GlyphIndex(r)) != full.Advance(full.GlyphIndex(r)) {
			return fmt.Errorf("subset changed the advance of U+%04X", r)
		}
	}
	return nil
}

// fpdfFontDef mirrors the JSON font definition that fpdf.MakeFont writes and
// fpdf.AddFontFromBytes reads (fpdf's fontDefType).
type fpdfFontDef struct {
	Tp           string
	Name         string
	Desc         fpdfFontDesc
	Up           int
	Ut           int
	Cw           []int
	Enc          string
	Diff         string
	File         string
	Size1, Size2 int
	OriginalSize int
	N            int
	DiffN        int
}

type fpdfFontDesc struct {
	Ascent      int
	Descent     int
	CapHeight   int
	Flags       int
	FontBBox    struct{ Xmin, Ymin, Xmax, Ymax int }
	ItalicAngle int
	StemV       int
	// MissingWidth is the advance of .notdef.
	MissingWidth int
}

var psNameJunk = regexp.MustCompile(`[(){}<> /%[\]]`)

// fontDefinition computes, in memory, the definition fpdf.MakeFont would
// write for the subset with the cp1251x map (a test compares the two), with
// two deliberate differences: the font name carries a PDF subset tag
// ("ABCDEF+DejaVuSans"), and the /Differences list names every slot from 0x80
// explicitly instead of relying on WinAnsi for shared slots.
func fontDefinition(fam *family, st fontStyle, sub []byte) ([]byte, error) {
	f, err := ttfsubset.Parse(sub)
	if err != nil {
		return nil, err
	}
	k := 1000 / float64(f.UnitsPerEm())
	head, os2, post := f.Table("head"), f.Table("OS/2"), f.Table("post")
	if len(os2) < 78 || len(post) < 16 {
		return nil, fmt.Errorf("OS/2 or post table too short")
	}
	if fsType := binary.BigEndian.Uint16(os2[8:]); fsType == 2 || fsType&0x200 != 0 {
		return nil, fmt.Errorf("font licence does not allow embedding (fsType 0x%04x)", fsType)
	}
	i16 := func(b []byte, off int) float64 { return float64(int16(binary.BigEndian.Uint16(b[off:]))) }
	var d fpdfFontDef
	d.Tp = "TrueType"
	sum := sha256.Sum256(sub)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	d.Name = string(tag) + "+" + psNameJunk.ReplaceAllString(f.PostScriptName(), "")
	d.Desc.Ascent = fpdfRound(k * i16(os2, 68))
	d.Desc.Descent = fpdfRound(k * i16(os2, 70))
	if binary.BigEndian.Uint16(os2) >= 2 && len(os2) >= 90 {
		d.Desc.CapHeight = fpdfRound(k * i16(os2, 88))
	}
	if d.Desc.CapHeight == 0 {
		d.Desc.CapHeight = d.Desc.Ascent
	}
	d.Desc.FontBBox.Xmin = fpdfRound(k * i16(head, 36))
	d.Desc.FontBBox.Ymin = fpdfRound(k * i16(head, 38))
	d.Desc.FontBBox.Xmax = fpdfRound(k * i16(head, 40))
	d.Desc.FontBBox.Ymax = fpdfRound(k * i16(head, 42))
	d.Desc.ItalicAngle = int(int16(binary.BigEndian.Uint16(post[4:])))
	d.Desc.Flags = 1 << 5 // nonsymbolic
	if binary.BigEndian.Uint32(post[12:]) != 0 {
		d.Desc.Flags |= 1 // fixed pitch
	}
	if d.Desc.ItalicAngle != 0 {
		d.Desc.Flags |= 1 << 6
	}
	d.Desc.StemV = 70
	if binary.BigEndian.Uint16(os2[62:])&32 != 0 { // fsSelection bold
		d.Desc.StemV = 120
	}
	d.Desc.MissingWidth = fpdfRound(k * float64(f.Advance(0)))
	d.Up = fpdfRound(k * i16(post, 8))
	d.Ut = fpdfRound(k * i16(post, 10))
	d.Cw = make([]int, 256)
	for b := range d.Cw {
		d.Cw[b] = d.Desc.MissingWidth
		if r := cp1251xDecode[b]; r != 0 {
			d.Cw[b] = fpdfRound(k * float64(f.Advance(f.GlyphIndex(r))))
		}
	}
	d.Enc = "cp1251x"
	d.Diff = cp1251xDifferences()
	d.File = faceFileBase(fam, st) + ".z"
	d.OriginalSize = len(sub)
	return json.Marshal(&d)
}
