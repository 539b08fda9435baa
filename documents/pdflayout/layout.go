package pdflayout

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig for logos
	_ "image/png"
	"math"
	"strings"
	"unicode/utf8"
)

// Layout works in millimetres with the origin at the top left of the page.
// It evaluates the template against the data and lays the content out into
// a display list (ops) before anything is handed to fpdf, so that the page
// count is known for "стр. N из M", every string can be checked against the
// single-byte encoding before the font path is chosen, and layout costs the
// same on both paths.

const ptToMM = 25.4 / 72

type opKind uint8

const (
	opText opKind = iota
	opLine
	opRect
	opFill
	opImage
)

// op is one drawing operation. x is absolute; y is relative to the top of
// the box that owns the op (placements add the box's page position).
type op struct {
	kind  opKind
	style fontStyle
	x, y  float64 // text: start of the baseline; line: start; rect, image: top left
	x2    float64 // line: end x; rect, image: width
	y2    float64 // line: end y; rect, image: height
	size  float64 // text: font size in pt; line, rect: line width in mm
	ws    float64 // text: extra width of each space, mm (justified lines)
	color int32
	text  string
	img   int
}

// box is an unbreakable piece of vertical flow: ops[start:end], h tall.
type box struct {
	h          float64
	start, end int32
}

type itemKind uint8

const (
	itBox itemKind = iota
	itBand
	itSpace  // vertical space between blocks, dropped at the top of a page
	itSpacer // <spacer>: kept even at the top of a page; ends the page if it does not fit
	itBreak  // forced page break
)

type item struct {
	kind     itemKind
	h        float64
	b        box
	band     int32 // index into layout.bands
	keepNext bool  // do not end a page after this item
	table    int32 // 1-based table index for header repetition, 0 if none
	isHeader bool
}

// band is a row of side-by-side columns, each a stack of boxes: a table row
// or a <columns> block. A band taller than the room left is moved to the next
// page; a band taller than a whole page is split between boxes.
type band struct {
	colStart, colEnd int32 // into layout.bandCols
	padV             float64
	border           borderMode
	lineW            float64
	x0, x1           float64 // outer edges, for row borders
	h                float64 // natural height
}

type bandCol struct {
	x, w       float64
	fill       int32 // -1: none
	boxStart   int32 // into layout.boxes
	boxEnd     int32
	contentH   float64
	headerLine bool
	vcenter    bool // centre the content vertically (header cells)
}

type tableInfo struct {
	header int32 // item index of the header band, -1 if none
	repeat bool
}

// placement puts ops[start:end] on a page, shifted down by dy.
type placement struct {
	page       int32
	dy         float64
	start, end int32
}

// evRun is a stretch of evaluated text in one style, or a line break.
type evRun struct {
	text  string
	style fontStyle
	br    bool
}

type imageRef struct {
	name string
	data []byte
	typ  string // "PNG" or "JPG"
}

// layout is the state of one render. It is not shared between goroutines.
type layout struct {
	t      *Template
	fonts  *fontSet
	limits Limits
	images map[string][]byte

	ev       evalState
	ops      []op
	items    []item
	bands    []band
	bandCols []bandCol
	boxes    []box
	tables   []tableInfo
	runs     []evRun
	pieces   []piece
	lines    []lineInfo
	buf      []byte
	imgRefs  []imageRef

	place   []placement
	pages   int
	taken   []float64   // scratch of chunk
	nexts   []int32     // scratch of chunk
	nextAll []int32     // scratch of chunkAll
	cplace  []placement // scratch of chunk

	scratch emitScratch // the emitter's, kept across pooled renders

	slow      bool               // some text is outside cp1251x
	slowRunes map[rune]fontStyle // first style each such rune was seen in
	loopItems int
	textBytes int

	bodyTop, bodyBottom, left, width float64
	tops, bottoms                    [2]float64 // body area on page 1 and on later pages
}

var errLimit = errors.New("limit exceeded")

// RenderError reports a problem found while rendering, with the template
// position when it is known.
type RenderError struct {
	Name string
	Pos
	Msg string
	Err error // underlying error, if any
}

// Error formats the error as "name:line:col: message" (without a position
// when none is known).
func (e *RenderError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Name, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// Unwrap returns the underlying error, such as ErrLimit or a function's error.
func (e *RenderError) Unwrap() error { return e.Err }

func (l *layout) errAt(pos Pos, err error) error {
	var re *RenderError
	if errors.As(err, &re) {
		return err
	}
	return &RenderError{Name: l.t.name, Pos: pos, Msg: err.Error(), Err: err}
}

// ---- text measurement and line breaking ----

// measure returns the width of s in 1/1000 em, noting characters that force
// the UTF-8 path.
func (l *layout) measure(s string, st fontStyle) int {
	fc := &l.fonts.faces[st]
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			w += int(fc.width[c])
			i++
			continue
		}
		// Two-byte sequences (Cyrillic, Latin-1) are decoded inline; they
		// are most of the text and all inside the width table.
		if c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			r := rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
			i += 2
			w += int(fc.width[r])
			if cp1251xEncode[r] == 0 {
				l.noteSlow(r, st)
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		w += fc.advance(r)
		if !inCP1251x(r) {
			l.noteSlow(r, st)
		}
	}
	return w
}

func (l *layout) noteSlow(r rune, st fontStyle) {
	l.slow = true
	if l.slowRunes == nil {
		l.slowRunes = map[rune]fontStyle{}
	}
	if _, ok := l.slowRunes[r]; !ok || !l.fonts.faces[st].has(r) {
		l.slowRunes[r] = st
	}
}

// piece is part of a line: run.text[a:b] at x (from the line start).
type piece struct {
	run      int32
	a, b     int32
	x, w     float64
	gapsLeft int32 // justification gaps to the left of this piece
}

type lineInfo struct {
	first, end int32 // pieces
	width      float64
	gaps       int32
	hard       bool // ended by a line break or the end of the text
}

// breakLines lays runs out in lines no wider than maxW (firstW for the first
// line). Spaces separate words; a word wider than a line is cut between
// characters. Results are in l.lines and l.pieces.
func (l *layout) breakLines(runs []evRun, size, maxW, firstW float64) {
	l.lines = l.lines[:0]
	l.pieces = l.pieces[:0]
	scale := size / 1000 * ptToMM
	lineStart := int32(0)
	var x float64    // current line width
	var gap float64  // pending space width before the next word
	var gaps int32   // gaps on this line
	pending := false // a gap is pending
	wordOnLine := false
	lim := firstW
	endLine := func(hard bool) {
		l.lines = append(l.lines, lineInfo{first: lineStart, end: int32(len(l.pieces)), width: x, gaps: gaps, hard: hard})
		lineStart = int32(len(l.pieces))
		x, gap, gaps, pending, wordOnLine = 0, 0, 0, false, false
		lim = maxW
	}
	// addPiece appends run[a:b] of width w at the current x, merging with
	// the previous piece when it continues the same run.
	addPiece := func(ri int, a, b int, w float64, afterGap bool) {
		if n := int32(len(l.pieces)); n > lineStart && !afterGap {
			p := &l.pieces[n-1]
			if int(p.run) == ri && int(p.b) == a {
				p.b = int32(b)
				p.w += w
				x += w
				return
			}
		}
		l.pieces = append(l.pieces, piece{run: int32(ri), a: int32(a), b: int32(b), x: x, w: w, gapsLeft: gaps})
		x += w
	}
	// Words may span runs ("«<b>Ромашка</b>»"): collect a word as a list of
	// (run, a, b, w) segments first.
	type seg struct {
		ri, a, b int
		w        float64
	}
	var word [8]seg
	segs := word[:0]
	var wordW float64
	flush := func() {
		if len(segs) == 0 {
			return
		}
		if wordOnLine && x+gap+wordW > lim+1e-9 {
			endLine(false)
		}
		if wordW > lim+1e-9 && !wordOnLine {
			// Cut the word between characters.
			for _, s := range segs {
				st := runs[s.ri].style
				a := s.a
				for a < s.b {
					b, w := a, 0.0
					for b < s.b {
						r, n := utf8.DecodeRuneInString(runs[s.ri].text[b:])
						cw := float64(l.fonts.faces[st].advance(r)) * scale
						if x+w+cw > lim+1e-9 && (b > a || x > 0) {
							break
						}
						w += cw
						b += n
					}
					if b == a { // nothing fits on this line: continue on the next
						endLine(false)
						continue
					}
					addPiece(s.ri, a, b, w, false)
					wordOnLine = true
					a = b
					if a < s.b {
						endLine(false)
					}
				}
			}
		} else {
			afterGap := false
			if wordOnLine && pending {
				x += gap
				gaps++
				afterGap = true
			}
			for i, s := range segs {
				addPiece(s.ri, s.a, s.b, s.w, afterGap && i == 0)
			}
			wordOnLine = true
		}
		segs = segs[:0]
		wordW = 0
		gap, pending = 0, false
	}
	for ri := range runs {
		r := &runs[ri]
		if r.br {
			flush()
			endLine(true)
			continue
		}
		st := r.style
		s := r.text
		i := 0
		for i < len(s) {
			if s[i] == ' ' {
				flush()
				j := i
				for j < len(s) && s[j] == ' ' {
					j++
				}
				if wordOnLine {
					gap += float64(l.measure(s[i:j], st)) * scale
					pending = true
				}
				i = j
				continue
			}
			j := i
			for j < len(s) && s[j] != ' ' {
				j++
			}
			w := float64(l.measure(s[i:j], st)) * scale
			segs = append(segs, seg{ri, i, j, w})
			wordW += w
			i = j
		}
	}
	flush()
	if len(l.pieces) > int(lineStart) || len(l.lines) == 0 || !l.lines[len(l.lines)-1].hard {
		endLine(true)
	}
}

// textBlock lays out runs in [x, x+w) and appends the ops of every line.
// Each line's ops are placed relative to yTop + its offset. It returns the
// height. If each is not nil it is called after each line with the op range
// and line height, instead of stacking lines into one box.
type textOpts struct {
	size       float64
	lineHeight float64
	align      align
	color      int32
	indent     float64
}

func (l *layout) lineH(o *textOpts) float64 { return o.size * o.lineHeight * ptToMM }

func (l *layout) baseline(o *textOpts) float64 {
	lh := l.lineH(o)
	asc, desc := l.fonts.ascent*o.size*ptToMM, -l.fonts.descent*o.size*ptToMM
	return (lh-(asc+desc))/2 + asc
}

// emitLines lays runs out and calls fn for every line after appending its
// ops (with y relative to the line top).
func (l *layout) emitLines(runs []evRun, x, w float64, o *textOpts, fn func(start, end int32, h float64)) {
	l.breakLines(runs, o.size, w, w-o.indent)
	lh, bl := l.lineH(o), l.baseline(o)
	for li, ln := range l.lines {
		start := int32(len(l.ops))
		lx, lw := x, w
		if li == 0 {
			lx, lw = x+o.indent, w-o.indent
		}
		off, extra := 0.0, 0.0
		switch o.align {
		case alignCenter:
			off = (lw - ln.width) / 2
		case alignRight:
			off = lw - ln.width
		case alignJustify:
			if !ln.hard && ln.gaps > 0 {
				extra = (lw - ln.width) / float64(ln.gaps)
			}
		}
		cur, curRun, curA, prevB := -1, int32(-1), int32(0), int32(0)
		for pi := ln.first; pi < ln.end; pi++ {
			p := &l.pieces[pi]
			r := &runs[p.run]
			// Pieces of one run separated only by spaces become one text
			// op: the spaces were measured as such. A justified line merges
			// words separated by exactly one space and widens that space
			// by ws (PDF word spacing on the fast path).
			if cur >= 0 && p.run == curRun {
				gap := r.text[prevB:p.a]
				if extra == 0 && strings.Trim(gap, " ") == "" || extra != 0 && gap == " " {
					l.ops[cur].text = r.text[curA:p.b]
					prevB = p.b
					continue
				}
			}
			l.ops = append(l.ops, op{kind: opText, style: r.style, x: lx + off + p.x + extra*float64(p.gapsLeft), y: bl, size: o.size, color: o.color, text: r.text[p.a:p.b], ws: extra})
			cur, curRun, curA, prevB = len(l.ops)-1, p.run, p.a, p.b
		}
		fn(start, int32(len(l.ops)), lh)
	}
}

// ---- text evaluation ----

// evalText evaluates rich text into l.runs (valid until the next call).
func (l *layout) evalText(rt *richText, base fontStyle) ([]evRun, error) {
	l.runs = l.runs[:0]
	for ri := range rt.runs {
		run := &rt.runs[ri]
		if run.br {
			l.runs = append(l.runs, evRun{br: true})
			continue
		}
		st := base | run.style
		// Fast cases: a single literal, or a single placeholder that yields
		// a clean string, need no copy.
		if len(run.parts) == 1 {
			part := &run.parts[0]
			if part.expr == nil {
				l.addRun(part.lit, st)
				continue
			}
			v, err := l.ev.eval(part.expr)
			if err != nil {
				return nil, l.errAt(part.expr.pos, err)
			}
			if s, ok := v.(string); ok && clean(s) {
				l.addRun(s, st)
				continue
			}
		}
		l.buf = l.buf[:0]
		for pi := range run.parts {
			part := &run.parts[pi]
			if part.expr == nil {
				l.buf = append(l.buf, part.lit...)
				continue
			}
			v, err := l.ev.eval(part.expr)
			if err != nil {
				return nil, l.errAt(part.expr.pos, err)
			}
			if l.buf, err = appendText(l.buf, v); err != nil {
				return nil, l.errAt(part.expr.pos, err)
			}
		}
		if err := l.addDirty(l.buf, st); err != nil {
			return nil, err
		}
	}
	if l.textBytes > l.limits.MaxTextBytes {
		return nil, &RenderError{Name: l.t.name, Msg: fmt.Sprintf("more than %d bytes of text", l.limits.MaxTextBytes), Err: errLimit}
	}
	return l.runs, nil
}

// clean reports whether s needs no control-character treatment.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7F {
			return false
		}
	}
	return true
}

func (l *layout) addRun(s string, st fontStyle) {
	if s == "" {
		return
	}
	l.textBytes += len(s)
	l.runs = append(l.runs, evRun{text: s, style: st})
}

// addDirty adds text that may contain newlines (line breaks) and other
// control characters (shown as spaces).
func (l *layout) addDirty(b []byte, st fontStyle) error {
	for len(b) > 0 {
		line := b
		nl := bytes.IndexByte(b, '\n')
		if nl >= 0 {
			line, b = b[:nl], b[nl+1:]
		} else {
			b = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		for i, c := range line {
			if c < ' ' || c == 0x7F {
				line[i] = ' '
			}
		}
		if !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
		}
		l.addRun(string(line), st)
		if nl >= 0 {
			l.runs = append(l.runs, evRun{br: true})
		}
	}
	return nil
}

func runsEmpty(runs []evRun) bool {
	for _, r := range runs {
		if r.br || strings.TrimSpace(r.text) != "" {
			return false
		}
	}
	return true
}

// ---- blocks ----

func (l *layout) style(ts textStyle) textStyle {
	return ts.over(l.t.doc.base)
}

func (l *layout) opts(ts textStyle) textOpts {
	return textOpts{size: ts.size, lineHeight: ts.lineHeight, align: ts.align, color: ts.color}
}

func (l *layout) space(dst *[]item, h float64) {
	if h > 0 {
		*dst = append(*dst, item{kind: itSpace, h: h})
	}
}

// blocks lays out nodes in the column [x, x+w) and appends flow items.
func (l *layout) blocks(nodes []node, x, w float64, dst *[]item) error {
	for _, n := range nodes {
		if err := l.block(n, x, w, dst); err != nil {
			return err
		}
	}
	return nil
}

func (l *layout) block(n node, x, w float64, dst *[]item) error {
	switch n := n.(type) {
	case *paraNode:
		return l.para(n, x, w, dst)
	case *kvNode:
		return l.kv(n, x, w, dst)
	case *columnsNode:
		return l.columns(n, x, w, dst)
	case *tableNode:
		return l.table(n, x, w, dst)
	case *totalsNode:
		return l.totals(n, x, w, dst)
	case *signaturesNode:
		return l.signatures(n, x, w, dst)
	case *spacerNode:
		if n.h > 0 {
			*dst = append(*dst, item{kind: itSpacer, h: n.h})
		}
	case *hrNode:
		l.space(dst, n.spaceBefore)
		start := int32(len(l.ops))
		l.ops = append(l.ops, op{kind: opLine, x: x, y: n.thickness / 2, x2: x + w, y2: n.thickness / 2, size: n.thickness, color: n.color})
		*dst = append(*dst, item{kind: itBox, h: n.thickness, b: box{h: n.thickness, start: start, end: int32(len(l.ops))}})
		l.space(dst, n.spaceAfter)
	case *imageNode:
		return l.image(n, x, w, dst)
	case *pageBreakNode:
		*dst = append(*dst, item{kind: itBreak})
	case *ifNode:
		v, err := l.ev.eval(n.test)
		if err != nil {
			return l.errAt(n.test.pos, err)
		}
		if truth(v) {
			return l.blocks(n.then, x, w, dst)
		}
		return l.blocks(n.els, x, w, dst)
	case *eachNode:
		return l.loop(&n.loop, func() error { return l.blocks(n.body, x, w, dst) })
	default:
		return fmt.Errorf("internal error: block %T", n)
	}
	return nil
}

// loop runs body once per element of the list named by spec.
func (l *layout) loop(spec *loopSpec, body func() error) error {
	v, err := l.ev.operand(&spec.list)
	if err != nil {
		return l.errAt(spec.pos, err)
	}
	var list []any
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		list = x
	default:
		return l.errAt(spec.pos, fmt.Errorf("loop over %s; a list is needed", kindOf(v)))
	}
	for i, elem := range list {
		if l.loopItems++; l.loopItems > l.limits.MaxLoopItems {
			return l.errAt(spec.pos, fmt.Errorf("%w: more than %d loop iterations", errLimit, l.limits.MaxLoopItems))
		}
		l.ev.loops = append(l.ev.loops, loopFrame{elem: elem, i: i})
		err := body()
		l.ev.loops = l.ev.loops[:len(l.ev.loops)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *layout) para(n *paraNode, x, w float64, dst *[]item) error {
	ts := n.style
	base := l.t.doc.base
	switch n.kind {
	case kindH1:
		base.size *= 1.5
		base.bold, base.align = 1, alignCenter
	case kindH2:
		base.size *= 1.2
		base.bold = 1
	case kindH3:
		base.size *= 1.05
		base.bold = 1
	}
	ts = ts.over(base)
	runs, err := l.evalText(&n.text, ts.font())
	if err != nil {
		return err
	}
	if runsEmpty(runs) {
		return nil
	}
	l.space(dst, n.spaceBefore)
	o := l.opts(ts)
	o.indent = n.indent
	first := len(*dst)
	l.emitLines(runs, x, w, &o, func(start, end int32, h float64) {
		*dst = append(*dst, item{kind: itBox, h: h, b: box{h: h, start: start, end: end}})
	})
	if n.keepNext {
		for i := first; i < len(*dst); i++ {
			(*dst)[i].keepNext = true
		}
	} else if len(*dst)-first >= 2 {
		// Avoid a lone first line at the bottom of a page.
		(*dst)[first].keepNext = true
	}
	l.space(dst, n.spaceAfter)
	return nil
}

// textBox lays rich text out as one stacked piece at (x, yTop) relative to
// the current box and returns its height.
func (l *layout) textBox(runs []evRun, x, w, yTop float64, o *textOpts) float64 {
	h := 0.0
	l.emitLines(runs, x, w, o, func(start, end int32, lh float64) {
		for i := start; i < end; i++ {
			l.ops[i].y += yTop + h
		}
		h += lh
	})
	return h
}

func resolveWidth(lw length, total float64) float64 {
	switch lw.unit {
	case '%':
		return total * lw.v / 100
	case 'm':
		return lw.v
	}
	return 0
}

// widths resolves column widths: mm and % first, then * shares of the rest.
func widths(ls []length, total, gap float64) []float64 {
	out := make([]float64, len(ls))
	rest := total - gap*float64(len(ls)-1)
	shares := 0.0
	for i, l := range ls {
		if l.unit == '*' {
			shares += l.v
			continue
		}
		out[i] = resolveWidth(l, total)
		rest -= out[i]
	}
	for i, l := range ls {
		if l.unit == '*' {
			out[i] = math.Max(rest, 0) * l.v / shares
		}
	}
	return out
}

func (l *layout) kv(n *kvNode, x, w float64, dst *[]item) error {
	ts := l.style(n.style)
	kts := n.keyStyle.over(ts)
	kts.align = alignLeft
	keyW := math.Min(resolveWidth(n.keyWidth, w), w*0.8)
	valX, valW := x+keyW+n.gap, w-keyW-n.gap
	any := false
	var walk func(items []node) error
	walk = func(items []node) error {
		for _, it := range items {
			switch it := it.(type) {
			case *ifNode:
				v, err := l.ev.eval(it.test)
				if err != nil {
					return l.errAt(it.test.pos, err)
				}
				branch := it.els
				if truth(v) {
					branch = it.then
				}
				if err := walk(branch); err != nil {
					return err
				}
			case *eachNode:
				if err := l.loop(&it.loop, func() error { return walk(it.body) }); err != nil {
					return err
				}
			case *kvItem:
				vts := ts
				if it.bold != 0 {
					vts.bold = it.bold
				}
				runs, err := l.evalText(&it.value, vts.font())
				if err != nil {
					return err
				}
				if n.skipEmpty && runsEmpty(runs) {
					continue
				}
				if any && n.rowGap > 0 {
					l.space(dst, n.rowGap)
				}
				any = true
				start := int32(len(l.ops))
				vo := l.opts(vts)
				hv := l.textBox(runs, valX, valW, 0, &vo)
				kr, err := l.evalText(&it.key, kts.font())
				if err != nil {
					return err
				}
				ko := l.opts(kts)
				hk := l.textBox(kr, x, keyW, 0, &ko)
				h := math.Max(hv, hk)
				*dst = append(*dst, item{kind: itBox, h: h, b: box{h: h, start: start, end: int32(len(l.ops))}})
			}
		}
		return nil
	}
	if err := walk(n.items); err != nil {
		return err
	}
	if any {
		l.space(dst, n.spaceAft)
	}
	return nil
}

func (l *layout) totals(n *totalsNode, x, w float64, dst *[]item) error {
	ts := l.style(n.style)
	tw := math.Min(resolveWidth(n.width, w), w)
	if n.width.unit == '*' {
		tw = w
	}
	x0 := x + w - tw
	vw := math.Min(resolveWidth(n.valueWidth, tw), tw*0.9) // value column
	lw := tw - vw - 2
	any := false
	var walk func(items []node) error
	walk = func(items []node) error {
		for _, it := range items {
			switch it := it.(type) {
			case *ifNode:
				v, err := l.ev.eval(it.test)
				if err != nil {
					return l.errAt(it.test.pos, err)
				}
				branch := it.els
				if truth(v) {
					branch = it.then
				}
				if err := walk(branch); err != nil {
					return err
				}
			case *eachNode:
				if err := l.loop(&it.loop, func() error { return walk(it.body) }); err != nil {
					return err
				}
			case *totalLine:
				lts := ts
				if it.bold != 0 {
					lts.bold = it.bold
				}
				lts.align = alignRight
				start := int32(len(l.ops))
				runs, err := l.evalText(&it.value, lts.font())
				if err != nil {
					return err
				}
				o := l.opts(lts)
				hv := l.textBox(runs, x0+lw+2, vw, 0, &o)
				runs, err = l.evalText(&it.label, lts.font())
				if err != nil {
					return err
				}
				hl := l.textBox(runs, x0, lw, 0, &o)
				h := math.Max(hv, hl)
				any = true
				*dst = append(*dst, item{kind: itBox, h: h, b: box{h: h, start: start, end: int32(len(l.ops))}, keepNext: true})
			}
		}
		return nil
	}
	if err := walk(n.lines); err != nil {
		return err
	}
	if any {
		(*dst)[len(*dst)-1].keepNext = false
		l.space(dst, n.spaceAft)
	}
	return nil
}

func (l *layout) signatures(n *signaturesNode, x, w float64, dst *[]item) error {
	ts := l.style(n.style)
	var parties []*partyNode
	var frames [][]loopFrame
	var walk func(items []node) error
	walk = func(items []node) error {
		for _, it := range items {
			switch it := it.(type) {
			case *ifNode:
				v, err := l.ev.eval(it.test)
				if err != nil {
					return l.errAt(it.test.pos, err)
				}
				branch := it.els
				if truth(v) {
					branch = it.then
				}
				if err := walk(branch); err != nil {
					return err
				}
			case *eachNode:
				if err := l.loop(&it.loop, func() error { return walk(it.body) }); err != nil {
					return err
				}
			case *partyNode:
				parties = append(parties, it)
				frames = append(frames, append([]loopFrame(nil), l.ev.loops...))
			}
		}
		return nil
	}
	if err := walk(n.parties); err != nil {
		return err
	}
	if len(parties) == 0 {
		return nil
	}
	k := float64(len(parties))
	cw := (w - n.gap*(k-1)) / k
	start := int32(len(l.ops))
	maxH := 0.0
	saved := l.ev.loops
	for i, pn := range parties {
		l.ev.loops = frames[i]
		cx := x + float64(i)*(cw+n.gap)
		y := 0.0
		o := l.opts(ts)
		o.align = alignLeft
		bts := ts
		bts.bold = 1
		ob := l.opts(bts)
		ob.align = alignLeft
		runs, err := l.evalText(&pn.title, bts.font())
		if err != nil {
			return err
		}
		y += l.textBox(runs, cx, cw, y, &ob)
		if runs, err = l.evalText(&pn.position, ts.font()); err != nil {
			return err
		}
		y += l.textBox(runs, cx, cw, y, &o)
		y += 9 // room to sign
		lineW := math.Min(cw*0.45, 45)
		l.ops = append(l.ops, op{kind: opLine, x: cx, y: y, x2: cx + lineW, y2: y, size: 0.25, color: ts.color})
		if runs, err = l.evalText(&pn.name, ts.font()); err != nil {
			return err
		}
		if !runsEmpty(runs) {
			// "/ Name /" to the right of the line, on the same baseline.
			named := make([]evRun, 0, len(runs)+2)
			named = append(named, evRun{text: "/ ", style: ts.font()})
			named = append(named, runs...)
			named = append(named, evRun{text: " /", style: ts.font()})
			nameTop := y - l.baseline(&o) - 0.6
			l.textBox(named, cx+lineW+1.5, cw-lineW-1.5, nameTop, &o)
		}
		small := ts
		small.size = math.Max(ts.size-2.5, 5)
		small.color = 0x555555
		so := l.opts(small)
		so.align = alignLeft
		capRuns := []evRun{{text: "(подпись)", style: small.font()}}
		y += 0.6
		h := l.textBox(capRuns, cx+lineW/2-float64(l.measure("(подпись)", small.font()))*small.size/1000*ptToMM/2, lineW, y, &so)
		y += h
		if pn.stamp {
			y += l.textBox([]evRun{{text: "М.П.", style: ts.font()}}, cx, cw, y+1, &o) + 1
		}
		if runs, err = l.evalText(&pn.note, ts.font()); err != nil {
			return err
		}
		if !runsEmpty(runs) {
			y += l.textBox(runs, cx, cw, y+1, &o) + 1
		}
		maxH = math.Max(maxH, y)
	}
	l.ev.loops = saved
	l.space(dst, n.spaceBef)
	*dst = append(*dst, item{kind: itBox, h: maxH, b: box{h: maxH, start: start, end: int32(len(l.ops))}})
	return nil
}

func (l *layout) image(n *imageNode, x, w float64, dst *[]item) error {
	data, ok := l.images[n.src]
	if !ok || len(data) == 0 {
		return nil // optional: a seller without a logo
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		return l.errAt(n.pos, fmt.Errorf("image %q: not a PNG or JPEG image", n.src))
	}
	typ := map[string]string{"png": "PNG", "jpeg": "JPG"}[format]
	if typ == "" {
		return l.errAt(n.pos, fmt.Errorf("image %q: %s images are not supported; use PNG or JPEG", n.src, format))
	}
	iw, ih := n.w, n.h
	aspect := float64(cfg.Height) / float64(cfg.Width)
	switch {
	case iw == 0:
		iw = ih / aspect
	case ih == 0:
		ih = iw * aspect
	}
	iw = math.Min(iw, w)
	ix := x
	switch n.align {
	case alignCenter:
		ix = x + (w-iw)/2
	case alignRight:
		ix = x + w - iw
	}
	idx := -1
	for i := range l.imgRefs {
		if l.imgRefs[i].name == n.src {
			idx = i
		}
	}
	if idx < 0 {
		idx = len(l.imgRefs)
		l.imgRefs = append(l.imgRefs, imageRef{name: n.src, data: data, typ: typ})
	}
	start := int32(len(l.ops))
	l.ops = append(l.ops, op{kind: opImage, x: ix, y: 0, x2: iw, y2: ih, img: idx})
	*dst = append(*dst, item{kind: itBox, h: ih, b: box{h: ih, start: start, end: int32(len(l.ops))}})
	l.space(dst, n.space)
	return nil
}

// ---- bands: <columns> and table rows ----

// columns lays each column out as its own flow and makes a band of them.
func (l *layout) columns(n *columnsNode, x, w float64, dst *[]item) error {
	ls := make([]length, len(n.cols))
	for i, c := range n.cols {
		ls[i] = c.width
	}
	ws := widths(ls, w, n.gap)
	colStart := int32(len(l.bandCols))
	var tmp []item
	cx := x
	type colBoxes struct{ boxes []box }
	per := make([]colBoxes, len(n.cols))
	for i, c := range n.cols {
		tmp = tmp[:0]
		if err := l.blocks(c.body, cx, ws[i], &tmp); err != nil {
			return err
		}
		per[i].boxes = l.flatten(tmp, nil)
		cx += ws[i] + n.gap
	}
	cx = x
	hmax := 0.0
	for i := range n.cols {
		bs := int32(len(l.boxes))
		h := 0.0
		for _, b := range per[i].boxes {
			l.boxes = append(l.boxes, b)
			h += b.h
		}
		l.bandCols = append(l.bandCols, bandCol{x: cx, w: ws[i], fill: -1, boxStart: bs, boxEnd: int32(len(l.boxes)), contentH: h})
		hmax = math.Max(hmax, h)
		cx += ws[i] + n.gap
	}
	l.bands = append(l.bands, band{colStart: colStart, colEnd: int32(len(l.bandCols)), border: borderNone, x0: x, x1: x + w, h: hmax})
	*dst = append(*dst, item{kind: itBand, h: hmax, band: int32(len(l.bands) - 1)})
	l.space(dst, n.spaceAft)
	return nil
}

// flatten turns flow items of a nested context into plain boxes: spaces
// become empty boxes, bands are drawn into single boxes (unbreakable), page
// breaks are ignored (they only make sense at the top level).
func (l *layout) flatten(items []item, out []box) []box {
	for _, it := range items {
		switch it.kind {
		case itBox:
			out = append(out, it.b)
		case itSpace, itSpacer:
			out = append(out, box{h: it.h, start: int32(len(l.ops)), end: int32(len(l.ops))})
		case itBand:
			out = append(out, l.bandBox(it.band))
		}
	}
	return out
}

// bandBox draws a whole band into one box by copying its ops with their
// final offsets (fills first, then content, then borders).
func (l *layout) bandBox(bi int32) box {
	b := l.bands[bi]
	chunk := l.chunkAll(b)
	start := int32(len(l.ops))
	for _, pl := range chunk.place {
		for i := pl.start; i < pl.end; i++ {
			o := l.ops[i]
			o.y += pl.dy
			if o.kind == opLine {
				o.y2 += pl.dy
			}
			l.ops = append(l.ops, o)
		}
	}
	return box{h: chunk.h, start: start, end: int32(len(l.ops))}
}

// chunk is a part of a band laid out for one page. place is scratch
// memory, valid until the next call of layout.chunk.
type chunk struct {
	h     float64
	place []placement // page unset; dy relative to the chunk top
	done  bool
}

func (l *layout) chunkAll(b band) chunk {
	next := l.nextAll[:0]
	for c := b.colStart; c < b.colEnd; c++ {
		next = append(next, l.bandCols[c].boxStart)
	}
	l.nextAll = next
	return l.chunk(b, next, math.Inf(1), true)
}

// chunk takes, from each column, the boxes from next[c] that fit in avail
// (at least one if force) and draws the band's cells for that height. It
// advances next past the boxes taken.
func (l *layout) chunk(b band, next []int32, avail float64, force bool) chunk {
	c := chunk{place: l.cplace[:0]}
	content := 0.0
	if cap(l.taken) < len(next) {
		l.taken = make([]float64, len(next))
	}
	taken := l.taken[:len(next)]
	if cap(l.nexts) < len(next) {
		l.nexts = make([]int32, len(next))
	}
	nexts := l.nexts[:len(next)]
	done := true
	for ci := range next {
		col := &l.bandCols[b.colStart+int32(ci)]
		k, h := next[ci], 0.0
		for k < col.boxEnd {
			bh := l.boxes[k].h
			if h+bh > avail-2*b.padV+1e-9 && !(force && k == next[ci]) {
				break
			}
			h += bh
			k++
		}
		taken[ci] = h
		nexts[ci] = k
		if k < col.boxEnd {
			done = false
		}
		content = math.Max(content, h)
	}
	c.h = content + 2*b.padV
	// Fills first (under the text).
	for ci := range next {
		col := &l.bandCols[b.colStart+int32(ci)]
		if col.fill >= 0 {
			s := int32(len(l.ops))
			l.ops = append(l.ops, op{kind: opFill, x: col.x, y: 0, x2: col.w, y2: c.h, color: col.fill})
			c.place = append(c.place, placement{start: s, end: s + 1})
		}
	}
	for ci := range next {
		y := b.padV
		if l.bandCols[b.colStart+int32(ci)].vcenter {
			y += (content - taken[ci]) / 2
		}
		for k := next[ci]; k < nexts[ci]; k++ {
			bx := l.boxes[k]
			c.place = append(c.place, placement{dy: y, start: bx.start, end: bx.end})
			y += bx.h
		}
	}
	// Borders last.
	s := int32(len(l.ops))
	switch b.border {
	case borderGrid:
		for ci := range next {
			col := &l.bandCols[b.colStart+int32(ci)]
			l.ops = append(l.ops, op{kind: opRect, x: col.x, y: 0, x2: col.w, y2: c.h, size: b.lineW})
		}
	case borderRows:
		col := &l.bandCols[b.colStart]
		if col.headerLine {
			l.ops = append(l.ops, op{kind: opLine, x: b.x0, y: 0, x2: b.x1, y2: 0, size: b.lineW})
		}
		l.ops = append(l.ops, op{kind: opLine, x: b.x0, y: c.h, x2: b.x1, y2: c.h, size: b.lineW})
	}
	if e := int32(len(l.ops)); e > s {
		c.place = append(c.place, placement{start: s, end: e})
	}
	copy(next, nexts)
	c.done = done
	l.cplace = c.place[:0]
	return c
}

func (l *layout) table(n *tableNode, x, w float64, dst *[]item) error {
	ts := l.style(n.style)
	ls := make([]length, len(n.cols))
	for i, c := range n.cols {
		ls[i] = c.width
	}
	ws := widths(ls, w, 0)
	xs := make([]float64, len(ws)+1)
	xs[0] = x
	for i, cw := range ws {
		xs[i+1] = xs[i] + cw
	}
	l.tables = append(l.tables, tableInfo{header: -1, repeat: n.repeatHeader})
	tid := int32(len(l.tables))
	if n.hasHeader {
		hts := n.headerStyle.over(ts)
		colStart := int32(len(l.bandCols))
		hmax := 0.0
		for ci, cd := range n.cols {
			runs, err := l.evalText(&cd.header, hts.font())
			if err != nil {
				return err
			}
			o := l.opts(hts)
			o.align = cd.headerAlign
			bs := int32(len(l.boxes))
			h := 0.0
			l.emitLines(runs, xs[ci]+n.padH, ws[ci]-2*n.padH, &o, func(start, end int32, lh float64) {
				l.boxes = append(l.boxes, box{h: lh, start: start, end: end})
				h += lh
			})
			fill := n.headerFill
			l.bandCols = append(l.bandCols, bandCol{x: xs[ci], w: ws[ci], fill: fill, boxStart: bs, boxEnd: int32(len(l.boxes)), contentH: h, headerLine: true, vcenter: true})
			hmax = math.Max(hmax, h)
		}
		l.bands = append(l.bands, band{colStart: colStart, colEnd: int32(len(l.bandCols)), padV: n.padV, border: n.border, lineW: 0.2, x0: x, x1: x + w, h: hmax + 2*n.padV})
		l.tables[tid-1].header = int32(len(*dst))
		if dst != &l.items {
			l.tables[tid-1].header = -1 // nested tables do not repeat headers
		}
		*dst = append(*dst, item{kind: itBand, h: hmax + 2*n.padV, band: int32(len(l.bands) - 1), keepNext: true, table: tid, isHeader: true})
	}
	var rowsFn func(rows []node) error
	rowsFn = func(rows []node) error {
		for _, rn := range rows {
			switch r := rn.(type) {
			case *ifNode:
				v, err := l.ev.eval(r.test)
				if err != nil {
					return l.errAt(r.test.pos, err)
				}
				branch := r.els
				if truth(v) {
					branch = r.then
				}
				if err := rowsFn(branch); err != nil {
					return err
				}
			case *eachNode:
				if err := l.loop(&r.loop, func() error { return rowsFn(r.body) }); err != nil {
					return err
				}
			case *rowNode:
				if r.loop != nil {
					if err := l.loop(r.loop, func() error { return l.row(n, r, ts, xs, tid, dst) }); err != nil {
						return err
					}
					continue
				}
				if err := l.row(n, r, ts, xs, tid, dst); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := rowsFn(n.rows); err != nil {
		return err
	}
	l.space(dst, n.spaceAft)
	return nil
}

func (l *layout) row(n *tableNode, r *rowNode, ts textStyle, xs []float64, tid int32, dst *[]item) error {
	rts := r.style.over(ts)
	colStart := int32(len(l.bandCols))
	hmax := 0.0
	ci := 0
	for _, cell := range r.cells {
		cts := cell.style.over(rts)
		if cell.style.align == alignInherit && r.style.align == alignInherit && n.cols[ci].align != alignInherit {
			cts.align = n.cols[ci].align
		}
		runs, err := l.evalText(&cell.text, cts.font())
		if err != nil {
			return err
		}
		cx, cw := xs[ci], xs[ci+cell.span]-xs[ci]
		o := l.opts(cts)
		bs := int32(len(l.boxes))
		h := 0.0
		l.emitLines(runs, cx+n.padH, cw-2*n.padH, &o, func(start, end int32, lh float64) {
			l.boxes = append(l.boxes, box{h: lh, start: start, end: end})
			h += lh
		})
		if h == 0 { // empty cell: one line of height
			h = l.lineH(&o)
			l.boxes = append(l.boxes, box{h: h, start: int32(len(l.ops)), end: int32(len(l.ops))})
		}
		l.bandCols = append(l.bandCols, bandCol{x: cx, w: cw, fill: r.fill, boxStart: bs, boxEnd: int32(len(l.boxes)), contentH: h})
		hmax = math.Max(hmax, h)
		ci += cell.span
	}
	l.bands = append(l.bands, band{colStart: colStart, colEnd: int32(len(l.bandCols)), padV: n.padV, border: n.border, lineW: 0.2, x0: xs[0], x1: xs[len(xs)-1], h: hmax + 2*n.padV})
	*dst = append(*dst, item{kind: itBand, h: hmax + 2*n.padV, band: int32(len(l.bands) - 1), table: tid})
	return nil
}
