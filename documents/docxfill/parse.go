package docxfill

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	godocx "github.com/lukasjarosch/go-docx"
)

// parseMu serialises go-docx's parser: it increments package-level run and fragment
// counters, which race when two templates are parsed at once.
var parseMu sync.Mutex

// Namespaces in which w:tr and w:tbl are recognised (transitional and strict OOXML).
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
)

// opKind says what an op writes.
type opKind uint8

const (
	opLit   opKind = iota // literal template bytes
	opValue               // an escaped value
	opLoop                // a table row repeated per list item
)

// op is one step of a compiled part.
type op struct {
	kind opKind
	lit  []byte
	key  string // opValue: the key at top level, the field inside a loop row
	full string // opValue inside a loop row: "list.field", used when filled from Values
	loop *loop
}

// loop is a table row that repeats once per item of list.
type loop struct {
	list string
	ops  []op
}

// part is a compiled XML part: literal chunks of the original bytes and slots.
type part struct {
	name   string
	ops    []op
	size   int      // length of the template part, a hint for the output buffer
	keys   []string // distinct keys as written in the template, sorted
	lists  []string // names of lists with a loop row, sorted
	placed int      // number of placeholders found
}

// edit replaces doc[start:end] in the compiled output.
type edit struct {
	start, end int
	key        string // value slot when non-empty
	static     []byte // replacement bytes when key is empty (nil cuts the range)
}

// span is the byte range of an element, from '<' of its start tag to after its end tag.
type span struct{ start, end int }

var (
	// emptyText matches a self-closing w:t, which go-docx's parser cannot handle.
	emptyText = regexp.MustCompile(`<w:t(\s[^<>]*?)?/>`)
	// preserveText replaces a bare <w:t> that will hold a value, so that leading and
	// trailing spaces of values survive.
	preserveText = []byte(`<w:t xml:space="preserve">`)
)

// compilePart finds the placeholders of one part with go-docx and compiles it.
func compilePart(tplName, partName string, src []byte) (p *part, err error) {
	doc := emptyText.ReplaceAll(src, []byte("<w:t$1></w:t>"))
	nRuns := bytes.Count(doc, []byte("<w:r>")) + bytes.Count(doc, []byte("<w:r ")) + bytes.Count(doc, []byte("<w:r/>"))
	if nRuns > MaxRunsPerPart {
		return nil, invalid(tplName, "part %s has %d runs, more than the limit of %d", partName, nRuns, MaxRunsPerPart)
	}

	st, err := scanStructure(doc)
	if err != nil {
		return nil, invalid(tplName, "part %s: malformed XML: %v", partName, err)
	}
	runs, placeholders, goErr, err := parseWithGoDocx(doc)
	if err != nil {
		return nil, invalid(tplName, "part %s: %v", partName, err)
	}
	consistent := func(phs []*godocx.Placeholder) bool {
		return st.opens == len(phs) && st.closes == len(phs)
	}
	if goErr != nil || !consistent(placeholders) {
		// go-docx v0.4.7 loses placeholders when one run ends a placeholder and starts
		// another ("{" | "number" | "} от {date}", the usual result of Word's spell-check
		// marks). Pair the braces again over the runs it found.
		own, ownErr := assemblePlaceholders(runs, doc)
		if ownErr != nil || !consistent(own) {
			detail := ""
			if ownErr != nil {
				detail = "; " + ownErr.Error()
			}
			return nil, invalid(tplName, "part %s: the text has %d '{' and %d '}' but %d placeholders were recognised "+
				"(unbalanced or nested braces, or a placeholder in a run with several text elements: retype it)%s%s",
				partName, st.opens, st.closes, len(placeholders), detail, unrecognised(st.text, placeholders, doc))
		}
		placeholders = own
	}

	p = &part{name: partName, size: len(doc), placed: len(placeholders)}
	type ph struct {
		key   string
		edits []edit
		first int // start of the first fragment
		last  int // end of the last fragment
	}
	var phs []ph
	preserved := map[int]bool{}
	for _, pl := range placeholders {
		text := pl.Text(doc)
		if len(text) < 2 || text[0] != '{' || text[len(text)-1] != '}' {
			return nil, invalid(tplName, "part %s: malformed placeholder %q", partName, text)
		}
		key := text[1 : len(text)-1]
		if err := checkKey(key); err != nil {
			return nil, invalid(tplName, "part %s: placeholder %q: %v", partName, text, err)
		}
		h := ph{key: key, first: int(pl.StartPos()), last: int(pl.EndPos())}
		for i, f := range pl.Fragments {
			s, e := int(f.StartPos()), int(f.EndPos())
			r := f.Run
			if !r.HasText || s < int(r.Text.OpenTag.End) || e > int(r.Text.CloseTag.Start) || s > e {
				return nil, invalid(tplName, "part %s: placeholder %q: fragment outside its text element", partName, text)
			}
			if i > 0 {
				h.edits = append(h.edits, edit{start: s, end: e}) // cut
				continue
			}
			// The value goes into the first fragment's w:t, which must really be a
			// w:t: line breaks close and reopen it.
			open := doc[r.Text.OpenTag.Start:r.Text.OpenTag.End]
			if !bytes.HasPrefix(open, []byte("<w:t>")) && !bytes.HasPrefix(open, []byte("<w:t ")) ||
				!bytes.Equal(doc[r.Text.CloseTag.Start:r.Text.CloseTag.End], []byte("</w:t>")) {
				return nil, invalid(tplName, "part %s: placeholder %q is not inside a w:t element", partName, text)
			}
			if string(open) == "<w:t>" && !preserved[int(r.Text.OpenTag.Start)] {
				preserved[int(r.Text.OpenTag.Start)] = true
				h.edits = append(h.edits, edit{start: int(r.Text.OpenTag.Start), end: int(r.Text.OpenTag.End), static: preserveText})
			}
			h.edits = append(h.edits, edit{start: s, end: e, key: key})
		}
		phs = append(phs, h)
	}

	// Group placeholders by their innermost table row and find the loop rows.
	type rowInfo struct {
		span
		list  string // the common prefix of the row's keys
		phs   []int  // indexes into phs of the placeholders whose innermost row this is
		mixed bool   // keys without a dot, with different prefixes, or leaving the row
	}
	rows := make([]*rowInfo, len(st.rows))
	for i, r := range st.rows {
		rows[i] = &rowInfo{span: r}
	}
	var keys []string
	for i, h := range phs {
		keys = append(keys, h.key)
		r := innermost(st.rows, h.first)
		if r < 0 {
			continue
		}
		ri := rows[r]
		ri.phs = append(ri.phs, i)
		list, _, dotted := strings.Cut(h.key, ".")
		switch {
		case !dotted || h.last > ri.end:
			ri.mixed = true
		case ri.list == "":
			ri.list = list
		case ri.list != list:
			ri.mixed = true
		}
	}
	var loopRows []*rowInfo
	for _, ri := range rows {
		if len(ri.phs) == 0 || ri.mixed || containsSpan(st.tables, ri.span) {
			continue
		}
		loopRows = append(loopRows, ri)
		p.lists = append(p.lists, ri.list)
	}
	slices.SortFunc(loopRows, func(a, b *rowInfo) int { return a.start - b.start })

	// Top-level edits, and per loop row the edits inside it.
	inLoop := map[int]*rowInfo{}
	for _, ri := range loopRows {
		for _, i := range ri.phs {
			inLoop[i] = ri
		}
	}
	var top []edit
	rowEdits := map[*rowInfo][]edit{}
	for i, h := range phs {
		if ri := inLoop[i]; ri != nil {
			for _, e := range h.edits {
				if e.key != "" {
					_, field, _ := strings.Cut(e.key, ".")
					e.key = field
				}
				rowEdits[ri] = append(rowEdits[ri], e)
			}
			continue
		}
		top = append(top, h.edits...)
	}
	slices.SortFunc(top, func(a, b edit) int { return a.start - b.start })

	pos := 0
	for _, ri := range loopRows {
		var before []edit
		for len(top) > 0 && top[0].start < ri.start {
			before = append(before, top[0])
			top = top[1:]
		}
		ops, err := compileRange(doc, pos, ri.start, before, "")
		if err != nil {
			return nil, invalid(tplName, "part %s: %v", partName, err)
		}
		p.ops = append(p.ops, ops...)
		re := rowEdits[ri]
		slices.SortFunc(re, func(a, b edit) int { return a.start - b.start })
		inner, err := compileRange(doc, ri.start, ri.end, re, ri.list)
		if err != nil {
			return nil, invalid(tplName, "part %s: %v", partName, err)
		}
		p.ops = append(p.ops, op{kind: opLoop, loop: &loop{list: ri.list, ops: inner}})
		pos = ri.end
	}
	ops, err := compileRange(doc, pos, len(doc), top, "")
	if err != nil {
		return nil, invalid(tplName, "part %s: %v", partName, err)
	}
	p.ops = append(p.ops, ops...)

	slices.Sort(keys)
	p.keys = slices.Compact(keys)
	slices.Sort(p.lists)
	p.lists = slices.Compact(p.lists)
	return p, nil
}

// compileRange turns doc[from:to] with sorted, non-overlapping edits into ops. Inside a
// loop row (list != ""), value keys are fields and full keys are "list.field".
func compileRange(doc []byte, from, to int, edits []edit, list string) ([]op, error) {
	var ops []op
	lit := func(b []byte) {
		if len(b) == 0 {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].kind == opLit {
			// Join with the previous literal; a fresh slice keeps doc untouched.
			ops[n-1].lit = append(slices.Clip(ops[n-1].lit), b...)
			return
		}
		ops = append(ops, op{kind: opLit, lit: b})
	}
	pos := from
	for _, e := range edits {
		if e.start < pos || e.end > to || e.start > e.end {
			return nil, fmt.Errorf("overlapping placeholders near byte %d", e.start)
		}
		lit(doc[pos:e.start])
		switch {
		case e.key != "":
			o := op{kind: opValue, key: e.key}
			if list != "" {
				o.full = list + "." + e.key
			}
			ops = append(ops, o)
		case e.static != nil:
			lit(e.static)
		}
		pos = e.end
	}
	lit(doc[pos:to])
	return ops, nil
}

// parseWithGoDocx runs go-docx's run parser and placeholder parser on doc, under
// parseMu. err reports a failed run parser (fatal); goErr a failed placeholder parser,
// which assemblePlaceholders may still recover from. Both parsers may panic on inputs
// they were not written for; that is reported as an error too.
func parseWithGoDocx(doc []byte) (runs godocx.DocumentRuns, phs []*godocx.Placeholder, goErr, err error) {
	parseMu.Lock()
	defer parseMu.Unlock()
	runs, err = safely(func() (godocx.DocumentRuns, error) {
		rp := godocx.NewRunParser(doc)
		if err := rp.Execute(); err != nil {
			return nil, err
		}
		return rp.Runs(), nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("go-docx run parser: %w", err)
	}
	phs, goErr = safely(func() ([]*godocx.Placeholder, error) {
		phs, err := godocx.ParsePlaceholders(runs, doc)
		// Document order: the parser appends split placeholders when they close.
		slices.SortFunc(phs, func(a, b *godocx.Placeholder) int { return int(a.StartPos() - b.StartPos()) })
		return phs, err
	})
	return runs, phs, goErr, nil
}

// safely calls f and turns a panic into an error.
func safely[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("go-docx panicked: %v", r)
		}
	}()
	return f()
}

// assemblePlaceholders pairs braces over the text of runs in document order, as
// go-docx's ParsePlaceholders does, but for any split: a run may close one placeholder
// and open the next. Nested and unbalanced braces are errors. The fragments are built as
// literals, leaving go-docx's fragment counter alone.
func assemblePlaceholders(runs godocx.DocumentRuns, doc []byte) ([]*godocx.Placeholder, error) {
	text := slices.Clone(runs.WithText())
	slices.SortFunc(text, func(a, b *godocx.Run) int { return int(a.Text.OpenTag.End - b.Text.OpenTag.End) })
	var (
		phs  []*godocx.Placeholder
		cur  *godocx.Placeholder
		from int64 // start of the current fragment in the current run
	)
	for _, r := range text {
		if r.Text.OpenTag.End > r.Text.CloseTag.Start || r.Text.CloseTag.Start > int64(len(doc)) {
			return nil, errors.New("text element with invalid offsets")
		}
		content := doc[r.Text.OpenTag.End:r.Text.CloseTag.Start]
		from = 0
		for j, c := range content {
			switch c {
			case '{':
				if cur != nil {
					return nil, fmt.Errorf("nested '{' in %q", content)
				}
				cur = &godocx.Placeholder{}
				from = int64(j)
			case '}':
				if cur == nil {
					return nil, fmt.Errorf("'}' without '{' in %q", content)
				}
				cur.Fragments = append(cur.Fragments, &godocx.PlaceholderFragment{
					Position: godocx.Position{Start: from, End: int64(j) + 1}, Number: len(cur.Fragments), Run: r})
				phs = append(phs, cur)
				cur = nil
			}
		}
		if cur != nil && from < int64(len(content)) {
			cur.Fragments = append(cur.Fragments, &godocx.PlaceholderFragment{
				Position: godocx.Position{Start: from, End: int64(len(content))}, Number: len(cur.Fragments), Run: r})
		}
	}
	if cur != nil {
		return nil, errors.New("'{' without '}'")
	}
	return phs, nil
}

// structure is what an XML pass over a part finds: table rows and tables, and the
// braces in the text of w:t elements.
type structure struct {
	rows, tables  []span
	opens, closes int
	text          string // the text of all w:t elements, for error messages
}

func scanStructure(doc []byte) (structure, error) {
	var (
		st    structure
		text  strings.Builder
		stack []int
		inT   int
	)
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, start)
			if t.Name.Local == "t" {
				inT++
			}
		case xml.EndElement:
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			wml := t.Name.Space == nsW || t.Name.Space == nsWStrict
			switch {
			case t.Name.Local == "t":
				inT--
			case t.Name.Local == "tr" && wml:
				st.rows = append(st.rows, span{s, int(dec.InputOffset())})
			case t.Name.Local == "tbl" && wml:
				st.tables = append(st.tables, span{s, int(dec.InputOffset())})
			}
		case xml.CharData:
			if inT > 0 {
				st.opens += bytes.Count(t, []byte("{"))
				st.closes += bytes.Count(t, []byte("}"))
				if text.Len() < 1<<16 {
					text.Write(t)
				}
			}
		}
	}
	st.text = text.String()
	return st, nil
}

// innermost returns the index of the smallest row containing pos, or -1.
func innermost(rows []span, pos int) int {
	best := -1
	for i, r := range rows {
		if r.start <= pos && pos < r.end && (best < 0 || r.end-r.start < rows[best].end-rows[best].start) {
			best = i
		}
	}
	return best
}

// containsSpan reports whether a table lies inside s (a nested table in a row).
func containsSpan(tables []span, s span) bool {
	for _, t := range tables {
		if s.start < t.start && t.end <= s.end {
			return true
		}
	}
	return false
}

// checkKey accepts keys made of dot-separated segments of letters, digits, '_' and '-',
// and "#" as a whole segment.
func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	for seg := range strings.SplitSeq(key, ".") {
		if seg == "" {
			return errors.New("empty segment in key")
		}
		if seg == "#" {
			continue
		}
		for _, r := range seg {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
				return fmt.Errorf("character %q not allowed in a key (letters, digits, '_', '-', '.')", r)
			}
		}
	}
	return nil
}

// unrecognised names brace groups of the text that go-docx did not report.
var braceGroup = regexp.MustCompile(`\{[^{}]*\}?|\}`)

func unrecognised(text string, phs []*godocx.Placeholder, doc []byte) string {
	found := map[string]int{}
	for _, p := range phs {
		found[p.Text(doc)]++
	}
	var odd []string
	for _, g := range braceGroup.FindAllString(text, 20) {
		if found[g] > 0 {
			found[g]--
			continue
		}
		odd = append(odd, fmt.Sprintf("%q", g))
	}
	if len(odd) == 0 {
		return ""
	}
	return "; check " + strings.Join(odd, ", ")
}
