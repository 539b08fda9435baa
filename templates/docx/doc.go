// Package docx embeds the shipped DOCX templates: one .docx per document kind, plus a
// variant where one kind prints two forms — upd-torg12.docx, the ТОРГ-12 + счёт-фактура
// profile of the УПД beside upd.docx. documents.Builtin reads "<kind>.docx" and
// documents.BuiltinFor picks the variant by the data. An uploaded upd DOCX replaces
// upd.docx only; the torg12 profile always prints upd-torg12.docx (documents/VIEW.md, "upd").
//
// The files are generated, not hand-edited: internal/docxgen builds each one from
// WordprocessingML written in Go (one function per template, shared blocks for the
// letterhead, requisites, item tables and signatures), and `go generate` writes them here.
// A test checks that the committed files equal the generator's output.
//
// Placeholders follow documents/docxfill: {key} for a value ("seller.inn"), and a table
// row whose placeholders all read {list.field} ({lines.name}, {lines.qty}) repeats once per
// list item. The keys are those of the kind's view, listed in documents/VIEW.md.
//
// To add a kind: write a func in internal/docxgen returning Package{...}.Build(), list it
// in docxgen.Templates, run `go generate ./templates/docx`, commit the .docx.
package docx

import "embed"

//go:generate go run ./internal/gen -out .

// FS holds the templates by file name, e.g. "proposal.docx".
//
//go:embed *.docx
var FS embed.FS
