package pdflayout

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a template source: 1-based line and column
// (counted in characters).
type Pos struct {
	Line, Col int
}

// ParseError reports a problem in a template with its position.
type ParseError struct {
	Name string // template name given to Parse
	Pos
	Msg string
}

// Error formats the error as "name:line:col: message".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// Template is a parsed layout template. It is immutable and safe for
// concurrent use by any number of renders.
type Template struct {
	name   string
	doc    docSettings
	header []node
	footer []node
	body   []node
	paths  []string
	images []string
}

// Name returns the name the template was parsed with.
func (t *Template) Name() string { return t.name }

// Placeholders returns the data paths the template reads, sorted, without
// duplicates. Fields are joined with dots; "[]" marks the elements of a list:
// "buyer.name", "items", "items[].qty". A path is listed once for each way it
// is referenced, so a list appears both as itself ("items", from the loop)
// and through its element fields.
func (t *Template) Placeholders() []string { return slices.Clone(t.paths) }

// Images returns the names of the images the template places (<image
// src="…">), sorted. Their bytes are passed in RenderOptions.Images.
func (t *Template) Images() []string { return slices.Clone(t.images) }

// Limits bound what a template and a render may consume; they protect the
// service from hostile uploaded templates and runaway data. Zero fields take
// the defaults of DefaultLimits.
type Limits struct {
	MaxTemplateBytes int // size of the template source
	MaxDepth         int // element nesting
	MaxElements      int // elements in the template
	MaxLoopItems     int // loop iterations (table rows, list items) per render
	MaxPages         int // pages per document
	MaxTextBytes     int // printed text per document, after placeholders
}

// DefaultLimits are used for zero fields of EngineOptions.Limits.
var DefaultLimits = Limits{
	MaxTemplateBytes: 256 << 10,
	MaxDepth:         32,
	MaxElements:      5000,
	MaxLoopItems:     20000,
	MaxPages:         1000,
	MaxTextBytes:     8 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	for _, p := range []struct {
		dst *int
		def int
	}{
		{&l.MaxTemplateBytes, d.MaxTemplateBytes}, {&l.MaxDepth, d.MaxDepth},
		{&l.MaxElements, d.MaxElements}, {&l.MaxLoopItems, d.MaxLoopItems},
		{&l.MaxPages, d.MaxPages}, {&l.MaxTextBytes, d.MaxTextBytes},
	} {
		if *p.dst <= 0 {
			*p.dst = p.def
		}
	}
	return l
}

// ---- syntax tree ----

type node interface{}

type align uint8

const (
	alignInherit align = iota
	alignLeft
	alignCenter
	alignRight
	alignJustify
)

// textStyle is what a block may set for its text; zero values inherit.
type textStyle struct {
	size       float64 // pt
	lineHeight float64 // multiple of size
	align      align
	bold       int8 // 0 inherit, 1 yes, -1 no
	italic     int8
	color      int32 // 0xRRGGBB, -1 inherit
}

func (s textStyle) over(base textStyle) textStyle {
	if s.size == 0 {
		s.size = base.size
	}
	if s.lineHeight == 0 {
		s.lineHeight = base.lineHeight
	}
	if s.align == alignInherit {
		s.align = base.align
	}
	if s.bold == 0 {
		s.bold = base.bold
	}
	if s.italic == 0 {
		s.italic = base.italic
	}
	if s.color < 0 {
		s.color = base.color
	}
	return s
}

func (s textStyle) font() fontStyle {
	var f fontStyle
	if s.bold > 0 {
		f |= bold
	}
	if s.italic > 0 {
		f |= italic
	}
	return f
}

// textPart is literal text or a placeholder.
type textPart struct {
	lit  string
	expr *pipeline
}

// textRun is a stretch of text in one inline style (bits of fontStyle that
// are added to the block's style), or a forced line break.
type textRun struct {
	style fontStyle
	br    bool
	parts []textPart
}

type richText struct {
	runs []textRun
}

func (rt richText) empty() bool { return len(rt.runs) == 0 }

type docSettings struct {
	family                   *family
	pageW, pageH             float64
	mTop, mRight, mBot, mLft float64
	base                     textStyle
	title, subject, author   richText
	headerGap, footerGap     float64
}

type paraKind uint8

const (
	kindP paraKind = iota
	kindH1
	kindH2
	kindH3
)

type paraNode struct {
	kind        paraKind
	style       textStyle
	spaceBefore float64
	spaceAfter  float64
	indent      float64
	keepNext    bool
	text        richText
	pos         Pos
}

type length struct {
	v    float64
	unit byte // 'm' mm, '%' percent, '*' share of the rest
}

type kvNode struct {
	style     textStyle
	keyWidth  length
	keyStyle  textStyle
	gap       float64
	rowGap    float64
	skipEmpty bool
	spaceAft  float64
	items     []node // *kvItem, *ifNode, *eachNode
}

type kvItem struct {
	key, value richText
	bold       int8
	pos        Pos
}

type columnsNode struct {
	gap      float64
	spaceAft float64
	cols     []*columnNode
}

type columnNode struct {
	width length
	body  []node
}

type borderMode uint8

const (
	borderGrid borderMode = iota
	borderRows
	borderNone
)

type tableNode struct {
	style        textStyle
	cols         []colDef
	rows         []node // *rowNode, *ifNode, *eachNode
	border       borderMode
	headerFill   int32
	headerStyle  textStyle
	repeatHeader bool
	hasHeader    bool
	padH, padV   float64
	spaceAft     float64
	pos          Pos
}

type colDef struct {
	width       length
	align       align
	header      richText
	headerAlign align
}

type rowNode struct {
	loop  *loopSpec // nil for a static row
	style textStyle
	fill  int32
	cells []*cellNode
	pos   Pos
}

type cellNode struct {
	text  richText
	style textStyle
	span  int
}

type totalsNode struct {
	style      textStyle
	width      length
	valueWidth length
	spaceAft   float64
	lines      []node // *totalLine, *ifNode, *eachNode
}

type totalLine struct {
	label, value richText
	bold         int8
}

type signaturesNode struct {
	style    textStyle
	gap      float64
	spaceBef float64
	parties  []node // *partyNode, *ifNode, *eachNode
}

type partyNode struct {
	title, position, name, note richText
	stamp                       bool
}

type spacerNode struct{ h float64 }

type hrNode struct {
	thickness   float64
	color       int32
	spaceBefore float64
	spaceAfter  float64
}

type imageNode struct {
	src   string
	w, h  float64
	align align
	space float64
	pos   Pos
}

type pageBreakNode struct{}

type ifNode struct {
	test *pipeline
	then []node
	els  []node
}

type loopSpec struct {
	list  operand
	as    string
	pos   Pos
	depth int
}

type eachNode struct {
	loop loopSpec
	body []node
}

// ---- XML reading ----

type xnode struct {
	name     string // "" for text
	attrs    []xml.Attr
	children []*xnode
	text     string
	pos      Pos
	off      int
}

type parser struct {
	name   string
	src    []byte
	limits Limits
	funcs  Funcs
	sc     scope
	paths  pathSet
	images map[string]bool
	nelem  int
}

func (p *parser) posAt(off int) Pos {
	if off > len(p.src) {
		off = len(p.src)
	}
	line := 1 + bytes.Count(p.src[:off], []byte{'\n'})
	ls := bytes.LastIndexByte(p.src[:off], '\n') + 1
	return Pos{Line: line, Col: 1 + utf8.RuneCount(p.src[ls:off])}
}

func (p *parser) errAt(pos Pos, format string, args ...any) error {
	return &ParseError{Name: p.name, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// readXML builds a small DOM, enforcing size and nesting limits.
func (p *parser) readXML() (*xnode, error) {
	if len(p.src) > p.limits.MaxTemplateBytes {
		return nil, p.errAt(Pos{1, 1}, "template is %d bytes, the limit is %d", len(p.src), p.limits.MaxTemplateBytes)
	}
	if !utf8.Valid(p.src) {
		off := 0
		for off < len(p.src) {
			r, n := utf8.DecodeRune(p.src[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return nil, p.errAt(p.posAt(off), "template is not valid UTF-8")
	}
	d := xml.NewDecoder(bytes.NewReader(p.src))
	d.Strict = true
	d.Entity = map[string]string{"nbsp": "\u00a0"}
	d.CharsetReader = func(cs string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("only UTF-8 templates are accepted, not %q", cs)
	}
	var root *xnode
	var stack []*xnode
	for {
		off := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, p.errAt(p.posAt(int(d.InputOffset())), "XML syntax: %s", se.Msg)
			}
			return nil, p.errAt(p.posAt(int(d.InputOffset())), "XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if p.nelem++; p.nelem > p.limits.MaxElements {
				return nil, p.errAt(p.posAt(off), "more than %d elements", p.limits.MaxElements)
			}
			if len(stack) >= p.limits.MaxDepth {
				return nil, p.errAt(p.posAt(off), "elements nested deeper than %d", p.limits.MaxDepth)
			}
			if t.Name.Space != "" {
				return nil, p.errAt(p.posAt(off), "namespaced element <%s:%s> is not part of the format", t.Name.Space, t.Name.Local)
			}
			n := &xnode{name: t.Name.Local, attrs: slices.Clone(t.Attr), pos: p.posAt(off), off: off}
			if len(stack) == 0 {
				if root != nil {
					return nil, p.errAt(n.pos, "more than one root element")
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, p.errAt(p.posAt(off), "text outside the root element")
				}
				continue
			}
			parent := stack[len(stack)-1]
			parent.children = append(parent.children, &xnode{text: string(t), pos: p.posAt(off), off: off})
		case xml.Directive:
			return nil, p.errAt(p.posAt(off), "<!DOCTYPE> and other directives are not allowed")
		case xml.ProcInst, xml.Comment:
			// <?xml ...?> and comments are fine.
		}
	}
	if root == nil {
		return nil, p.errAt(Pos{1, 1}, "empty template: a <document> element is required")
	}
	return root, nil
}

// ---- attribute helpers ----

type attrs struct {
	p    *parser
	el   *xnode
	used map[string]bool
}

func (p *parser) attrsOf(el *xnode) *attrs {
	return &attrs{p: p, el: el, used: map[string]bool{}}
}

func (a *attrs) get(name string) (string, bool) {
	for _, at := range a.el.attrs {
		if at.Name.Local == name && at.Name.Space == "" {
			a.used[name] = true
			return at.Value, true
		}
	}
	return "", false
}

func (a *attrs) errf(format string, args ...any) error {
	return a.p.errAt(a.el.pos, "<%s>: %s", a.el.name, fmt.Sprintf(format, args...))
}

// done reports the first attribute nobody asked for: a typo or an attribute
// that does not belong to this element.
func (a *attrs) done() error {
	for _, at := range a.el.attrs {
		if !a.used[at.Name.Local] || at.Name.Space != "" {
			return a.errf("unknown attribute %q", at.Name.Local)
		}
	}
	return nil
}

func (a *attrs) number(name string, def, lo, hi float64) (float64, error) {
	s, ok := a.get(name)
	if !ok {
		return def, nil
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), "mm")
	s = strings.TrimSuffix(s, "pt")
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < lo || f > hi {
		return 0, a.errf("%s=%q: want a number from %g to %g", name, s, lo, hi)
	}
	return f, nil
}

func (a *attrs) boolean(name string, def bool) (bool, error) {
	s, ok := a.get(name)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, a.errf("%s=%q: want true or false", name, s)
}

func (a *attrs) tri(name string) (int8, error) {
	if _, ok := a.get(name); !ok {
		return 0, nil
	}
	b, err := a.boolean(name, false)
	if b {
		return 1, err
	}
	return -1, err
}

func (a *attrs) align(name string) (align, error) {
	s, ok := a.get(name)
	if !ok {
		return alignInherit, nil
	}
	switch strings.TrimSpace(s) {
	case "left":
		return alignLeft, nil
	case "center":
		return alignCenter, nil
	case "right":
		return alignRight, nil
	case "justify":
		return alignJustify, nil
	}
	return 0, a.errf("%s=%q: want left, center, right or justify", name, s)
}

func (a *attrs) color(name string, def int32) (int32, error) {
	s, ok := a.get(name)
	if !ok {
		return def, nil
	}
	s = strings.TrimSpace(s)
	if len(s) == 4 && s[0] == '#' {
		s = "#" + string([]byte{s[1], s[1], s[2], s[2], s[3], s[3]})
	}
	if len(s) != 7 || s[0] != '#' {
		return 0, a.errf("%s=%q: want a colour like #1F3864", name, s)
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, a.errf("%s=%q: want a colour like #1F3864", name, s)
	}
	return int32(v), nil
}

func (a *attrs) length(name string, def length) (length, error) {
	s, ok := a.get(name)
	if !ok {
		return def, nil
	}
	l, err := parseLength(s)
	if err != nil {
		return length{}, a.errf("%s=%q: %v", name, s, err)
	}
	return l, nil
}

func parseLength(s string) (length, error) {
	s = strings.TrimSpace(s)
	unit := byte('m')
	scale := 1.0
	switch {
	case strings.HasSuffix(s, "%"):
		unit, s = '%', strings.TrimSuffix(s, "%")
	case strings.HasSuffix(s, "*"):
		unit, s = '*', strings.TrimSuffix(s, "*")
		if s == "" {
			s = "1"
		}
	case strings.HasSuffix(s, "mm"):
		s = strings.TrimSuffix(s, "mm")
	case strings.HasSuffix(s, "cm"):
		s, scale = strings.TrimSuffix(s, "cm"), 10
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f <= 0 || f*scale > 2000 || unit == '%' && f > 100 {
		return length{}, errors.New(`want a width such as 25mm, 2.5cm, 30% or *`)
	}
	return length{v: f * scale, unit: unit}, nil
}

// textStyle reads the common text attributes.
func (a *attrs) textStyle() (textStyle, error) {
	var s textStyle
	var err error
	if s.size, err = a.number("size", 0, 4, 72); err != nil {
		return s, err
	}
	if s.lineHeight, err = a.number("line-height", 0, 0.8, 4); err != nil {
		return s, err
	}
	if s.align, err = a.align("align"); err != nil {
		return s, err
	}
	if s.bold, err = a.tri("bold"); err != nil {
		return s, err
	}
	if s.italic, err = a.tri("italic"); err != nil {
		return s, err
	}
	s.color, err = a.color("color", -1)
	return s, err
}

// ---- text with placeholders ----

// parseInline turns the mixed content of el (text, <b>, <i>, <br/>) into
// runs. Literal whitespace collapses to single spaces, as in HTML.
func (p *parser) parseInline(el *xnode, inherited fontStyle, rt *richText) error {
	for _, c := range el.children {
		if c.name == "" {
			parts, err := p.parseText(c.text, c.off)
			if err != nil {
				return err
			}
			if len(parts) > 0 {
				rt.runs = append(rt.runs, textRun{style: inherited, parts: parts})
			}
			continue
		}
		a := p.attrsOf(c)
		switch c.name {
		case "b", "i":
			if err := a.done(); err != nil {
				return err
			}
			st := inherited | bold
			if c.name == "i" {
				st = inherited | italic
			}
			if err := p.parseInline(c, st, rt); err != nil {
				return err
			}
		case "br":
			if err := a.done(); err != nil {
				return err
			}
			if len(c.children) > 0 {
				return p.errAt(c.pos, "<br> must be empty")
			}
			rt.runs = append(rt.runs, textRun{br: true})
		default:
			return p.errAt(c.pos, "<%s> is not allowed inside <%s>; text may contain <b>, <i> and <br/>", c.name, el.name)
		}
	}
	return nil
}

// parseText splits text into literal parts and {{placeholders}}; off is the
// byte offset of the text in the source, for error positions.
func (p *parser) parseText(s string, off int) ([]textPart, error) {
	var parts []textPart
	addLit := func(lit string) {
		lit = collapseSpace(lit)
		if lit == "" {
			return
		}
		if n := len(parts); n > 0 && parts[n-1].expr == nil {
			parts[n-1].lit += lit
			return
		}
		parts = append(parts, textPart{lit: lit})
	}
	orig, done := s, 0
	for {
		i := strings.Index(s, "{{")
		if j := strings.Index(s, "}}"); j >= 0 && (i < 0 || j < i) {
			return nil, p.errAt(p.exprPos(off, orig[:done+j]), "\"}}\" without a matching \"{{\"")
		}
		if i < 0 {
			addLit(s)
			return parts, nil
		}
		addLit(s[:i])
		rest := s[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, p.errAt(p.exprPos(off, orig[:done+i]), "\"{{\" without a closing \"}}\"")
		}
		inner := rest[:j]
		src := strings.TrimSpace(inner)
		lead := len(inner) - len(strings.TrimLeft(inner, " \t\r\n"))
		at := p.exprPos(off, orig[:done+i+2+lead])
		if src == "" {
			return nil, p.errAt(at, "empty placeholder {{}}")
		}
		pl, err := parsePipeline(src, at, &p.sc)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				pe.Name = p.name
			}
			return nil, err
		}
		parts = append(parts, textPart{expr: pl})
		done += i + 2 + j + 2
		s = rest[j+2:]
	}
}

// exprPos finds the source position just after prefix, a prefix of a text
// that starts at byte offset off. The text was entity-decoded by the XML
// reader, so the end is located by searching for prefix's last bytes.
func (p *parser) exprPos(off int, prefix string) Pos {
	end := off + len(prefix)
	tail := prefix
	if len(tail) > 16 {
		tail = tail[len(tail)-16:]
	}
	if tail != "" && off <= len(p.src) {
		if k := bytes.Index(p.src[off:], []byte(tail)); k >= 0 {
			end = off + k + len(tail)
		}
	}
	return p.posAt(end)
}

func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") && !strings.Contains(s, "  ") {
		return s
	}
	var sb strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			if !space {
				sb.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		sb.WriteRune(r)
	}
	return sb.String()
}

// attrText parses an attribute value as text with placeholders.
func (a *attrs) text(name string) (richText, error) {
	s, ok := a.get(name)
	if !ok {
		return richText{}, nil
	}
	off := a.el.off
	if k := bytes.Index(a.p.src[a.el.off:], []byte(name+"=")); k >= 0 {
		off += k + len(name) + 2
	}
	parts, err := a.p.parseText(s, off)
	if err != nil {
		return richText{}, err
	}
	if len(parts) == 0 {
		return richText{}, nil
	}
	return richText{runs: []textRun{{parts: parts}}}, nil
}

// ---- elements ----

// Parse parses a layout template. name is used in error messages. All
// problems are reported as *ParseError with the line and column.
func parseTemplate(name string, src []byte, funcs Funcs, limits Limits) (*Template, error) {
	p := &parser{name: name, src: src, limits: limits, funcs: funcs, paths: pathSet{}, images: map[string]bool{}}
	p.sc = scope{funcs: funcs, collector: &p.paths}
	root, err := p.readXML()
	if err != nil {
		return nil, err
	}
	if root.name != "document" {
		return nil, p.errAt(root.pos, "the root element must be <document>, not <%s>", root.name)
	}
	t := &Template{name: name}
	if err := p.parseDocument(root, t); err != nil {
		return nil, err
	}
	for path := range p.paths {
		t.paths = append(t.paths, path)
	}
	sort.Strings(t.paths)
	for img := range p.images {
		t.images = append(t.images, img)
	}
	sort.Strings(t.images)
	return t, nil
}

var pageSizes = map[string][2]float64{
	"A4": {210, 297}, "A5": {148, 210}, "A3": {297, 420}, "Letter": {215.9, 279.4},
}

func (p *parser) parseDocument(el *xnode, t *Template) error {
	a := p.attrsOf(el)
	d := &t.doc
	size, _ := a.get("page")
	if size == "" {
		size = "A4"
	}
	wh, ok := pageSizes[size]
	if !ok {
		return a.errf("page=%q: want A4, A5, A3 or Letter", size)
	}
	d.pageW, d.pageH = wh[0], wh[1]
	fontName, _ := a.get("font")
	if fontName == "" {
		fontName = "sans"
	}
	if d.family = families[fontName]; d.family == nil {
		return a.errf("font=%q: want sans (DejaVu Sans Condensed) or serif (DejaVu Serif Condensed)", fontName)
	}
	if o, _ := a.get("orientation"); o == "landscape" {
		d.pageW, d.pageH = d.pageH, d.pageW
	} else if o != "" && o != "portrait" {
		return a.errf("orientation=%q: want portrait or landscape", o)
	}
	d.mTop, d.mRight, d.mBot, d.mLft = 20, 15, 20, 25 // ГОСТ Р 7.0.97: left 20+, right 10+
	if m, ok := a.get("margin"); ok {
		var v []float64
		for _, f := range strings.Fields(m) {
			x, err := strconv.ParseFloat(strings.TrimSuffix(f, "mm"), 64)
			if err != nil || x < 0 || x > 100 {
				return a.errf("margin=%q: want 1 to 4 numbers in mm (top right bottom left)", m)
			}
			v = append(v, x)
		}
		switch len(v) {
		case 1:
			d.mTop, d.mRight, d.mBot, d.mLft = v[0], v[0], v[0], v[0]
		case 2:
			d.mTop, d.mRight, d.mBot, d.mLft = v[0], v[1], v[0], v[1]
		case 4:
			d.mTop, d.mRight, d.mBot, d.mLft = v[0], v[1], v[2], v[3]
		default:
			return a.errf("margin=%q: want 1, 2 or 4 numbers (top right bottom left)", m)
		}
	}
	var err error
	for _, m := range []struct {
		name string
		dst  *float64
	}{{"margin-top", &d.mTop}, {"margin-right", &d.mRight}, {"margin-bottom", &d.mBot}, {"margin-left", &d.mLft}} {
		if *m.dst, err = a.number(m.name, *m.dst, 0, 100); err != nil {
			return err
		}
	}
	if d.mLft+d.mRight > d.pageW-40 || d.mTop+d.mBot > d.pageH-60 {
		return a.errf("margins leave too little room on the page")
	}
	if d.base.size, err = a.number("font-size", 10, 5, 36); err != nil {
		return err
	}
	if d.base.lineHeight, err = a.number("line-height", 1.2, 0.8, 4); err != nil {
		return err
	}
	d.base.align = alignLeft
	d.base.bold, d.base.italic = -1, -1
	if d.base.color, err = a.color("color", 0); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  *richText
	}{{"title", &d.title}, {"subject", &d.subject}, {"author", &d.author}} {
		if *f.dst, err = a.text(f.name); err != nil {
			return err
		}
	}
	if err := a.done(); err != nil {
		return err
	}
	for _, c := range el.children {
		switch c.name {
		case "header", "footer":
			ca := p.attrsOf(c)
			gap, err := ca.number("gap", 4, 0, 50)
			if err != nil {
				return err
			}
			if err := ca.done(); err != nil {
				return err
			}
			p.sc.pageVars = true
			body, err := p.parseBlocks(c)
			p.sc.pageVars = false
			if err != nil {
				return err
			}
			if body == nil {
				body = []node{} // present but empty: still "seen"
			}
			if c.name == "header" {
				if t.header != nil {
					return p.errAt(c.pos, "more than one <header>")
				}
				t.header, d.headerGap = body, gap
			} else {
				if t.footer != nil {
					return p.errAt(c.pos, "more than one <footer>")
				}
				t.footer, d.footerGap = body, gap
			}
		}
	}
	body, err := p.parseBlocksExcept(el, "header", "footer")
	if err != nil {
		return err
	}
	t.body = body
	return nil
}

func (p *parser) parseBlocks(el *xnode) ([]node, error) { return p.parseBlocksExcept(el) }

// parseBlocksExcept parses block-level children, skipping the named ones
// (header/footer are handled by the caller).
func (p *parser) parseBlocksExcept(el *xnode, skip ...string) ([]node, error) {
	var out []node
	for _, c := range el.children {
		if c.name == "" {
			if strings.TrimSpace(c.text) != "" {
				return nil, p.errAt(c.pos, "text directly inside <%s>; wrap it in <p>", el.name)
			}
			continue
		}
		if slices.Contains(skip, c.name) {
			continue
		}
		n, err := p.parseBlock(c)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// children parses the children of a container whose items are parsed by
// item (kv items, table rows, totals lines, signature parties), allowing
// <if> and <each> around them.
func (p *parser) children(el *xnode, item func(*xnode) (node, error)) ([]node, error) {
	var out []node
	for _, c := range el.children {
		if c.name == "" {
			if strings.TrimSpace(c.text) != "" {
				return nil, p.errAt(c.pos, "text directly inside <%s> is not allowed", el.name)
			}
			continue
		}
		var n node
		var err error
		switch c.name {
		case "if":
			n, err = p.parseIf(c, func(x *xnode) ([]node, error) { return p.children(x, item) })
		case "each":
			n, err = p.parseEach(c, func(x *xnode) ([]node, error) { return p.children(x, item) })
		default:
			n, err = item(c)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func (p *parser) parseIf(el *xnode, body func(*xnode) ([]node, error)) (node, error) {
	a := p.attrsOf(el)
	test, ok := a.get("test")
	if !ok || strings.TrimSpace(test) == "" {
		return nil, a.errf("the test attribute is required")
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	at := el.pos
	if k := bytes.Index(p.src[el.off:], []byte("test=")); k >= 0 {
		at = p.posAt(el.off + k + 6)
	}
	pl, err := parsePipeline(strings.TrimSpace(test), at, &p.sc)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Name = p.name
		}
		return nil, err
	}
	n := &ifNode{test: pl}
	// Children up to an <else> are the then-branch; <else> must come last.
	thenEl := &xnode{name: el.name, pos: el.pos, off: el.off}
	var elseEl *xnode
	for i, c := range el.children {
		if c.name == "else" {
			if elseEl != nil {
				return nil, p.errAt(c.pos, "more than one <else> in <if>")
			}
			for _, rest := range el.children[i+1:] {
				if rest.name != "" || strings.TrimSpace(rest.text) != "" {
					return nil, p.errAt(rest.pos, "<else> must be the last child of <if>")
				}
			}
			if err := p.attrsOf(c).done(); err != nil {
				return nil, err
			}
			elseEl = c
			continue
		}
		thenEl.children = append(thenEl.children, c)
	}
	if n.then, err = body(thenEl); err != nil {
		return nil, err
	}
	if elseEl != nil {
		elseEl.name = el.name
		if n.els, err = body(elseEl); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// parseLoopAttrs reads the list path (attribute attr) and as="name" and
// pushes the loop scope; the caller pops it.
func (p *parser) parseLoopAttrs(a *attrs, attr string) (*loopSpec, error) {
	list, ok := a.get(attr)
	if !ok || strings.TrimSpace(list) == "" {
		return nil, a.errf("the %s attribute is required (a data path such as .items)", attr)
	}
	list = strings.TrimSpace(list)
	if !strings.HasPrefix(list, ".") && !strings.HasPrefix(list, "$") && !strings.ContainsAny(list, " \t\n(|") {
		list = "." + list // each="items" is accepted as .items
	}
	as, _ := a.get("as")
	as = strings.TrimPrefix(strings.TrimSpace(as), "$")
	if as != "" {
		for _, r := range as {
			if !isIdentRune(r) {
				return nil, a.errf("as=%q: want a name of letters, digits and _", as)
			}
		}
		if as == "n" || as == "i" || as == "page" || as == "pages" {
			return nil, a.errf("as=%q: the name is reserved", as)
		}
	}
	at := a.el.pos
	if k := bytes.Index(p.src[a.el.off:], []byte(attr+"=")); k >= 0 {
		at = p.posAt(a.el.off + k + len(attr) + 2)
	}
	pl, err := parsePipeline(list, at, &p.sc)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Name = p.name
		}
		return nil, err
	}
	if len(pl.cmds) != 1 || pl.cmds[0].name != "" || (pl.cmds[0].args[0].kind != opdField && pl.cmds[0].args[0].kind != opdVar) {
		return nil, a.errf("%s=%q: want a data path such as .items or $.items, not an expression", attr, list)
	}
	o := pl.cmds[0].args[0]
	if o.kind == opdVar && (o.vkind == varN || o.vkind == varI || o.vkind == varPage || o.vkind == varPages) {
		return nil, a.errf("%s=%q: a number is not a list", attr, list)
	}
	var path string
	switch {
	case o.kind == opdField:
		path = joinPath(p.sc.dotPath(), o.path)
	case o.vkind == varRoot:
		path = joinPath("", o.path)
	default:
		path = joinPath(p.sc.loops[o.depth].path+"[]", o.path)
	}
	spec := &loopSpec{list: o, as: as, pos: a.el.pos, depth: len(p.sc.loops)}
	p.sc.loops = append(p.sc.loops, loopScope{name: as, path: path})
	return spec, nil
}

func (p *parser) parseEach(el *xnode, body func(*xnode) ([]node, error)) (node, error) {
	a := p.attrsOf(el)
	spec, err := p.parseLoopAttrs(a, "list")
	if err != nil {
		return nil, err
	}
	defer func() { p.sc.loops = p.sc.loops[:len(p.sc.loops)-1] }()
	if err := a.done(); err != nil {
		return nil, err
	}
	b, err := body(el)
	if err != nil {
		return nil, err
	}
	return &eachNode{loop: *spec, body: b}, nil
}

func (p *parser) parseBlock(el *xnode) (node, error) {
	a := p.attrsOf(el)
	switch el.name {
	case "p", "h1", "h2", "h3":
		return p.parsePara(el, a)
	case "kv":
		return p.parseKV(el, a)
	case "columns":
		return p.parseColumns(el, a)
	case "table":
		return p.parseTable(el, a)
	case "totals":
		return p.parseTotals(el, a)
	case "signatures":
		return p.parseSignatures(el, a)
	case "spacer":
		h, err := a.number("height", 5, 0, 280)
		if err != nil {
			return nil, err
		}
		return &spacerNode{h: h}, p.empty(el, a)
	case "hr":
		var n hrNode
		var err error
		if n.thickness, err = a.number("thickness", 0.3, 0.05, 5); err != nil {
			return nil, err
		}
		if n.color, err = a.color("color", 0); err != nil {
			return nil, err
		}
		if n.spaceBefore, err = a.number("space-before", 1, 0, 100); err != nil {
			return nil, err
		}
		if n.spaceAfter, err = a.number("space-after", 2, 0, 100); err != nil {
			return nil, err
		}
		return &n, p.empty(el, a)
	case "image":
		n := &imageNode{pos: el.pos}
		var err error
		src, ok := a.get("src")
		if !ok || strings.TrimSpace(src) == "" {
			return nil, a.errf("the src attribute is required (the name of an image passed to Render)")
		}
		n.src = strings.TrimSpace(src)
		p.images[n.src] = true
		if n.w, err = a.number("width", 0, 0, 400); err != nil {
			return nil, err
		}
		if n.h, err = a.number("height", 0, 0, 400); err != nil {
			return nil, err
		}
		if n.w == 0 && n.h == 0 {
			return nil, a.errf("give width or height (mm)")
		}
		if n.align, err = a.align("align"); err != nil {
			return nil, err
		}
		if n.space, err = a.number("space-after", 2, 0, 100); err != nil {
			return nil, err
		}
		return n, p.empty(el, a)
	case "pagebreak":
		return &pageBreakNode{}, p.empty(el, a)
	case "if":
		return p.parseIf(el, p.parseBlocks)
	case "each":
		return p.parseEach(el, p.parseBlocks)
	case "header", "footer":
		return nil, p.errAt(el.pos, "<%s> must be a direct child of <document>", el.name)
	case "else":
		return nil, p.errAt(el.pos, "<else> outside <if>")
	}
	return nil, p.errAt(el.pos, "unknown element <%s>; blocks are p, h1, h2, h3, kv, columns, table, totals, signatures, spacer, hr, image, pagebreak, if, each", el.name)
}

func (p *parser) empty(el *xnode, a *attrs) error {
	if err := a.done(); err != nil {
		return err
	}
	for _, c := range el.children {
		if c.name != "" || strings.TrimSpace(c.text) != "" {
			return p.errAt(el.pos, "<%s> must be empty", el.name)
		}
	}
	return nil
}

func (p *parser) parsePara(el *xnode, a *attrs) (node, error) {
	n := &paraNode{pos: el.pos}
	var err error
	if n.style, err = a.textStyle(); err != nil {
		return nil, err
	}
	defBefore, defAfter, keep := 0.0, 2.0, false
	switch el.name {
	case "h1":
		n.kind = kindH1
		defBefore, defAfter, keep = 2, 4, true
	case "h2":
		n.kind = kindH2
		defBefore, defAfter, keep = 4, 2, true
	case "h3":
		n.kind = kindH3
		defBefore, defAfter, keep = 3, 1.5, true
	}
	if n.spaceBefore, err = a.number("space-before", defBefore, 0, 100); err != nil {
		return nil, err
	}
	if n.spaceAfter, err = a.number("space-after", defAfter, 0, 100); err != nil {
		return nil, err
	}
	if n.indent, err = a.number("indent", 0, 0, 100); err != nil {
		return nil, err
	}
	if n.keepNext, err = a.boolean("keep-with-next", keep); err != nil {
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	return n, p.parseInline(el, 0, &n.text)
}

func (p *parser) parseKV(el *xnode, a *attrs) (node, error) {
	n := &kvNode{}
	var err error
	if n.style, err = a.textStyle(); err != nil {
		return nil, err
	}
	if n.keyWidth, err = a.length("key-width", length{v: 35, unit: '%'}); err != nil {
		return nil, err
	}
	if n.keyWidth.unit == '*' {
		return nil, a.errf("key-width must be in mm or %%")
	}
	if n.gap, err = a.number("gap", 2, 0, 50); err != nil {
		return nil, err
	}
	if n.rowGap, err = a.number("row-gap", 0.5, 0, 20); err != nil {
		return nil, err
	}
	if n.skipEmpty, err = a.boolean("skip-empty", true); err != nil {
		return nil, err
	}
	if n.spaceAft, err = a.number("space-after", 2, 0, 100); err != nil {
		return nil, err
	}
	keyBold, err := a.tri("key-bold")
	if err != nil {
		return nil, err
	}
	n.keyStyle = textStyle{bold: keyBold, color: -1}
	if n.keyStyle.color, err = a.color("key-color", -1); err != nil {
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	n.items, err = p.children(el, func(c *xnode) (node, error) {
		if c.name != "item" {
			return nil, p.errAt(c.pos, "<kv> contains <item key=\"…\">value</item>, not <%s>", c.name)
		}
		ca := p.attrsOf(c)
		it := &kvItem{pos: c.pos}
		var err error
		if it.key, err = ca.text("key"); err != nil {
			return nil, err
		}
		if it.bold, err = ca.tri("bold"); err != nil {
			return nil, err
		}
		if err := ca.done(); err != nil {
			return nil, err
		}
		return it, p.parseInline(c, 0, &it.value)
	})
	return n, err
}

func (p *parser) parseColumns(el *xnode, a *attrs) (node, error) {
	n := &columnsNode{}
	var err error
	if n.gap, err = a.number("gap", 8, 0, 100); err != nil {
		return nil, err
	}
	if n.spaceAft, err = a.number("space-after", 2, 0, 100); err != nil {
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	for _, c := range el.children {
		if c.name == "" {
			if strings.TrimSpace(c.text) != "" {
				return nil, p.errAt(c.pos, "text directly inside <columns>; put it in <column><p>…</p></column>")
			}
			continue
		}
		if c.name != "column" {
			return nil, p.errAt(c.pos, "<columns> contains <column> elements, not <%s>", c.name)
		}
		ca := p.attrsOf(c)
		col := &columnNode{}
		if col.width, err = ca.length("width", length{v: 1, unit: '*'}); err != nil {
			return nil, err
		}
		if err := ca.done(); err != nil {
			return nil, err
		}
		if col.body, err = p.parseBlocks(c); err != nil {
			return nil, err
		}
		n.cols = append(n.cols, col)
	}
	if len(n.cols) < 1 || len(n.cols) > 6 {
		return nil, p.errAt(el.pos, "<columns> needs 1 to 6 <column> elements, has %d", len(n.cols))
	}
	return n, nil
}

func (p *parser) parseTable(el *xnode, a *attrs) (node, error) {
	n := &tableNode{pos: el.pos}
	var err error
	if n.style, err = a.textStyle(); err != nil {
		return nil, err
	}
	switch b, _ := a.get("border"); b {
	case "", "grid":
		n.border = borderGrid
	case "rows":
		n.border = borderRows
	case "none":
		n.border = borderNone
	default:
		return nil, a.errf("border=%q: want grid, rows or none", b)
	}
	if n.headerFill, err = a.color("header-fill", 0xE8E8E8); err != nil {
		return nil, err
	}
	hb, err := a.tri("header-bold")
	if err != nil {
		return nil, err
	}
	if hb == 0 {
		hb = 1
	}
	n.headerStyle = textStyle{bold: hb, color: -1}
	if n.headerStyle.size, err = a.number("header-size", 0, 4, 72); err != nil {
		return nil, err
	}
	if n.repeatHeader, err = a.boolean("repeat-header", true); err != nil {
		return nil, err
	}
	if n.padH, err = a.number("padding-x", 1.2, 0, 20); err != nil {
		return nil, err
	}
	if n.padV, err = a.number("padding-y", 0.8, 0, 20); err != nil {
		return nil, err
	}
	if n.spaceAft, err = a.number("space-after", 2, 0, 100); err != nil {
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	var rowEls []*xnode
	for _, c := range el.children {
		switch c.name {
		case "":
			if strings.TrimSpace(c.text) != "" {
				return nil, p.errAt(c.pos, "text directly inside <table>")
			}
		case "col":
			if len(rowEls) > 0 {
				return nil, p.errAt(c.pos, "<col> elements must come before the rows")
			}
			ca := p.attrsOf(c)
			var cd colDef
			if cd.width, err = ca.length("width", length{v: 1, unit: '*'}); err != nil {
				return nil, err
			}
			if cd.align, err = ca.align("align"); err != nil {
				return nil, err
			}
			if cd.header, err = ca.text("header"); err != nil {
				return nil, err
			}
			if cd.headerAlign, err = ca.align("header-align"); err != nil {
				return nil, err
			}
			if cd.headerAlign == alignInherit {
				cd.headerAlign = alignCenter
			}
			if !cd.header.empty() {
				n.hasHeader = true
			}
			if err := p.empty(c, ca); err != nil {
				return nil, err
			}
			n.cols = append(n.cols, cd)
		default:
			rowEls = append(rowEls, c)
		}
	}
	if len(n.cols) == 0 || len(n.cols) > 30 {
		return nil, p.errAt(el.pos, "<table> needs 1 to 30 <col> definitions, has %d", len(n.cols))
	}
	rows := &xnode{name: "table", children: rowEls, pos: el.pos, off: el.off}
	n.rows, err = p.children(rows, func(c *xnode) (node, error) { return p.parseRow(c, len(n.cols)) })
	return n, err
}

func (p *parser) parseRow(el *xnode, ncols int) (node, error) {
	if el.name != "row" {
		return nil, p.errAt(el.pos, "<table> contains <col>, <row>, <if> and <each>, not <%s>", el.name)
	}
	a := p.attrsOf(el)
	r := &rowNode{pos: el.pos}
	var err error
	if _, ok := a.get("each"); ok {
		if r.loop, err = p.parseLoopAttrs(a, "each"); err != nil {
			return nil, err
		}
		defer func() { p.sc.loops = p.sc.loops[:len(p.sc.loops)-1] }()
	} else if _, ok := a.get("as"); ok {
		return nil, a.errf("as= needs each=")
	}
	if r.style, err = a.textStyle(); err != nil {
		return nil, err
	}
	if r.fill, err = a.color("fill", -1); err != nil {
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	span := 0
	for _, c := range el.children {
		if c.name == "" {
			if strings.TrimSpace(c.text) != "" {
				return nil, p.errAt(c.pos, "text directly inside <row>; put it in <cell>")
			}
			continue
		}
		if c.name != "cell" {
			return nil, p.errAt(c.pos, "<row> contains <cell> elements, not <%s>", c.name)
		}
		ca := p.attrsOf(c)
		cell := &cellNode{}
		if cell.style, err = ca.textStyle(); err != nil {
			return nil, err
		}
		sp, err := ca.number("span", 1, 1, 30)
		if err != nil {
			return nil, err
		}
		cell.span = int(sp)
		if float64(cell.span) != sp {
			return nil, ca.errf("span must be a whole number")
		}
		if err := ca.done(); err != nil {
			return nil, err
		}
		if err := p.parseInline(c, 0, &cell.text); err != nil {
			return nil, err
		}
		span += cell.span
		r.cells = append(r.cells, cell)
	}
	if span != ncols {
		return nil, p.errAt(el.pos, "<row> covers %d column(s) but the table has %d <col>", span, ncols)
	}
	return r, nil
}

func (p *parser) parseTotals(el *xnode, a *attrs) (node, error) {
	n := &totalsNode{}
	var err error
	if n.style, err = a.textStyle(); err != nil {
		return nil, err
	}
	if n.width, err = a.length("width", length{v: 60, unit: '%'}); err != nil {
		return nil, err
	}
	if n.valueWidth, err = a.length("value-width", length{v: 40, unit: '%'}); err != nil {
		return nil, err
	}
	if n.width.unit == '*' || n.valueWidth.unit == '*' {
		return nil, a.errf("width and value-width are in mm or %%")
	}
	if n.spaceAft, err = a.number("space-after", 3, 0, 100); err != nil {
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	n.lines, err = p.children(el, func(c *xnode) (node, error) {
		if c.name != "line" {
			return nil, p.errAt(c.pos, "<totals> contains <line label=\"…\">value</line>, not <%s>", c.name)
		}
		ca := p.attrsOf(c)
		l := &totalLine{}
		var err error
		if l.label, err = ca.text("label"); err != nil {
			return nil, err
		}
		if l.bold, err = ca.tri("bold"); err != nil {
			return nil, err
		}
		if err := ca.done(); err != nil {
			return nil, err
		}
		return l, p.parseInline(c, 0, &l.value)
	})
	return n, err
}

func (p *parser) parseSignatures(el *xnode, a *attrs) (node, error) {
	n := &signaturesNode{}
	var err error
	if n.style, err = a.textStyle(); err != nil {
		return nil, err
	}
	if n.gap, err = a.number("gap", 10, 0, 100); err != nil {
		return nil, err
	}
	if n.spaceBef, err = a.number("space-before", 6, 0, 100); err != nil {
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	n.parties, err = p.children(el, func(c *xnode) (node, error) {
		if c.name != "party" {
			return nil, p.errAt(c.pos, "<signatures> contains <party …/> elements, not <%s>", c.name)
		}
		ca := p.attrsOf(c)
		pn := &partyNode{}
		var err error
		for _, f := range []struct {
			name string
			dst  *richText
		}{{"title", &pn.title}, {"position", &pn.position}, {"name", &pn.name}, {"note", &pn.note}} {
			if *f.dst, err = ca.text(f.name); err != nil {
				return nil, err
			}
		}
		if pn.stamp, err = ca.boolean("stamp", true); err != nil {
			return nil, err
		}
		return pn, p.empty(c, ca)
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}
