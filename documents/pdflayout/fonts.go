package pdflayout

import (
	"embed"
	"fmt"
	"math"
	"path"
	"sync"

	"github.com/go-fonts/dejavu/dejavusanscondensed"
	"github.com/go-fonts/dejavu/dejavusanscondensedbold"
	"github.com/go-fonts/dejavu/dejavusanscondensedboldoblique"
	"github.com/go-fonts/dejavu/dejavusanscondensedoblique"
	"github.com/go-fonts/dejavu/dejavuserifcondensed"
	"github.com/go-fonts/dejavu/dejavuserifcondensedbold"
	"github.com/go-fonts/dejavu/dejavuserifcondensedbolditalic"
	"github.com/go-fonts/dejavu/dejavuserifcondenseditalic"

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
}

// fontSet is prepared once per process and family and shared read-only.
type fontSet struct {
	fam     *family
	faces   [numStyles]face
	ascent  float64 // hhea ascender of the regular face, in em
	descent float64 // hhea descender, in em (negative)
}

// The fast path's fonts are prepared at build time: for every face, a
// subset with the glyphs of cp1251x (compressed with zlib at
// BestCompression) and its fpdf font definition, in fontdata/. Building
// them takes tens of milliseconds per family, most of it compression, and
// every process used to pay that on its first render.
// TestFontFilesUpToDate rebuilds them from the DejaVu faces and fails if
// they differ; `go generate` rewrites them.
//
//go:generate go test -run ^TestFontFilesUpToDate$ -update .
//go:embed fontdata
var fontFiles embed.FS

// faceFileBase names the prepared files of a face in fontdata/, without
// extension; the font definition names its ".z" file after it too.
func faceFileBase(fam *family, st fontStyle) string {
	return fam.fpdfName + "-" + [numStyles]string{"r", "b", "i", "bi"}[st] + "-cp1251x"
}

func prepareFonts(fam *family) (*fontSet, error) {
	fs := &fontSet{fam: fam}
	for st := range numStyles {
		if err := fs.faces[st].prepare(fam, st); err != nil {
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

func (fc *face) prepare(fam *family, st fontStyle) error {
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
	base := path.Join("fontdata", faceFileBase(fam, st))
	if fc.defJSON, err = fontFiles.ReadFile(base + ".json"); err != nil {
		return err
	}
	fc.zFont, err = fontFiles.ReadFile(base + ".z")
	return err
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
