// Package pdflayout renders dealgate's documents to PDF from layout
// templates: XML files that hold a document kind's wording and structure
// (paragraphs, requisites blocks, tables with repeating header rows, totals,
// signatures, conditions and loops) with placeholders such as
// {{.buyer.name}} and {{money .total}}. The format is documented in
// templates/pdf/FORMAT.md.
//
// Usage: create one Engine (injecting formatters such as amounts in words
// through EngineOptions.Funcs), parse each template once, and render as many
// documents as needed; Engine and Template are safe for concurrent use.
//
// How it works:
//
//   - The template is evaluated against the data and laid out into a display
//     list before anything is drawn: text is measured with the fonts' own
//     advance widths, lines are broken, tables and columns are paginated, and
//     only then are header and footer filled in with the exact page count.
//   - Every string is checked against cp1251x, a single-byte encoding
//     (Windows-1251 with ₽, ×, ², ³ in four rarely used slots). If all text
//     fits, the document is drawn with fpdf's single-byte font path, using
//     224-glyph subsets of DejaVu Condensed prepared at build time and
//     embedded (fontdata/: package ttfsubset builds them, a test verifies them
//     with golang.org/x/image/font/sfnt and fails if a fresh build differs).
//     This is about ten times faster than fpdf's UTF-8 path, whose
//     per-document font handling costs several milliseconds.
//   - Otherwise the document takes the UTF-8 path with the full fonts; a
//     character that no embedded font has is an error, never a dropped or
//     substituted glyph.
//   - Output is deterministic: the creation date comes from RenderOptions,
//     the catalogue is sorted, and nothing depends on map order, so equal
//     input gives byte-identical PDFs.
package pdflayout
