package pdflayout

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// cp1251x is the single-byte encoding of the fast path: Windows-1251 with four
// slots changed so that Russian sales documents need no other character set.
//
//   - 0x98, the one slot Windows-1251 leaves undefined, carries ₽ (U+20BD);
//   - 0xA6 carries × (U+00D7) instead of ¦ (U+00A6), for "58×40";
//   - 0xA4 carries ² (U+00B2) instead of ¤ (U+00A4) and 0xAC carries
//     ³ (U+00B3) instead of ¬ (U+00AC), for units such as м² and м³/мин.
//
// ¦, ¤ and ¬ do not occur in business text; if they do, the document simply
// takes the UTF-8 path.
//
// Bytes 0x20–0x7E are ASCII. The fonts of the fast path contain exactly the
// glyphs of these 224 characters (plus .notdef).
const (
	rubleSlot  = 0x98
	timesSlot  = 0xA6
	squareSlot = 0xA4
	cubeSlot   = 0xAC
)

// encLimit bounds the rune→byte table: every rune of cp1251x is below it
// (the largest is ™, U+2122).
const encLimit = 0x2200

// cp1251xDecode maps each byte to its rune (0 for the control slots
// 0x00–0x1F and the undefined 0x7F).
var cp1251xDecode [256]rune

// cp1251xEncode maps runes below encLimit to their byte; 0 means "not in the
// encoding".
var cp1251xEncode [encLimit]byte

func init() {
	for b := 0x20; b < 0x7F; b++ {
		cp1251xDecode[b] = rune(b)
	}
	for b := 0x80; b < 0x100; b++ {
		r := charmap.Windows1251.DecodeByte(byte(b))
		if r == utf8.RuneError {
			r = 0
		}
		cp1251xDecode[b] = r
	}
	cp1251xDecode[rubleSlot] = '₽'
	cp1251xDecode[timesSlot] = '×'
	cp1251xDecode[squareSlot] = '²'
	cp1251xDecode[cubeSlot] = '³'
	for b, r := range cp1251xDecode {
		if r == 0 {
			continue
		}
		if r >= encLimit || cp1251xEncode[r] != 0 {
			panic(fmt.Sprintf("pdflayout: cp1251x table broken at 0x%02X (U+%04X)", b, r))
		}
		cp1251xEncode[r] = byte(b)
	}
}

// inCP1251x reports whether r can be written on the fast path.
func inCP1251x(r rune) bool {
	return r >= 0 && r < encLimit && cp1251xEncode[r] != 0
}

// appendCP1251x appends the cp1251x bytes of s to dst. The caller has
// checked every rune with inCP1251x; anything else would be a bug, so it is
// reported rather than replaced.
func appendCP1251x(dst []byte, s string) ([]byte, error) {
	return appendCP1251xBytes(dst, s, false)
}

// appendCP1251xLiteral is appendCP1251x for the inside of a PDF literal
// string: backslash, both parentheses and carriage return are escaped the
// way fpdf escapes them (bytes from 0x80 up need no escape).
func appendCP1251xLiteral(dst []byte, s string) ([]byte, error) {
	return appendCP1251xBytes(dst, s, true)
}

func appendCP1251xBytes(dst []byte, s string, escape bool) ([]byte, error) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case !escape:
			case c == '\\' || c == '(' || c == ')':
				dst = append(dst, '\\')
			case c == '\r':
				dst = append(dst, '\\')
				c = 'r'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !inCP1251x(r) {
			return dst, fmt.Errorf("pdflayout: internal error: U+%04X reached the single-byte path", r)
		}
		dst = append(dst, cp1251xEncode[r])
		i += n
	}
	return dst, nil
}

// cp1251xRunes returns the printable runes of cp1251x in byte order.
func cp1251xRunes() []rune {
	rs := make([]rune, 0, 224)
	for _, r := range cp1251xDecode {
		if r != 0 {
			rs = append(rs, r)
		}
	}
	return rs
}

// glyphName is the PDF glyph name of r: uniXXXX, which every viewer resolves
// through the Adobe Glyph List convention and the font's Unicode cmap.
func glyphName(r rune) string { return fmt.Sprintf("uni%04X", r) }

// cp1251xMap returns the encoding as an fpdf code-page map file (the format
// read by fpdf.MakeFont and fpdf.UnicodeTranslator: "!98 U+20BD uni20BD").
func cp1251xMap() string {
	var sb strings.Builder
	for b, r := range cp1251xDecode {
		if r == 0 {
			fmt.Fprintf(&sb, "!%02X U+%04X .notdef\n", b, b)
			continue
		}
		fmt.Fprintf(&sb, "!%02X U+%04X %s\n", b, r, glyphName(r))
	}
	return sb.String()
}

// cp1251xDifferences is the /Differences array of the PDF encoding: every
// slot from 0x80 up, named explicitly, so that no viewer falls back to its
// WinAnsi reading of a slot (WinAnsi maps 0xA0 to "space", 0xA6 to
// "brokenbar"). 0x20–0x7E are ASCII in WinAnsi already.
func cp1251xDifferences() string {
	var sb strings.Builder
	sb.WriteString("128")
	for b := 0x80; b < 0x100; b++ {
		sb.WriteString(" /")
		if r := cp1251xDecode[b]; r != 0 {
			sb.WriteString(glyphName(r))
		} else {
			sb.WriteString(".notdef")
		}
	}
	return sb.String()
}
