// Package ttfsubset reads the metrics of a TrueType font and writes a smaller
// TrueType font that keeps only the glyphs of a chosen set of characters.
//
// It exists because fpdf's single-byte font path embeds the whole font file in
// every PDF: subsetting once at start-up turns a 750 KB DejaVu face into a
// 256-character font of a few tens of kilobytes.
//
// The subset keeps glyph outlines and hinting instructions byte for byte. It
// renumbers glyphs densely (.notdef stays glyph 0, the components of composite
// glyphs are added and their references rewritten) and rebuilds glyf, loca,
// hmtx, hhea, maxp, head, cmap (one Windows Unicode subtable) and post
// (version 3, no glyph names). OS/2, name, cvt, fpgm, prep and gasp are copied;
// layout tables (GSUB, GPOS, GDEF, kern, MATH and the like) are dropped,
// because a PDF producer that positions glyphs itself never reads them.
//
// Only fonts with TrueType outlines are accepted; CFF-based OpenType fonts and
// font collections are refused.
package ttfsubset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Font is a parsed TrueType font. It is read-only after Parse and safe for
// concurrent use.
type Font struct {
	data       []byte
	tables     map[string][]byte
	numGlyphs  int
	unitsPerEm int
	longLoca   bool
	numHMetric int
	ascender   int
	descender  int
	lineGap    int
	cmap       []cmapPair // sorted by rune
	postScript string

	hmtx, loca, glyf []byte // tables read per glyph, kept out of the map
}

type cmapPair struct {
	r   rune
	gid uint16
}

// Parse parses a TrueType font. The slice is retained, not copied; it must
// not be modified afterwards.
func Parse(b []byte) (*Font, error) {
	if len(b) < 12 {
		return nil, errors.New("ttfsubset: file too short for a font header")
	}
	switch v := binary.BigEndian.Uint32(b); v {
	case 0x00010000, 0x74727565: // 1.0 and 'true'
	case 0x4F54544F: // 'OTTO'
		return nil, errors.New("ttfsubset: CFF (PostScript-outline) fonts are not supported")
	case 0x74746366: // 'ttcf'
		return nil, errors.New("ttfsubset: font collections are not supported")
	default:
		return nil, fmt.Errorf("ttfsubset: unknown font version 0x%08x", v)
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if len(b) < 12+16*n {
		return nil, errors.New("ttfsubset: table directory is truncated")
	}
	f := &Font{data: b, tables: make(map[string][]byte, n)}
	for i := 0; i < n; i++ {
		rec := b[12+16*i:]
		tag := string(rec[:4])
		off := uint64(binary.BigEndian.Uint32(rec[8:]))
		ln := uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+ln > uint64(len(b)) {
			return nil, fmt.Errorf("ttfsubset: table %q lies outside the file", tag)
		}
		f.tables[tag] = b[off : off+ln : off+ln]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("ttfsubset: required table %q is missing", tag)
		}
	}
	head := f.tables["head"]
	if len(head) < 54 || binary.BigEndian.Uint32(head[12:]) != 0x5F0F3CF5 {
		return nil, errors.New("ttfsubset: head table is malformed")
	}
	f.unitsPerEm = int(binary.BigEndian.Uint16(head[18:]))
	if f.unitsPerEm < 16 || f.unitsPerEm > 16384 {
		return nil, fmt.Errorf("ttfsubset: unitsPerEm %d out of range", f.unitsPerEm)
	}
	f.longLoca = binary.BigEndian.Uint16(head[50:]) == 1
	maxp := f.tables["maxp"]
	if len(maxp) < 6 {
		return nil, errors.New("ttfsubset: maxp table is malformed")
	}
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	if f.numGlyphs == 0 {
		return nil, errors.New("ttfsubset: font has no glyphs")
	}
	hhea := f.tables["hhea"]
	if len(hhea) < 36 {
		return nil, errors.New("ttfsubset: hhea table is malformed")
	}
	f.ascender = int(int16(binary.BigEndian.Uint16(hhea[4:])))
	f.descender = int(int16(binary.BigEndian.Uint16(hhea[6:])))
	f.lineGap = int(int16(binary.BigEndian.Uint16(hhea[8:])))
	f.numHMetric = int(binary.BigEndian.Uint16(hhea[34:]))
	if f.numHMetric == 0 || f.numHMetric > f.numGlyphs {
		return nil, errors.New("ttfsubset: numberOfHMetrics out of range")
	}
	f.hmtx, f.loca, f.glyf = f.tables["hmtx"], f.tables["loca"], f.tables["glyf"]
	if len(f.hmtx) < 4*f.numHMetric+2*(f.numGlyphs-f.numHMetric) {
		return nil, errors.New("ttfsubset: hmtx table is truncated")
	}
	locaEntry := 2
	if f.longLoca {
		locaEntry = 4
	}
	if len(f.loca) < locaEntry*(f.numGlyphs+1) {
		return nil, errors.New("ttfsubset: loca table is truncated")
	}
	// loca must ascend (the spec requires it); that also bounds the work
	// of copying glyphs by the size of the glyf table.
	prevEnd := 0
	for g := 0; g < f.numGlyphs; g++ {
		s, e := f.glyphRange(g)
		if s < prevEnd || s > e || e > len(f.glyf) {
			return nil, fmt.Errorf("ttfsubset: loca entry of glyph %d is out of order or outside the glyf table", g)
		}
		prevEnd = e
	}
	if err := f.parseCmap(); err != nil {
		return nil, err
	}
	f.postScript = f.nameRecord(6)
	return f, nil
}

// NumGlyphs returns the number of glyphs in the font.
func (f *Font) NumGlyphs() int { return f.numGlyphs }

// UnitsPerEm returns the size of the em square in font units.
func (f *Font) UnitsPerEm() int { return f.unitsPerEm }

// Ascender returns the hhea ascender in font units.
func (f *Font) Ascender() int { return f.ascender }

// Descender returns the hhea descender in font units; it is negative.
func (f *Font) Descender() int { return f.descender }

// LineGap returns the hhea line gap in font units.
func (f *Font) LineGap() int { return f.lineGap }

// Table returns the raw bytes of the table with the given tag ("OS/2",
// "post", ...), or nil. The bytes belong to the font and must not be
// modified.
func (f *Font) Table(tag string) []byte { return f.tables[tag] }

// PostScriptName returns name record 6, or "" if the font has none.
func (f *Font) PostScriptName() string { return f.postScript }

// GlyphIndex returns the glyph that the font's Unicode cmap assigns to r, or
// 0 (.notdef) if the font has no glyph for it.
func (f *Font) GlyphIndex(r rune) uint16 {
	i := sort.Search(len(f.cmap), func(i int) bool { return f.cmap[i].r >= r })
	if i < len(f.cmap) && f.cmap[i].r == r {
		return f.cmap[i].gid
	}
	return 0
}

// Runes returns every character the font maps to a glyph, in ascending order.
func (f *Font) Runes() []rune {
	out := make([]rune, len(f.cmap))
	for i, p := range f.cmap {
		out[i] = p.r
	}
	return out
}

// Advance returns the advance width of glyph gid in font units.
func (f *Font) Advance(gid uint16) int {
	adv, _ := f.hmetric(int(gid))
	return adv
}

func (f *Font) hmetric(g int) (adv int, lsb int16) {
	hmtx := f.hmtx
	if g < f.numHMetric {
		return int(binary.BigEndian.Uint16(hmtx[4*g:])), int16(binary.BigEndian.Uint16(hmtx[4*g+2:]))
	}
	adv = int(binary.BigEndian.Uint16(hmtx[4*(f.numHMetric-1):]))
	if g >= f.numGlyphs {
		return adv, 0
	}
	return adv, int16(binary.BigEndian.Uint16(hmtx[4*f.numHMetric+2*(g-f.numHMetric):]))
}

func (f *Font) glyphRange(g int) (start, end int) {
	loca := f.loca
	if f.longLoca {
		return int(binary.BigEndian.Uint32(loca[4*g:])), int(binary.BigEndian.Uint32(loca[4*g+4:]))
	}
	return 2 * int(binary.BigEndian.Uint16(loca[2*g:])), 2 * int(binary.BigEndian.Uint16(loca[2*g+2:]))
}

func (f *Font) glyph(g int) []byte {
	s, e := f.glyphRange(g)
	return f.glyf[s:e]
}

// parseCmap reads the best Unicode subtable: format 12 (full repertoire) if
// present, else format 4 (BMP).
func (f *Font) parseCmap() error {
	cm := f.tables["cmap"]
	if len(cm) < 4 {
		return errors.New("ttfsubset: cmap table is malformed")
	}
	n := int(binary.BigEndian.Uint16(cm[2:]))
	if len(cm) < 4+8*n {
		return errors.New("ttfsubset: cmap encoding records are truncated")
	}
	best, bestRank := -1, 0
	for i := 0; i < n; i++ {
		rec := cm[4+8*i:]
		pid, eid := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		off := int(binary.BigEndian.Uint32(rec[4:]))
		if off+2 > len(cm) {
			return errors.New("ttfsubset: cmap subtable offset out of range")
		}
		format := binary.BigEndian.Uint16(cm[off:])
		rank := 0
		switch {
		case format == 12 && (pid == 3 && eid == 10 || pid == 0 && (eid == 4 || eid == 6)):
			rank = 3
		case format == 4 && pid == 3 && eid == 1:
			rank = 2
		case format == 4 && pid == 0:
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = off, rank
		}
	}
	if best < 0 {
		return errors.New("ttfsubset: no Unicode cmap subtable (format 4 or 12) found")
	}
	sub := cm[best:]
	// Most glyphs of a text font are mapped once; start with room for that.
	pairs := make([]cmapPair, 0, f.numGlyphs)
	// A hostile cmap can describe billions of mappings in a few bytes; no
	// real font needs more steps than there are code points.
	budget := 1 << 18
	step := func() bool { budget--; return budget >= 0 }
	switch binary.BigEndian.Uint16(sub) {
	case 4:
		if len(sub) < 14 {
			return errors.New("ttfsubset: cmap format 4 is truncated")
		}
		ln := int(binary.BigEndian.Uint16(sub[2:]))
		if ln > len(sub) {
			ln = len(sub) // some fonts overstate the length; stay inside the table
		}
		sub = sub[:ln]
		segX2 := int(binary.BigEndian.Uint16(sub[6:]))
		segs := segX2 / 2
		if 16+4*segX2 > len(sub) {
			return errors.New("ttfsubset: cmap format 4 segments are truncated")
		}
		ends, starts := sub[14:], sub[16+segX2:]
		deltas, ros := sub[16+2*segX2:], sub[16+3*segX2:]
		for s := 0; s < segs; s++ {
			end := int(binary.BigEndian.Uint16(ends[2*s:]))
			start := int(binary.BigEndian.Uint16(starts[2*s:]))
			delta := int(binary.BigEndian.Uint16(deltas[2*s:]))
			ro := int(binary.BigEndian.Uint16(ros[2*s:]))
			if start > end {
				continue
			}
			if end == 0xFFFF {
				end-- // U+FFFF is a noncharacter; the final segment only ends the table
			}
			if ro == 0 {
				// Glyph = c + delta (mod 65536): visit whichever side is
				// smaller, the code range or the glyph range.
				if end-start+1 <= f.numGlyphs {
					for c := start; c <= end; c++ {
						if !step() {
							return errTooManyMappings
						}
						if g := (c + delta) & 0xFFFF; g != 0 && g < f.numGlyphs {
							pairs = append(pairs, cmapPair{rune(c), uint16(g)})
						}
					}
				} else {
					for g := 1; g < f.numGlyphs; g++ {
						if !step() {
							return errTooManyMappings
						}
						if c := (g - delta) & 0xFFFF; c >= start && c <= end {
							pairs = append(pairs, cmapPair{rune(c), uint16(g)})
						}
					}
				}
				continue
			}
			for c := start; c <= end; c++ {
				if !step() {
					return errTooManyMappings
				}
				p := 16 + 3*segX2 + 2*s + ro + 2*(c-start)
				if p+2 > len(sub) {
					return errors.New("ttfsubset: cmap format 4 glyph array is truncated")
				}
				g := int(binary.BigEndian.Uint16(sub[p:]))
				if g != 0 {
					g = (g + delta) & 0xFFFF
				}
				if g != 0 && g < f.numGlyphs {
					pairs = append(pairs, cmapPair{rune(c), uint16(g)})
				}
			}
		}
	case 12:
		if len(sub) < 16 {
			return errors.New("ttfsubset: cmap format 12 is truncated")
		}
		ng := int(binary.BigEndian.Uint32(sub[12:]))
		if ng > (len(sub)-16)/12 {
			return errors.New("ttfsubset: cmap format 12 groups are truncated")
		}
		for i := 0; i < ng; i++ {
			grp := sub[16+12*i:]
			start, end := binary.BigEndian.Uint32(grp), binary.BigEndian.Uint32(grp[4:])
			g0 := binary.BigEndian.Uint32(grp[8:])
			if start > end || end > 0x10FFFF || end-start > 0x10FFFF {
				return errors.New("ttfsubset: cmap format 12 group out of range")
			}
			if g0 >= uint32(f.numGlyphs) {
				continue
			}
			end = min(end, start+uint32(f.numGlyphs)-1-g0) // glyphs past numGlyphs do not exist
			for c := start; c <= end; c++ {
				if !step() {
					return errTooManyMappings
				}
				if g := g0 + (c - start); g != 0 {
					pairs = append(pairs, cmapPair{rune(c), uint16(g)})
				}
			}
		}
	}
	// Subtables list their segments and groups in code order, so the pairs
	// usually arrive sorted already.
	byRune := func(a, b cmapPair) int { return int(a.r - b.r) }
	if !slices.IsSortedFunc(pairs, byRune) {
		slices.SortStableFunc(pairs, byRune)
	}
	pairs = slices.CompactFunc(pairs, func(a, b cmapPair) bool { return a.r == b.r })
	f.cmap = pairs
	return nil
}

// NameRecords calls fn with the platform, encoding, language and name ID of
// every record of the name table.
func (f *Font) NameRecords(fn func(platformID, encodingID, languageID, nameID uint16)) {
	nt := f.tables["name"]
	if len(nt) < 6 {
		return
	}
	count := int(binary.BigEndian.Uint16(nt[2:]))
	for i := 0; i < count && 6+12*i+12 <= len(nt); i++ {
		rec := nt[6+12*i:]
		fn(binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:]), binary.BigEndian.Uint16(rec[4:]), binary.BigEndian.Uint16(rec[6:]))
	}
}

// nameRecord returns the first Windows-Unicode (or, failing that, Macintosh
// Roman) record with the given name ID.
func (f *Font) nameRecord(id uint16) string {
	nt := f.tables["name"]
	if len(nt) < 6 {
		return ""
	}
	count := int(binary.BigEndian.Uint16(nt[2:]))
	strOff := int(binary.BigEndian.Uint16(nt[4:]))
	var mac string
	for i := 0; i < count && 6+12*i+12 <= len(nt); i++ {
		rec := nt[6+12*i:]
		pid, eid := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		nid := binary.BigEndian.Uint16(rec[6:])
		ln, off := int(binary.BigEndian.Uint16(rec[8:])), int(binary.BigEndian.Uint16(rec[10:]))
		if nid != id || strOff+off+ln > len(nt) {
			continue
		}
		raw := nt[strOff+off : strOff+off+ln]
		switch {
		case pid == 3 && (eid == 1 || eid == 0) && ln%2 == 0:
			var sb strings.Builder
			for j := 0; j+1 < len(raw); j += 2 {
				sb.WriteRune(rune(binary.BigEndian.Uint16(raw[j:])))
			}
			return sb.String()
		case pid == 1 && eid == 0 && mac == "":
			mac = string(raw)
		}
	}
	return mac
}

// Composite glyph flags (OpenType glyf table).
const (
	argsAreWords    = 0x0001
	haveScale       = 0x0008
	moreComponents  = 0x0020
	haveXYScale     = 0x0040
	haveTwoByTwo    = 0x0080
	compositeHeader = 10
)

// components calls fn with the byte offset (inside the glyph) of every
// component glyph index of composite glyph data g.
func components(g []byte, fn func(off int)) error {
	if len(g) < compositeHeader || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	p := compositeHeader
	for {
		if p+4 > len(g) {
			return errors.New("ttfsubset: composite glyph is truncated")
		}
		flags := binary.BigEndian.Uint16(g[p:])
		fn(p + 2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			if p > len(g) {
				return errors.New("ttfsubset: composite glyph is truncated")
			}
			return nil
		}
	}
}

var errTooManyMappings = errors.New("ttfsubset: cmap describes too many mappings")

// MissingRunesError reports characters the font has no glyph for.
type MissingRunesError struct {
	Runes []rune
}

// Error lists the missing characters (at most eight) as U+XXXX.
func (e *MissingRunesError) Error() string {
	var sb strings.Builder
	sb.WriteString("ttfsubset: font has no glyph for")
	for i, r := range e.Runes {
		if i == 8 {
			fmt.Fprintf(&sb, " and %d more", len(e.Runes)-i)
			break
		}
		fmt.Fprintf(&sb, " U+%04X", r)
	}
	return sb.String()
}

// Options tune SubsetWith.
type Options struct {
	// KeepName reports whether a record of the name table is kept; nil
	// keeps every record. Fonts often carry their licence text twice
	// (Macintosh and Windows encodings), which a subset may not need.
	KeepName func(platformID, encodingID, languageID, nameID uint16) bool
}

// Subset returns a TrueType font that contains .notdef, the glyphs of runes
// and every glyph those glyphs are composed of, with a cmap that maps exactly
// runes. It fails with *MissingRunesError if the font lacks any of runes.
func (f *Font) Subset(runes []rune) ([]byte, error) { return f.SubsetWith(runes, Options{}) }

// SubsetWith is Subset with options.
func (f *Font) SubsetWith(runes []rune, o Options) ([]byte, error) {
	var missing []rune
	keep := map[int]bool{0: true}
	mapped := make([]cmapPair, 0, len(runes))
	for _, r := range runes {
		g := f.GlyphIndex(r)
		if g == 0 {
			missing = append(missing, r)
			continue
		}
		keep[int(g)] = true
		mapped = append(mapped, cmapPair{r, g})
	}
	if len(missing) > 0 {
		return nil, &MissingRunesError{Runes: missing}
	}
	// Close over composite components (components may be composite too).
	queue := make([]int, 0, len(keep))
	for g := range keep {
		queue = append(queue, g)
	}
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		gd := f.glyph(g)
		var bad bool
		err := components(gd, func(off int) {
			c := int(binary.BigEndian.Uint16(gd[off:]))
			if c >= f.numGlyphs {
				bad = true
				return
			}
			if !keep[c] {
				keep[c] = true
				queue = append(queue, c)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("%w (glyph %d)", err, g)
		}
		if bad {
			return nil, fmt.Errorf("ttfsubset: glyph %d refers to a glyph beyond numGlyphs", g)
		}
	}
	old := make([]int, 0, len(keep))
	for g := range keep {
		old = append(old, g)
	}
	slices.Sort(old)
	newID := make(map[int]uint16, len(old))
	for i, g := range old {
		newID[g] = uint16(i)
	}
	n := len(old)

	// glyf + loca (long format).
	var glyf []byte
	loca := make([]byte, 4*(n+1))
	for i, g := range old {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		start := len(glyf)
		glyf = append(glyf, f.glyph(g)...)
		gd := glyf[start:]
		_ = components(gd, func(off int) {
			c := int(binary.BigEndian.Uint16(gd[off:]))
			binary.BigEndian.PutUint16(gd[off:], newID[c])
		})
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	binary.BigEndian.PutUint32(loca[4*n:], uint32(len(glyf)))

	// hmtx: one longHorMetric per glyph.
	hmtx := make([]byte, 4*n)
	advMax := 0
	for i, g := range old {
		adv, lsb := f.hmetric(g)
		binary.BigEndian.PutUint16(hmtx[4*i:], uint16(adv))
		binary.BigEndian.PutUint16(hmtx[4*i+2:], uint16(lsb))
		advMax = max(advMax, adv)
	}
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[10:], uint16(advMax))
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1)

	for i := range mapped {
		mapped[i].gid = newID[int(mapped[i].gid)]
	}
	slices.SortFunc(mapped, func(a, b cmapPair) int { return int(a.r - b.r) })
	mapped = slices.CompactFunc(mapped, func(a, b cmapPair) bool { return a.r == b.r })
	cmap, err := buildCmap(mapped)
	if err != nil {
		return nil, err
	}
	post := make([]byte, 32)
	binary.BigEndian.PutUint32(post, 0x00030000)
	if op := f.tables["post"]; len(op) >= 16 {
		copy(post[4:16], op[4:16]) // italicAngle, underlinePosition/Thickness, isFixedPitch
	}

	tables := map[string][]byte{
		"head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx,
		"loca": loca, "glyf": glyf, "cmap": cmap, "post": post,
	}
	for _, tag := range []string{"OS/2", "name", "cvt ", "fpgm", "prep", "gasp"} {
		if t, ok := f.tables[tag]; ok {
			tables[tag] = t
		}
	}
	if o.KeepName != nil && tables["name"] != nil {
		tables["name"] = filterNames(tables["name"], o.KeepName)
	}
	return assemble(tables), nil
}

// filterNames rebuilds a name table (format 0) with the records keep
// accepts. A table it cannot read is returned unchanged.
func filterNames(nt []byte, keep func(p, e, l, id uint16) bool) []byte {
	if len(nt) < 6 || binary.BigEndian.Uint16(nt) != 0 {
		return nt
	}
	count := int(binary.BigEndian.Uint16(nt[2:]))
	strOff := int(binary.BigEndian.Uint16(nt[4:]))
	if 6+12*count > len(nt) || strOff > len(nt) {
		return nt
	}
	var recs, strs []byte
	kept := 0
	for i := 0; i < count; i++ {
		rec := nt[6+12*i : 6+12*i+12]
		p, e := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		l, id := binary.BigEndian.Uint16(rec[4:]), binary.BigEndian.Uint16(rec[6:])
		ln, off := int(binary.BigEndian.Uint16(rec[8:])), int(binary.BigEndian.Uint16(rec[10:]))
		if strOff+off+ln > len(nt) || !keep(p, e, l, id) {
			continue
		}
		r := slices.Clone(rec)
		binary.BigEndian.PutUint16(r[10:], uint16(len(strs)))
		recs = append(recs, r...)
		strs = append(strs, nt[strOff+off:strOff+off+ln]...)
		kept++
	}
	out := make([]byte, 6, 6+len(recs)+len(strs))
	binary.BigEndian.PutUint16(out[2:], uint16(kept))
	binary.BigEndian.PutUint16(out[4:], uint16(6+len(recs)))
	out = append(out, recs...)
	return append(out, strs...)
}

// buildCmap writes a cmap with a (3,1) format 4 subtable for the BMP and,
// if needed, a (3,10) format 12 subtable for everything.
func buildCmap(pairs []cmapPair) ([]byte, error) {
	type seg struct{ start, end, delta int }
	var segs []seg
	var supp bool
	for _, p := range pairs {
		if p.r > 0xFFFF {
			supp = true
			continue
		}
		if p.r == 0xFFFF {
			return nil, errors.New("ttfsubset: U+FFFF cannot be mapped")
		}
		d := (int(p.gid) - int(p.r)) & 0xFFFF
		if k := len(segs) - 1; k >= 0 && segs[k].end+1 == int(p.r) && segs[k].delta == d {
			segs[k].end++
			continue
		}
		segs = append(segs, seg{int(p.r), int(p.r), d})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	sc := len(segs)
	f4 := make([]byte, 16+8*sc)
	binary.BigEndian.PutUint16(f4, 4)
	binary.BigEndian.PutUint16(f4[2:], uint16(len(f4)))
	binary.BigEndian.PutUint16(f4[6:], uint16(2*sc))
	sr, es := searchParams(sc, 2)
	binary.BigEndian.PutUint16(f4[8:], uint16(sr))
	binary.BigEndian.PutUint16(f4[10:], uint16(es))
	binary.BigEndian.PutUint16(f4[12:], uint16(2*sc-sr))
	for i, s := range segs {
		binary.BigEndian.PutUint16(f4[14+2*i:], uint16(s.end))
		binary.BigEndian.PutUint16(f4[16+2*sc+2*i:], uint16(s.start))
		binary.BigEndian.PutUint16(f4[16+4*sc+2*i:], uint16(s.delta))
		// idRangeOffset stays 0.
	}
	subs := [][]byte{f4}
	if supp {
		type grp struct{ start, end, g rune }
		var groups []grp
		for _, p := range pairs {
			if k := len(groups) - 1; k >= 0 && groups[k].end+1 == p.r && groups[k].g+(p.r-groups[k].start) == rune(p.gid) {
				groups[k].end++
				continue
			}
			groups = append(groups, grp{p.r, p.r, rune(p.gid)})
		}
		f12 := make([]byte, 16+12*len(groups))
		binary.BigEndian.PutUint16(f12, 12)
		binary.BigEndian.PutUint32(f12[4:], uint32(len(f12)))
		binary.BigEndian.PutUint32(f12[12:], uint32(len(groups)))
		for i, g := range groups {
			binary.BigEndian.PutUint32(f12[16+12*i:], uint32(g.start))
			binary.BigEndian.PutUint32(f12[20+12*i:], uint32(g.end))
			binary.BigEndian.PutUint32(f12[24+12*i:], uint32(g.g))
		}
		subs = append(subs, f12)
	}
	out := make([]byte, 4+8*len(subs))
	binary.BigEndian.PutUint16(out[2:], uint16(len(subs)))
	eids := []uint16{1, 10}
	for i, s := range subs {
		binary.BigEndian.PutUint16(out[4+8*i:], 3)
		binary.BigEndian.PutUint16(out[6+8*i:], eids[i])
		binary.BigEndian.PutUint32(out[8+8*i:], uint32(len(out)))
		out = append(out, s...)
	}
	return out, nil
}

// searchParams returns searchRange (in bytes, for items of unit bytes) and
// entrySelector for n items.
func searchParams(n, unit int) (searchRange, entrySelector int) {
	p, e := 1, 0
	for p*2 <= n {
		p *= 2
		e++
	}
	return p * unit, e
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}

// assemble writes an sfnt file with the tables sorted by tag, each 4-byte
// aligned, and sets head.checkSumAdjustment.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	size := 12 + 16*n
	for _, t := range tags {
		size += (len(tables[t]) + 3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	sr, es := searchParams(n, 16)
	binary.BigEndian.PutUint16(out[6:], uint16(sr))
	binary.BigEndian.PutUint16(out[8:], uint16(es))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-sr))
	headOff := 0
	for i, t := range tags {
		b := tables[t]
		rec := out[12+16*i:]
		copy(rec, t)
		binary.BigEndian.PutUint32(rec[4:], checksum(b))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(b)))
		if t == "head" {
			headOff = len(out)
		}
		out = append(out, b...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return out
}
