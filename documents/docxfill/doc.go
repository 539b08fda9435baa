// Package docxfill fills DOCX templates: parse a template once with NewTemplate, then
// Render it many times, concurrently if needed.
//
// # Placeholders
//
// A placeholder is a key in braces typed into the document text: {number}, {seller.inn}.
// Keys are segments of letters, digits, '_' and '-' joined by dots. Word often splits
// typed text into several runs (spell-check marks, formatting changes); such split
// placeholders are found by go-docx's run parser and the value takes the formatting of
// the run holding the '{'. Placeholders work in the body, headers, footers, footnotes
// and endnotes.
//
// Every placeholder in the template must get a value: Render returns a *MissingError
// naming all missing keys instead of leaving "{key}" in the output. Extra keys in the
// data are ignored. Placeholders lists the keys, so an uploaded template can be checked
// against the fields of its document kind before it is accepted.
//
// # Repeated table rows
//
// A table row is a loop row over the list L when every placeholder in it has the form
// {L.field} with the same L, e.g. {items.name}, {items.qty}. If Data.Lists has an entry
// for L, the row is written once per item (an empty list removes the row), each copy
// filled from its item's fields; the field "#" is the 1-based line number unless the
// item has its own "#". Without a list entry the row is filled once from Data.Values
// ("L.field" keys), so a row such as "{totals.net} | {totals.vat}" needs no list. Lists
// returns the names that can loop. A loop row must not contain a nested table; one item
// spans one row.
//
// # Values
//
// Values are plain text. They are escaped for XML (& < > " '), "\n" becomes a line break
// and "\t" a tab; characters XML cannot carry are dropped and invalid UTF-8 is replaced by
// U+FFFD. Formatting of money and dates is the caller's: Flatten turns decoded JSON into
// Values and Lists, with an optional FormatFunc per key.
//
// # Speed and output
//
// go-docx (v0.4.7, pinned: this package relies on its exported parser types) is used only
// to find the placeholders, once per template, under a mutex because its parser uses
// package-level counters. Where its placeholder parser loses a split placeholder (a run
// that closes one placeholder and opens the next, "} от {date}"), the braces are paired
// again over the runs it found; every '{' and '}' in the text must end up in a placeholder,
// or NewTemplate refuses the template. go-docx logs some parse problems with the standard
// logger. Each template part is then compiled into literal byte chunks and value slots;
// Render writes the chunks and escaped values in one forward pass, deflates the filled
// parts at BestSpeed and copies all untouched zip entries in their compressed form.
// Output is deterministic: the same template and data give byte-identical DOCX files.
package docxfill
