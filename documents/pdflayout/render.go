package pdflayout

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"
)

// EngineOptions configure an Engine.
type EngineOptions struct {
	// Funcs adds functions to DefaultFuncs or replaces them by name, for
	// example "words" (amount in words) from another package.
	Funcs Funcs
	// Limits bound templates and renders; zero fields take DefaultLimits.
	Limits Limits
	// CompressPages Flate-compresses page content: about 15 KB smaller per
	// page, and about a third slower. Fonts are compressed either way.
	CompressPages bool
	// DisableFastPath renders every document with the UTF-8 font path.
	// Meant for comparisons; the output looks the same, only slower.
	DisableFastPath bool
}

// Engine parses layout templates and renders them to PDF. It is safe for
// concurrent use; fonts are prepared once per process, on first use or by
// Warm.
type Engine struct {
	funcs     Funcs
	limits    Limits
	compress  bool
	forceUTF8 bool
}

// NewEngine returns an engine with the default functions plus opts.Funcs.
func NewEngine(opts EngineOptions) (*Engine, error) {
	fs := DefaultFuncs()
	for name, f := range opts.Funcs {
		if name == "" || !isIdentName(name) || name == "true" || name == "false" || name == "nil" {
			return nil, fmt.Errorf("pdflayout: function name %q is not a valid identifier", name)
		}
		if f.Fn == nil || f.MinArgs < 0 || f.MaxArgs >= 0 && f.MaxArgs < f.MinArgs {
			return nil, fmt.Errorf("pdflayout: function %q has no Fn or an invalid argument range", name)
		}
		fs[name] = f
	}
	return &Engine{funcs: fs, limits: opts.Limits.withDefaults(), compress: opts.CompressPages, forceUTF8: opts.DisableFastPath}, nil
}

func isIdentName(s string) bool {
	for i, r := range s {
		if !isIdentRune(r) || i == 0 && r >= '0' && r <= '9' {
			return false
		}
	}
	return true
}

// Warm prepares the fonts now instead of on the first render, so that a
// service can fail at start-up rather than on its first request.
func (e *Engine) Warm() error {
	for _, name := range []string{"sans", "serif"} {
		if _, err := families[name].load(); err != nil {
			return err
		}
	}
	return nil
}

// Parse parses a layout template (see templates/pdf/FORMAT.md). name appears
// in error messages. Errors are *ParseError with line and column.
func (e *Engine) Parse(name string, src []byte) (*Template, error) {
	return parseTemplate(name, src, e.funcs, e.limits)
}

// RenderOptions are per-document settings that do not come from the data.
type RenderOptions struct {
	// Draft prints a large diagonal watermark on every page.
	Draft bool
	// DraftText replaces the watermark text "ЧЕРНОВИК".
	DraftText string
	// Date is written as the creation and modification date. The zero
	// value writes 1970-01-01; the wall clock is never read, so equal input
	// gives byte-identical PDFs.
	Date time.Time
	// Title, Subject and Author set the document information; Title and
	// Subject override the template's <document title/subject>.
	Title, Subject, Author string
	// Images holds PNG or JPEG bytes for <image src="name">. A missing image
	// is left out of the layout.
	Images map[string][]byte
}

// Path says which font path rendered a document.
type Path string

const (
	// PathFast is the single-byte path: a prepared 224-character subset of
	// DejaVu Sans per style, about ten times faster.
	PathFast Path = "fast"
	// PathUTF8 embeds the full DejaVu faces through fpdf's UTF-8 support;
	// used when some text is outside the single-byte set.
	PathUTF8 Path = "utf8"
)

// Result describes a rendered document.
type Result struct {
	Path  Path
	Pages int
	// Fallback lists, sorted, the characters that sent the document to the
	// UTF-8 path (empty on the fast path).
	Fallback []rune
}

// MissingGlyphsError reports characters that no embedded font can show.
// Nothing is written in that case: a document never silently loses text.
type MissingGlyphsError struct {
	Runes []rune
}

// Error lists the characters (at most ten) that have no glyph.
func (e *MissingGlyphsError) Error() string {
	var b []byte
	for i, r := range e.Runes {
		if i == 10 {
			b = fmt.Appendf(b, " and %d more", len(e.Runes)-i)
			break
		}
		b = fmt.Appendf(b, " %q (U+%04X)", r, r)
	}
	return "pdflayout: the document font has no glyph for" + string(b)
}

// ErrLimit is wrapped by errors that report an exceeded Limits value.
var ErrLimit = errLimit

var layoutPool = sync.Pool{New: func() any { return new(layout) }}

// Render evaluates t with data and writes the PDF to w. data is plain
// decoded JSON (map[string]any, []any, string, json.Number, float64, bool,
// nil). Template problems found at render time (a bad amount, a loop over a
// non-list) are *RenderError with the template position; text that no font
// can show is *MissingGlyphsError; exceeded limits wrap ErrLimit. Nothing
// is written to w unless the document is complete.
func (e *Engine) Render(w io.Writer, t *Template, data map[string]any, o RenderOptions) (Result, error) {
	fs, err := t.doc.family.load()
	if err != nil {
		return Result{}, err
	}
	l := layoutPool.Get().(*layout)
	defer l.release()
	l.t, l.fonts, l.limits, l.images = t, fs, e.limits, o.Images
	l.ev.root = data
	if data == nil {
		l.ev.root = map[string]any{}
	}
	if err := l.run(); err != nil {
		return Result{}, err
	}
	res := Result{Path: PathFast, Pages: l.pages}
	var draftText string
	if o.Draft {
		draftText = o.DraftText
		if draftText == "" {
			draftText = "ЧЕРНОВИК"
		}
		l.measure(draftText, styleBold) // notes characters outside cp1251x
	}
	if l.slow || e.forceUTF8 {
		res.Path = PathUTF8
		var missing []rune
		for r, st := range l.slowRunes {
			res.Fallback = append(res.Fallback, r)
			if !fs.faces[st].has(r) {
				missing = append(missing, r)
			}
		}
		slices.Sort(res.Fallback)
		if len(missing) > 0 {
			slices.Sort(missing)
			return Result{}, &MissingGlyphsError{Runes: missing}
		}
	}
	meta := [3]string{o.Title, o.Subject, o.Author}
	for i, rt := range []*richText{&t.doc.title, &t.doc.subject, &t.doc.author} {
		if meta[i] != "" || rt.empty() {
			continue
		}
		runs, err := l.evalText(rt, 0)
		if err != nil {
			return Result{}, err
		}
		var b []byte
		for _, r := range runs {
			b = append(b, r.text...)
		}
		meta[i] = string(b)
	}
	if err := l.emit(w, res.Path == PathFast, e.compress, o, draftText, meta); err != nil {
		return Result{}, err
	}
	return res, nil
}

func (l *layout) release() {
	clear(l.ops)
	clear(l.runs)
	clear(l.imgRefs)
	clear(l.ev.loops[:cap(l.ev.loops)])
	*l = layout{
		ops: l.ops[:0], items: l.items[:0], bands: l.bands[:0], bandCols: l.bandCols[:0],
		boxes: l.boxes[:0], tables: l.tables[:0], runs: l.runs[:0], pieces: l.pieces[:0],
		lines: l.lines[:0], buf: l.buf[:0], imgRefs: l.imgRefs[:0], place: l.place[:0],
		taken: l.taken, nexts: l.nexts, nextAll: l.nextAll, cplace: l.cplace[:0],
		scratch: l.scratch.truncated(),
		ev:      evalState{loops: l.ev.loops[:0], argBuf: l.ev.argBuf[:0]},
	}
	layoutPool.Put(l)
}

// run lays the document out and paginates it.
func (l *layout) run() error {
	d := &l.t.doc
	l.left, l.width = d.mLft, d.pageW-d.mLft-d.mRight
	// Measure the header and footer on page 1 of 1 and on page 2 of 2: a
	// header may differ between the first and later pages (<if test="gt
	// $page 1">), and each page's body area follows its own.
	for i, page := range [2]int{1, 2} {
		top, bottom := d.mTop, d.pageH-d.mBot
		if l.t.header != nil {
			_, h, err := l.band(l.t.header, page, page)
			if err != nil {
				return err
			}
			if h > 0 {
				top += h + d.headerGap
			}
		}
		if l.t.footer != nil {
			_, h, err := l.band(l.t.footer, page, page)
			if err != nil {
				return err
			}
			if h > 0 {
				bottom -= h + d.footerGap
			}
		}
		if bottom-top < 30 {
			return &RenderError{Name: l.t.name, Msg: "header and footer leave less than 30 mm for the body"}
		}
		l.tops[i], l.bottoms[i] = top, bottom
	}
	if err := l.blocks(l.t.body, l.left, l.width, &l.items); err != nil {
		return err
	}
	if err := l.paginate(); err != nil {
		return err
	}
	for p := 0; p < l.pages; p++ {
		if l.t.header != nil {
			boxes, _, err := l.band(l.t.header, p+1, l.pages)
			if err != nil {
				return err
			}
			y := d.mTop
			for _, b := range boxes {
				l.place = append(l.place, placement{page: int32(p), dy: y, start: b.start, end: b.end})
				y += b.h
			}
		}
		if l.t.footer != nil {
			boxes, h, err := l.band(l.t.footer, p+1, l.pages)
			if err != nil {
				return err
			}
			y := d.pageH - d.mBot - h
			for _, b := range boxes {
				l.place = append(l.place, placement{page: int32(p), dy: y, start: b.start, end: b.end})
				y += b.h
			}
		}
	}
	return nil
}

// band lays out header or footer blocks for one page.
func (l *layout) band(nodes []node, page, pages int) ([]box, float64, error) {
	l.ev.page, l.ev.pages = page, pages
	var tmp []item
	if err := l.blocks(nodes, l.left, l.width, &tmp); err != nil {
		return nil, 0, err
	}
	boxes := l.flatten(tmp, nil)
	h := 0.0
	for _, b := range boxes {
		h += b.h
	}
	return boxes, h, nil
}

// itemNeed is the height an item needs at least on the page where it starts.
func (l *layout) itemNeed(it *item, pageH float64) float64 {
	if it.kind == itBand && it.h > pageH {
		// A band taller than a page will be split; it needs one box.
		b := l.bands[it.band]
		need := 0.0
		for c := b.colStart; c < b.colEnd; c++ {
			col := &l.bandCols[c]
			if col.boxEnd > col.boxStart {
				need = math.Max(need, l.boxes[col.boxStart].h)
			}
		}
		return need + 2*b.padV
	}
	if it.kind == itSpace || it.kind == itBreak || it.kind == itSpacer {
		return 0
	}
	return it.h
}

func (l *layout) paginate() error {
	const eps = 1e-6
	pageH := min(l.bottoms[0]-l.tops[0], l.bottoms[1]-l.tops[1])
	page := 0
	l.bodyTop, l.bodyBottom = l.tops[0], l.bottoms[0]
	y, fresh := l.bodyTop, l.bodyTop
	placed := false
	newPage := func(tid int32) error {
		page++
		if page >= l.limits.MaxPages {
			return &RenderError{Name: l.t.name, Msg: fmt.Sprintf("more than %d pages", l.limits.MaxPages), Err: errLimit}
		}
		l.bodyTop, l.bodyBottom = l.tops[1], l.bottoms[1]
		y, placed = l.bodyTop, false
		if tid > 0 {
			ti := l.tables[tid-1]
			if ti.repeat && ti.header >= 0 {
				hb := l.bands[l.items[ti.header].band]
				l.placeBand(&hb, int32(page), &y, nil)
			}
		}
		fresh = y
		return nil
	}
	next := []int32(nil)
	for i := range l.items {
		it := &l.items[i]
		tid := it.table
		if it.isHeader {
			tid = 0
		}
		switch it.kind {
		case itBreak:
			if placed {
				if err := newPage(0); err != nil {
					return err
				}
			}
			continue
		case itSpace:
			if y > fresh+eps {
				y += it.h
			}
			continue
		case itSpacer:
			if y+it.h > l.bodyBottom+eps {
				if err := newPage(0); err != nil {
					return err
				}
				continue
			}
			y += it.h
			placed = true
			continue
		}
		need := it.h
		if it.keepNext {
			// The chain of keep-with-next items (and the spaces between
			// them) must fit together with the start of the item after it.
			need = 0
			j := i
			for ; j < len(l.items) && j < i+16 && (l.items[j].keepNext || l.items[j].kind == itSpace); j++ {
				need += l.items[j].h
			}
			if j < len(l.items) && l.items[j].kind != itBreak {
				need += l.itemNeed(&l.items[j], pageH)
			}
			if need > pageH {
				need = l.itemNeed(it, pageH)
			}
		}
		if it.kind == itBand && it.h > pageH && !it.keepNext {
			need = l.itemNeed(it, pageH)
		}
		if y+need > l.bodyBottom+eps && y > fresh+eps {
			if err := newPage(tid); err != nil {
				return err
			}
		}
		placed = true
		if it.kind == itBox {
			l.place = append(l.place, placement{page: int32(page), dy: y, start: it.b.start, end: it.b.end})
			y += it.h
			continue
		}
		b := l.bands[it.band]
		if y+b.h <= l.bodyBottom+eps {
			l.placeBand(&b, int32(page), &y, nil)
			continue
		}
		// Taller than the room left on a fresh page: split between boxes.
		next = next[:0]
		for c := b.colStart; c < b.colEnd; c++ {
			next = append(next, l.bandCols[c].boxStart)
		}
		for !l.placeBand(&b, int32(page), &y, next) {
			if err := newPage(tid); err != nil {
				return err
			}
		}
	}
	l.pages = page + 1
	return nil
}

// placeBand places a band at *y on page. With next == nil the whole band is
// placed; otherwise as much as fits from next on (at least one box per
// column), next is advanced, and it reports whether the band is complete.
func (l *layout) placeBand(b *band, page int32, y *float64, next []int32) bool {
	var c chunk
	if next == nil {
		c = l.chunkAll(*b)
	} else {
		c = l.chunk(*b, next, l.bodyBottom-*y, true)
	}
	for _, pl := range c.place {
		l.place = append(l.place, placement{page: page, dy: *y + pl.dy, start: pl.start, end: pl.end})
	}
	*y += c.h
	return next == nil || c.done
}

// ---- output ----

var epoch = time.Unix(0, 0).UTC()

func (l *layout) emit(w io.Writer, fast, compress bool, o RenderOptions, draft string, meta [3]string) error {
	d := &l.t.doc
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: d.pageW, Ht: d.pageH}})
	pdf.SetCatalogSort(true)
	date := o.Date
	if date.IsZero() {
		date = epoch
	}
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCompression(compress)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("dealgate pdflayout", true)
	pdf.SetLang("ru-RU")
	if meta[0] != "" {
		pdf.SetTitle(meta[0], true)
	}
	if meta[1] != "" {
		pdf.SetSubject(meta[1], true)
	}
	if meta[2] != "" {
		pdf.SetAuthor(meta[2], true)
	}
	// Register only the faces of text that is placed: every face costs
	// fpdf a JSON decode now and a widths array and font file at Close, and
	// embeds about 17 KB. Text laid out but never placed (a header variant
	// for a page that does not exist) does not count.
	var faces [numStyles]bool
	faces[styleBold] = draft != ""
	for _, p := range l.place {
		for i := p.start; i < p.end; i++ {
			if o := &l.ops[i]; o.kind == opText && o.text != "" {
				faces[o.style] = true
			}
		}
	}
	for st := range numStyles {
		if !faces[st] {
			continue
		}
		if fast {
			fc := &l.fonts.faces[st]
			pdf.AddFontFromBytes(l.fonts.fam.fpdfName, fpdfStyle[st], fc.defJSON, fc.zFont)
		} else {
			pdf.AddUTF8FontFromBytes(l.fonts.fam.fpdfName, fpdfStyle[st], l.fonts.fam.ttf[st])
		}
	}
	for i, im := range l.imgRefs {
		pdf.RegisterImageOptionsReader("img"+strconv.Itoa(i), fpdf.ImageOptions{ImageType: im.typ}, bytes.NewReader(im.data))
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("pdflayout: %w", err)
	}

	// Bucket placements by page, keeping their order.
	sc := &l.scratch
	counts := slices.Grow(sc.counts[:0], l.pages+1)[:l.pages+1]
	clear(counts)
	for _, p := range l.place {
		counts[p.page+1]++
	}
	for i := 1; i <= l.pages; i++ {
		counts[i] += counts[i-1]
	}
	sorted := slices.Grow(sc.placed[:0], len(l.place))[:len(l.place)]
	for _, p := range l.place {
		sorted[counts[p.page]] = p
		counts[p.page]++
	}
	sc.counts, sc.placed = counts, sorted

	e := emitter{emitScratch: sc, l: l, pdf: pdf, fast: fast, family: l.fonts.fam.fpdfName, st: 255, color: -1, draw: -1, lw: -1}
	pdf.SetLineCapStyle("square") // merged grid lines meet without notches
	k := 0
	for p := 0; p < l.pages; p++ {
		pdf.AddPage()
		e.cw.begin(pdf)
		e.st, e.size, e.color, e.draw, e.lw = 255, 0, -1, -1, -1
		if draft != "" {
			if err := e.watermark(l, draft, d.pageW, d.pageH); err != nil {
				return err
			}
		}
		start := k
		for k < len(sorted) && sorted[k].page == int32(p) {
			k++
		}
		if err := e.page(l, sorted[start:k]); err != nil {
			return err
		}
		e.cw.flush(pdf)
	}
	// Close first: Output would write a half-finished buffer if closing
	// failed.
	pdf.Close()
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("pdflayout: %w", err)
	}
	return pdf.Output(w)
}

type emitter struct {
	*emitScratch
	l      *layout
	pdf    *fpdf.Fpdf // write through direct, which flushes cw first
	fast   bool
	ws     float64
	family string
	st     fontStyle
	size   float64
	color  int32
	draw   int32
	lw     float64
}

// emitScratch holds the emitter's buffers; a pooled layout keeps them, so
// a render reuses the previous one's memory.
type emitScratch struct {
	cw     contentWriter
	counts []int       // placements per page
	placed []placement // placements by page
	texts  []placedOp
	sorted []placedOp // texts in drawing order
	groups []textGroup
	order  []int32
	edges  []edge
	styles []edgeStyle
}

// truncated returns s emptied for the next render, keeping its memory.
func (s *emitScratch) truncated() emitScratch {
	clear(s.texts[:cap(s.texts)]) // they point into the render's ops
	clear(s.sorted[:cap(s.sorted)])
	return emitScratch{
		cw:     contentWriter{buf: s.cw.buf[:0]},
		counts: s.counts[:0], placed: s.placed[:0],
		texts: s.texts[:0], sorted: s.sorted[:0], groups: s.groups[:0], order: s.order[:0],
		edges: s.edges[:0], styles: s.styles[:0],
	}
}

type placedOp struct {
	o     *op
	dy    float64
	group int32 // index into emitScratch.groups
}

// textGroup is the text of one font face, size and colour on a page.
type textGroup struct {
	style fontStyle
	size  float64
	color int32
	n     int32 // texts in the group; then, while placing, the next slot
}

// edge is a horizontal or vertical line segment of a table grid: fixed
// coordinate at, running from a to b. key orders edges for merging: style
// (index into emitScratch.styles, bits 53-63), vertical (bit 52), then at
// and a quantised to 1/1000 mm. Kept small, as the grid sorts them.
type edge struct {
	key      uint64
	at, a, b float64
}

// page draws one page's placements in an order that keeps the look and
// saves fpdf calls: fills and images first (under everything), then lines,
// with the cells' frames merged into continuous grid lines, then text
// grouped by font and colour so that fonts and colours switch rarely.
func (e *emitter) page(l *layout, pls []placement) error {
	e.texts, e.edges, e.styles = e.texts[:0], e.edges[:0], e.styles[:0]
	for _, pl := range pls {
		for i := pl.start; i < pl.end; i++ {
			o := &l.ops[i]
			switch o.kind {
			case opFill, opImage:
				if err := e.op(o, pl.dy); err != nil {
					return err
				}
			case opText:
				if o.text != "" {
					e.texts = append(e.texts, placedOp{o: o, dy: pl.dy})
				}
			case opRect:
				y := o.y + pl.dy
				e.addEdge(o, false, y, o.x, o.x+o.x2)
				e.addEdge(o, false, y+o.y2, o.x, o.x+o.x2)
				e.addEdge(o, true, o.x, y, y+o.y2)
				e.addEdge(o, true, o.x+o.x2, y, y+o.y2)
			}
		}
	}
	for _, pl := range pls {
		for i := pl.start; i < pl.end; i++ {
			if o := &l.ops[i]; o.kind == opLine {
				if err := e.op(o, pl.dy); err != nil {
					return err
				}
			}
		}
	}
	e.grid()
	for _, t := range e.groupTexts() {
		if err := e.op(t.o, t.dy); err != nil {
			return err
		}
	}
	return nil
}

// groupTexts returns the page's texts ordered by font style, size and
// colour, in document order within each group: what a stable sort by those
// keys gives, but with one pass to find the few groups, a sort of the
// groups, and one pass to place each text.
func (e *emitter) groupTexts() []placedOp {
	gs := e.groups[:0]
	g := -1
	for i := range e.texts {
		o := e.texts[i].o
		if g < 0 || gs[g].style != o.style || gs[g].size != o.size || gs[g].color != o.color {
			g = slices.IndexFunc(gs, func(t textGroup) bool {
				return t.style == o.style && t.size == o.size && t.color == o.color
			})
			if g < 0 {
				g = len(gs)
				gs = append(gs, textGroup{style: o.style, size: o.size, color: o.color})
			}
		}
		gs[g].n++
		e.texts[i].group = int32(g)
	}
	e.groups = gs
	order := e.order[:0]
	for i := range gs {
		order = append(order, int32(i))
	}
	slices.SortFunc(order, func(i, j int32) int {
		a, b := &gs[i], &gs[j]
		switch {
		case a.style != b.style:
			return int(a.style) - int(b.style)
		case a.size != b.size:
			return cmpFloat(a.size, b.size)
		}
		return int(a.color - b.color)
	})
	e.order = order
	next := int32(0)
	for _, i := range order {
		n := gs[i].n
		gs[i].n = next
		next += n
	}
	e.sorted = slices.Grow(e.sorted[:0], len(e.texts))[:len(e.texts)]
	for _, t := range e.texts {
		e.sorted[gs[t.group].n] = t
		gs[t.group].n++
	}
	return e.sorted
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (e *emitter) addEdge(o *op, vert bool, at, a, b float64) {
	g := -1
	for i, st := range e.styles {
		if st.lw == o.size && st.color == o.color {
			g = i
		}
	}
	if g < 0 {
		g = len(e.styles)
		e.styles = append(e.styles, edgeStyle{o.size, o.color})
	}
	q := func(v float64) uint64 { return uint64(max(0, min(math.Round(v*1000), 1<<26-1))) }
	key := uint64(g)<<53 | q(at)<<26 | q(a)
	if vert {
		key |= 1 << 52
	}
	e.edges = append(e.edges, edge{key: key, at: at, a: a, b: b})
}

type edgeStyle struct {
	lw    float64
	color int32
}

// grid draws the collected cell frames as merged line segments: shared cell
// edges once, collinear touching segments as one line.
func (e *emitter) grid() {
	const eps = 1e-3
	slices.SortFunc(e.edges, func(p, q edge) int {
		switch {
		case p.key < q.key:
			return -1
		case p.key > q.key:
			return 1
		}
		return cmpFloat(p.b, q.b)
	})
	for i := 0; i < len(e.edges); {
		cur := e.edges[i]
		line := cur.key >> 26 // style, direction and fixed coordinate
		j := i + 1
		for ; j < len(e.edges); j++ {
			n := e.edges[j]
			if n.key>>26 != line || n.a > cur.b+eps {
				break
			}
			cur.b = math.Max(cur.b, n.b)
		}
		st := e.styles[cur.key>>53]
		e.stroke(st.lw, st.color)
		if cur.key>>52&1 != 0 {
			e.cw.line(cur.at, cur.a, cur.at, cur.b)
		} else {
			e.cw.line(cur.a, cur.at, cur.b, cur.at)
		}
		i = j
	}
}

func rgb(c int32) (int, int, int) { return int(c>>16) & 0xFF, int(c>>8) & 0xFF, int(c) & 0xFF }

// direct returns the fpdf document for a call that writes to the page
// itself, after flushing the operators collected in cw so that the page
// keeps their order.
func (e *emitter) direct() *fpdf.Fpdf {
	e.cw.flush(e.pdf)
	return e.pdf
}

func (e *emitter) wordSpacing(ws float64) {
	if ws != e.ws {
		e.cw.wordSpacing(ws)
		e.ws = ws
	}
}

// width measures UTF-8 text of op o in mm.
func (e *emitter) width(s string, o *op) float64 {
	fc := &e.l.fonts.faces[o.style]
	w := 0
	for _, r := range s {
		w += fc.advance(r)
	}
	return float64(w) * o.size / 1000 * ptToMM
}

func (e *emitter) font(st fontStyle, size float64, color int32) {
	if st != e.st || size != e.size {
		e.direct().SetFont(e.family, fpdfStyle[st], size)
		e.st, e.size = st, size
	}
	if color != e.color {
		r, g, b := rgb(color)
		if !e.fast {
			// fpdf.Text wraps text in q/Q with its own colour unless the
			// text and fill colours are equal. The fast path draws text
			// through contentWriter, where only the fill colour counts.
			e.pdf.SetTextColor(r, g, b)
		}
		e.direct().SetFillColor(r, g, b) // PDF paints text in the fill colour
		e.color = color
	}
}

func (e *emitter) stroke(lw float64, color int32) {
	if lw != e.lw {
		e.direct().SetLineWidth(lw)
		e.lw = lw
	}
	if color != e.draw {
		r, g, b := rgb(color)
		e.direct().SetDrawColor(r, g, b)
		e.draw = color
	}
}

func (e *emitter) op(o *op, dy float64) error {
	switch o.kind {
	case opText:
		if o.text == "" {
			return nil
		}
		e.font(o.style, o.size, o.color)
		switch {
		case e.fast && o.ws == 0:
			return e.cw.text(o.x, o.y+dy, o.text)
		case e.fast:
			// Single-byte text: the PDF word spacing operator widens
			// every space (code 32) of the justified line.
			e.wordSpacing(o.ws)
			if err := e.cw.text(o.x, o.y+dy, o.text); err != nil {
				return err
			}
			e.wordSpacing(0)
		case o.ws == 0:
			// The UTF-8 path goes through fpdf.Text, which also notes the
			// characters for the font subset.
			e.direct().Text(o.x, o.y+dy, o.text)
		default:
			// Two-byte text ignores word spacing: place word by word.
			x := o.x
			rest := o.text
			for rest != "" {
				word, tail, found := strings.Cut(rest, " ")
				if word != "" {
					e.direct().Text(x, o.y+dy, word)
				}
				x += e.width(word, o) + ptToMM*o.size/1000*float64(e.l.fonts.faces[o.style].advance(' '))
				if found {
					x += o.ws
				}
				rest = tail
			}
		}
	case opLine:
		e.stroke(o.size, o.color)
		e.cw.line(o.x, o.y+dy, o.x2, o.y2+dy)
	case opRect:
		e.stroke(o.size, o.color)
		e.direct().Rect(o.x, o.y+dy, o.x2, o.y2, "D")
	case opFill:
		r, g, b := rgb(o.color)
		e.direct().SetFillColor(r, g, b)
		e.cw.fill(o.x, o.y+dy, o.x2, o.y2)
		if e.color >= 0 {
			r, g, b = rgb(e.color)
		} else {
			r, g, b = 0, 0, 0
		}
		e.direct().SetFillColor(r, g, b)
	case opImage:
		e.direct().ImageOptions("img"+strconv.Itoa(o.img), o.x, o.y+dy, o.x2, o.y2, false, fpdf.ImageOptions{}, 0, "")
	}
	return nil
}

// watermark draws the draft text diagonally across the page, under the
// content, in light grey.
func (e *emitter) watermark(l *layout, text string, pw, ph float64) error {
	angle := math.Atan2(ph, pw) * 180 / math.Pi
	diag := math.Hypot(pw, ph)
	em := float64(l.measure(text, styleBold)) / 1000
	size := math.Min(0.6*diag/(em*ptToMM), 110)
	width := em * size * ptToMM
	capH := 0.73 * size * ptToMM
	cx, cy := pw/2, ph/2
	e.font(styleBold, size, 0xD9D9D9)
	e.direct().TransformBegin()
	e.pdf.TransformRotate(angle, cx, cy)
	var err error
	if e.fast {
		err = e.cw.text(cx-width/2, cy+capH/2, text)
	} else {
		e.pdf.Text(cx-width/2, cy+capH/2, text)
	}
	e.direct().TransformEnd()
	e.st, e.size, e.color = 255, 0, -1 // the next text selects its font again
	return err
}
