// Package documents holds dealgate's standard documents: the data schema of each kind with
// its validation, line items with exact VAT arithmetic, numbering, prefill along the deal, and
// the rendering of a document to PDF (fpdf, through pdflayout templates) and DOCX (go-docx,
// through docxfill templates).
//
// A document's data arrives as JSON, is decoded strictly into the kind's struct (Decode),
// checked (every problem named by its JSON path, e.g. "lines[2].qty"), completed (VAT, totals,
// amounts in words) and turned into a view — a plain map that both template engines read.
// The same data and the same template always give byte-identical files, so anyone can
// re-render a stored document and compare hashes.
//
// Sub-packages: requisites (ИНН, КПП, ОГРН, БИК, accounts), amount (figures, words, dates),
// vat (date-effective rates, line arithmetic), pdflayout (layout templates and the fpdf
// renderer), docxfill (DOCX templates on go-docx).
package documents
