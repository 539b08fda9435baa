package pdflayout

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sync"

	"github.com/go-fonts/dejavu/dejavusanscondensed"
	"github.com/go-fonts/dejavu/dejavusanscondensedbold"
	"github.com/go-fonts/dejavu/dejavusanscondensedboldoblique"
	"github.com/go-fonts/dejavu/dejavusanscondensedoblique"
	"github.com/go-fonts/dejavu/dejavuserifcondensed"
	"github.com/go-fonts/dejavu/dejavuserifcondensedbold"
	"github.com/go-fonts/dejavu/dejavuserifcondensedbolditalic"
	"github.com/go-fonts/dejavu/dejavuserifcondenseditalic"
	"golang.org/x/image/font/sfnt"

	"github.com/dealgate/dealgate/documents/pdflayout/ttfsubset"
)

// fontStyle indexes the four faces of a family.
type fontStyle uint8

const (
	styleRegular fontStyle = iota
	styleBold
	styleItalic
	styleBoldItalic
	numStyles
)

const (
	bold   = 1 // bit of fontStyle
	italic = 2 // bit of fontStyle
)

var fpdfStyle = [numStyles]string{"", "B", "I", "BI"}

// family is a font family a template can choose with <document font="…">.
// Both are DejaVu Condensed faces: they have every glyph of cp1251x
// (₽ included), and their width is close to Arial and Times New Roman, the
// usual faces of Russian business documents.
type family struct {
	name     string // template name: "sans", "serif"
	fpdfName string // fpdf family name
	ttf      [numStyles][]byte
	load     func() (*fontSet, error)
}

var families = map[string]*family{
	"sans": {name: "sans", fpdfName: "dgsans", ttf: [numStyles][]byte{
		dejavusanscondensed.TTF, dejavusanscondensedbold.TTF,
		dejavusanscondensedoblique.TTF, dejavusanscondensedboldoblique.TTF,
	}},
	"serif": {name: "serif", fpdfName: "dgserif", ttf: [numStyles][]byte{
		dejavuserifcondensed.TTF, dejavuserifcondensedbold.TTF,
		dejavuserifcondenseditalic.TTF, dejavuserifcondensedbolditalic.TTF,
	}},
}

func init() {
	for _, f := range families {
		f.load = sync.OnceValues(func() (*fontSet, error) { return prepareFonts(f) })
	}
}

// face holds what rendering needs of one style: metrics for layout (both
// paths) and the prepared single-byte font for the fast path.
type face struct {
	full  *ttfsubset.Font
	k     float64 // 1000 / unitsPerEm
	width [encLimit]uint16
	miss  uint16 // advance of .notdef, in 1/1000 em

	defJSON []byte // fpdf font definition (what MakeFont would write)
	zFont   []byte // zlib-compressed subset, the ".z" file
	subset  []byte // uncompressed subset, for tests
}

// fontSet is prepared once per process and family and shared read-only.
type fontSet struct {
	fam     *family
	faces   [numStyles]face
	ascent  float64 // hhea ascender of the regular face, in em
	descent float64 // hhea descender, in em (negative)
}

func prepareFonts(fam *family) (*fontSet, error) {
	fs := &fontSet{fam: fam}
	runes := cp1251xRunes()
	for st := range numStyles {
		if err := fs.faces[st].prepare(fam, st, runes); err != nil {
			return nil, fmt.Errorf("pdflayout: preparing font %s %q: %w", fam.name, fpdfStyle[st], err)
		}
	}
	reg := fs.faces[styleRegular].full
	fs.ascent = float64(reg.Ascender()) / float64(reg.UnitsPerEm())
	fs.descent = float64(reg.Descender()) / float64(reg.UnitsPerEm())
	return fs, nil
}

// fpdfRound rounds like fpdf does when it converts font units to 1/1000 em.
func fpdfRound(f float64) int {
	if f < 0 {
		return -int(math.Floor(-f + 0.5))
	}
	return int(math.Floor(f + 0.5))
}

func (fc *face) prepare(fam *family, st fontStyle, runes []rune) error {
	full, err := ttfsubset.Parse(fam.ttf[st])
	if err != nil {
		return err
	}
	fc.full = full
	fc.k = 1000 / float64(full.UnitsPerEm())
	fc.miss = uint16(fpdfRound(fc.k * float64(full.Advance(0))))
	for r := range rune(encLimit) {
		fc.width[r] = fc.miss
	}
	for _, r := range full.Runes() {
		if r >= encLimit {
			break
		}
		fc.width[r] = uint16(fpdfRound(fc.k * float64(full.Advance(full.GlyphIndex(r)))))
	}
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
		return err
	}
	if err := verifySubset(full, sub, runes); err != nil {
		return err
	}
	fc.subset = sub
	var zb bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&zb, zlib.BestCompression)
	_, _ = zw.Write(sub)
	if err := zw.Close(); err != nil {
		return err
	}
	fc.zFont = zb.Bytes()
	fc.defJSON, err = fontDefinition(fam, st, sub)
	return err
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
	d.File = fmt.Sprintf("%s-%s-cp1251x.z", fam.fpdfName, [numStyles]string{"r", "b", "i", "bi"}[st])
	d.OriginalSize = len(sub)
	return json.Marshal(&d)
}

// advance returns the advance of r in 1/1000 em.
func (fc *face) advance(r rune) int {
	if r >= 0 && r < encLimit {
		return int(fc.width[r])
	}
	g := fc.full.GlyphIndex(r)
	if g == 0 {
		return int(fc.miss)
	}
	return fpdfRound(fc.k * float64(fc.full.Advance(g)))
}

// has reports whether the full face (the UTF-8 path) has a glyph for r. The
// UTF-8 path of fpdf v0.9.0 writes UTF-16 code units as CIDs, so only the
// Basic Multilingual Plane can be shown.
func (fc *face) has(r rune) bool {
	return r <= 0xFFFF && fc.full.GlyphIndex(r) != 0
}
