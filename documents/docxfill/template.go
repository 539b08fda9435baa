package docxfill

import (
	"slices"
	"strings"
)

// Template is a parsed DOCX template. It is immutable after NewTemplate and safe for
// concurrent use by several goroutines.
type Template struct {
	name    string
	entries []*entry // zip entries in archive order
	keys    []string
	lists   []string
}

// Data is what Render fills a template with.
type Data struct {
	// Values maps keys ("number", "seller.inn") to text.
	Values map[string]string
	// Lists maps a list name ("items") to its items; each item maps a field ("name",
	// "qty") to text. A loop row over a list that is absent here is filled once from
	// Values; a list that is present but empty removes the row.
	Lists map[string][]map[string]string
}

// NewTemplate checks and parses a .docx template. name identifies the template in
// errors. The archive must be a zip of at most MaxTemplateSize bytes with
// word/document.xml and [Content_Types].xml, safe entry names and entries within the
// size limits; every placeholder must be well formed (see the package documentation).
// All such problems return an error wrapping ErrInvalidTemplate. docx is not retained.
func NewTemplate(name string, docx []byte) (*Template, error) {
	entries, texts, err := readArchive(name, docx)
	if err != nil {
		return nil, err
	}
	t := &Template{name: name, entries: entries}
	for _, e := range entries {
		src, ok := texts[e.hdr.Name]
		if !ok {
			continue
		}
		p, err := compilePart(name, e.hdr.Name, src)
		if err != nil {
			return nil, err
		}
		if p.placed == 0 {
			continue // nothing to fill: the entry is copied as it is
		}
		e.part = p
		e.raw = nil // the entry is rebuilt on every render
		t.keys = append(t.keys, p.keys...)
		t.lists = append(t.lists, p.lists...)
	}
	slices.Sort(t.keys)
	t.keys = slices.Compact(t.keys)
	slices.Sort(t.lists)
	t.lists = slices.Compact(t.lists)
	return t, nil
}

// Name returns the name given to NewTemplate.
func (t *Template) Name() string { return t.name }

// Placeholders returns the distinct keys of the template, sorted, as written between the
// braces: "number", "seller.inn", and loop fields as "items.name".
func (t *Template) Placeholders() []string { return slices.Clone(t.keys) }

// Lists returns the names L of the rows that repeat when Data.Lists has L, sorted. A row
// such as "{totals.net} | {totals.vat}" is listed too; without a list it is filled once.
func (t *Template) Lists() []string { return slices.Clone(t.lists) }

// Unknown returns the template's placeholders that are not in known, sorted. Use it to
// refuse an uploaded template that asks for fields its document kind does not have.
func (t *Template) Unknown(known []string) []string {
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	var out []string
	for _, k := range t.keys {
		if !set[k] && !(strings.HasSuffix(k, ".#") && slices.Contains(t.lists, strings.TrimSuffix(k, ".#"))) {
			out = append(out, k)
		}
	}
	return out
}
