package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/documents/docxfill"
	"github.com/dealgate/dealgate/documents/pdflayout"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/templates/docx"
	"github.com/dealgate/dealgate/workflow"
)

// Format is a file format a document is rendered to.
type Format string

// Formats.
const (
	PDF  Format = "pdf"
	DOCX Format = "docx"
)

// TemplateFile is one template version: shipped (ID 0, Version 0) or uploaded.
type TemplateFile struct {
	Kind    workflow.DocumentKind
	Format  Format
	ID      int64
	Version int
	SHA256  string
	Name    string
	Bytes   []byte
}

// TemplateSource finds the template to render a kind with. Storage-backed sources return the
// active uploaded version and fall back to Builtin.
type TemplateSource interface {
	// Active returns the template new documents of kind are rendered with.
	Active(ctx context.Context, kind workflow.DocumentKind, f Format) (TemplateFile, error)
	// ByID returns a stored template version (id 0: the shipped one), for re-rendering.
	ByID(ctx context.Context, kind workflow.DocumentKind, f Format, id int64) (TemplateFile, error)
}

// Builtin returns the template shipped in the binary for kind and format.
func Builtin(kind workflow.DocumentKind, f Format) (TemplateFile, error) {
	return builtinFile(kind, "", f)
}

// Shipped variants. Where one kind prints two different forms by its data and one file
// cannot hold both, the second form is a variant shipped beside the kind's template, in a
// file named KIND-VARIANT: a DOCX has no conditionals, so the ТОРГ-12 profile of the УПД
// (ТОРГ-12 + счёт-фактура) has its own upd-torg12.docx. The PDF layouts branch on the data
// themselves (upd.xml prints both profiles) and have no variant files.
//
// A variant is the kind's shipped form for that data: it is chosen over whatever template
// is uploaded for the kind, because an uploaded template replaces the kind's main form only
// (VIEW.md, "upd").
var variants = map[workflow.DocumentKind][]string{
	workflow.DocUPD: {ProfileTORG12},
}

// BuiltinVariants returns the names of the variants shipped for kind (ProfileTORG12 for the
// УПД), in a fixed order; BuiltinVariant reads one.
func BuiltinVariants(kind workflow.DocumentKind) []string {
	return append([]string(nil), variants[kind]...)
}

// BuiltinVariant returns the shipped variant of kind in format f (BuiltinVariants names
// them; "" is the kind's own template, as Builtin). A variant not shipped in f is an error.
func BuiltinVariant(kind workflow.DocumentKind, variant string, f Format) (TemplateFile, error) {
	if variant != "" && !slices.Contains(variants[kind], variant) {
		return TemplateFile{}, fmt.Errorf("documents: no shipped variant %q of %s", variant, kind)
	}
	return builtinFile(kind, variant, f)
}

// variantData is data that names the shipped variant it is printed with ("" for none).
type variantData interface {
	templateVariant() string
}

// builtinFile reads the shipped template of kind, variant ("" for the kind's own) and format.
func builtinFile(kind workflow.DocumentKind, variant string, f Format) (TemplateFile, error) {
	var (
		b   []byte
		err error
	)
	name := string(kind)
	if variant != "" {
		name += "-" + variant
	}
	switch f {
	case PDF:
		name += ".xml"
		b, err = fs.ReadFile(templates.PDFLayouts(), name)
	case DOCX:
		name += ".docx"
		b, err = fs.ReadFile(docx.FS, name)
	default:
		return TemplateFile{}, fmt.Errorf("documents: unknown format %q", f)
	}
	if err != nil {
		if variant != "" {
			return TemplateFile{}, fmt.Errorf("documents: no shipped %s template for %s, variant %s", f, kind, variant)
		}
		return TemplateFile{}, fmt.Errorf("documents: no shipped %s template for %s", f, kind)
	}
	sum := sha256.Sum256(b)
	return TemplateFile{Kind: kind, Format: f, Name: "builtin:" + name, SHA256: hex.EncodeToString(sum[:]), Bytes: b}, nil
}

// shippedVariant returns the shipped variant d's data is printed with in format f; ok is
// false when d names none or none is shipped in f.
func shippedVariant(d Data, f Format) (tf TemplateFile, ok bool) {
	vd, isVariant := d.(variantData)
	if !isVariant || vd.templateVariant() == "" {
		return TemplateFile{}, false
	}
	tf, err := builtinFile(d.Kind(), vd.templateVariant(), f)
	return tf, err == nil
}

// BuiltinFor returns the shipped template d is printed with in format f: the variant of its
// data when one is shipped in f (a УПД with profile torg12 in DOCX: upd-torg12.docx), else
// Builtin(kind, f).
func BuiltinFor(d Data, f Format) (TemplateFile, error) {
	if tf, ok := shippedVariant(d, f); ok {
		return tf, nil
	}
	return Builtin(d.Kind(), f)
}

// BuiltinNamed returns the shipped template of kind and format whose TemplateFile.Name is
// name ("builtin:upd.docx", "builtin:upd-torg12.docx"): a document rendered with a shipped
// template records that name, and re-rendering it must take the same file. An empty name
// (a record without one) gives Builtin(kind, f); a name the binary does not ship is an error.
func BuiltinNamed(kind workflow.DocumentKind, f Format, name string) (TemplateFile, error) {
	if name == "" {
		return Builtin(kind, f)
	}
	for _, v := range append([]string{""}, variants[kind]...) {
		if tf, err := builtinFile(kind, v, f); err == nil && tf.Name == name {
			return tf, nil
		}
	}
	return TemplateFile{}, fmt.Errorf("documents: the binary ships no %s template %q for %s", f, name, kind)
}

// BuiltinSource serves only the shipped templates (offline rendering, tests).
type BuiltinSource struct{}

// Active returns the shipped template.
func (BuiltinSource) Active(_ context.Context, k workflow.DocumentKind, f Format) (TemplateFile, error) {
	return Builtin(k, f)
}

// ByID returns the shipped template for id 0.
func (BuiltinSource) ByID(_ context.Context, k workflow.DocumentKind, f Format, id int64) (TemplateFile, error) {
	if id != 0 {
		return TemplateFile{}, fmt.Errorf("documents: template %d is not available offline", id)
	}
	return Builtin(k, f)
}

// RenderOptions are per-render settings.
type RenderOptions struct {
	// Draft marks the PDF with a large ЧЕРНОВИК watermark.
	Draft bool
	// Logo is the seller's logo (PNG or JPEG) for templates that print one.
	Logo []byte
}

// Renderer renders documents with parsed templates cached by content hash. It is safe for
// concurrent use.
type Renderer struct {
	src TemplateSource
	pdf *pdflayout.Engine

	mu    sync.RWMutex
	pdfs  map[string]*pdflayout.Template
	docxs map[string]*docxfill.Template
}

// NewRenderer returns a renderer reading templates from src (nil: the shipped ones).
func NewRenderer(src TemplateSource) (*Renderer, error) {
	if src == nil {
		src = BuiltinSource{}
	}
	eng, err := pdflayout.NewEngine(pdflayout.EngineOptions{Funcs: pdflayout.Funcs{
		// words AMOUNT CURRENCY: an amount ("3 050 000,00" or "3050000.00") in Russian words.
		"words": pdflayout.StringFunc(2, func(args ...string) (string, error) {
			m, err := workflow.ParseMoney(args[0])
			if err != nil {
				return "", err
			}
			return amount.Words(int64(m), args[1], amount.Options{})
		}),
	}})
	if err != nil {
		return nil, err
	}
	return &Renderer{src: src, pdf: eng, pdfs: map[string]*pdflayout.Template{}, docxs: map[string]*docxfill.Template{}}, nil
}

// Warm prepares the fonts and parses every shipped template ahead of the first request, so
// that the first document of each kind renders as fast as the next ones. Uploaded templates
// are still parsed on first use (they are cached by their SHA-256 like the shipped ones).
func (r *Renderer) Warm() error {
	if err := r.pdf.Warm(); err != nil {
		return err
	}
	for _, k := range workflow.DocumentKinds {
		for _, f := range []Format{PDF, DOCX} {
			for _, v := range append([]string{""}, variants[k]...) {
				if err := r.warm(k, v, f); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// warm parses the shipped template of kind, variant and format, if there is one.
func (r *Renderer) warm(k workflow.DocumentKind, variant string, f Format) error {
	tf, err := builtinFile(k, variant, f)
	if err != nil {
		return nil // a kind without a shipped template of this format
	}
	if f == PDF {
		_, err = r.pdfTemplate(tf)
	} else {
		_, err = r.docxTemplate(tf)
	}
	if err != nil {
		return fmt.Errorf("documents: shipped %s template %s: %w", f, tf.Name, err)
	}
	return nil
}

// Template returns the active template of kind and format: the uploaded one, else the
// shipped one. It does not see the data; TemplateFor, which Render uses, does.
func (r *Renderer) Template(ctx context.Context, kind workflow.DocumentKind, f Format) (TemplateFile, error) {
	return r.src.Active(ctx, kind, f)
}

// TemplateFor returns the template d is rendered with in format f (what Render uses): the
// shipped variant of d's data when one exists in f — the ТОРГ-12 + счёт-фактура DOCX of a
// УПД with profile torg12, whatever is uploaded for the kind — else the active template of
// d's kind.
func (r *Renderer) TemplateFor(ctx context.Context, d Data, f Format) (TemplateFile, error) {
	if tf, ok := shippedVariant(d, f); ok {
		return tf, nil
	}
	return r.src.Active(ctx, d.Kind(), f)
}

// Render renders d with its template (TemplateFor) and returns the bytes and the template
// used (without its bytes).
func (r *Renderer) Render(ctx context.Context, d Data, f Format, o RenderOptions) ([]byte, TemplateFile, error) {
	tf, err := r.TemplateFor(ctx, d, f)
	if err != nil {
		return nil, TemplateFile{}, err
	}
	out, err := r.RenderWith(d, tf, o)
	tf.Bytes = nil
	return out, tf, err
}

// RenderWith renders d with a given template version. The creation date inside the file is
// the document's own date, so the same data and template always give the same bytes.
func (r *Renderer) RenderWith(d Data, tf TemplateFile, o RenderOptions) ([]byte, error) {
	return r.renderView(d, d.View(), tf, o)
}

// RenderEach renders d with each of tfs at once (one goroutine per template), building d's
// view once for all of them: out[i] is the file of tfs[i]. The first error in tfs' order is
// returned, wrapped with its format.
func (r *Renderer) RenderEach(d Data, tfs []TemplateFile, o RenderOptions) ([][]byte, error) {
	view := d.View()
	out := make([][]byte, len(tfs))
	errs := make([]error, len(tfs))
	var wg sync.WaitGroup
	for i := range tfs {
		wg.Go(func() { out[i], errs[i] = r.renderView(d, view, tfs[i], o) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", tfs[i].Format, err)
		}
	}
	return out, nil
}

// renderView is RenderWith with d's view already built; it only reads view, so several
// renders may share one.
func (r *Renderer) renderView(d Data, view map[string]any, tf TemplateFile, o RenderOptions) ([]byte, error) {
	_, date := d.Header()
	switch tf.Format {
	case PDF:
		t, err := r.pdfTemplate(tf)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		buf.Grow(96 << 10)
		number, _ := d.Header()
		title := workflow.DocumentNames[d.Kind()][0]
		if number != "" {
			title += " № " + number
		}
		po := pdflayout.RenderOptions{Draft: o.Draft, Date: date.UTC(), Title: title, Author: "dealgate"}
		if len(o.Logo) > 0 {
			po.Images = map[string][]byte{"logo": o.Logo}
		}
		if _, err := r.pdf.Render(&buf, t, plainData(view).(map[string]any), po); err != nil {
			var mg *pdflayout.MissingGlyphsError
			if errors.As(err, &mg) {
				return nil, glyphError(d, mg)
			}
			return nil, err
		}
		return buf.Bytes(), nil
	case DOCX:
		t, err := r.docxTemplate(tf)
		if err != nil {
			return nil, err
		}
		values, lists := docxfill.Flatten(view)
		var buf bytes.Buffer
		buf.Grow(32 << 10)
		if err := t.Render(&buf, docxfill.Data{Values: values, Lists: lists}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("documents: unknown format %q", tf.Format)
}

// glyphError reports characters the PDF font cannot print as invalid data, naming the
// fields that hold them (JSON paths such as "buyer.name", "lines[2].name"): they were typed by
// a person, who can change them, so the answer is a 422 rather than an internal error.
func glyphError(d Data, mg *pdflayout.MissingGlyphsError) error {
	chars := strings.TrimPrefix(mg.Error(), "pdflayout: the document font has no glyph for")
	var fields []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case string:
			if strings.ContainsFunc(x, func(r rune) bool { return slices.Contains(mg.Runes, r) }) {
				fields = append(fields, path)
			}
		}
	}
	var m any
	if b, err := json.Marshal(d); err == nil && json.Unmarshal(b, &m) == nil {
		walk("", m)
	}
	if len(fields) == 0 {
		fields = []string{"data"}
	}
	ve := &ValidationError{Kind: d.Kind()}
	for _, f := range fields {
		ve.Errors = append(ve.Errors, FieldError{Field: f, Message: "the PDF font has no glyph for" + chars,
			MessageRu: "в шрифте PDF нет символов" + chars})
	}
	return ve
}

// plainData turns a view into the plain decoded-JSON shapes the layout engine reads: its lists
// of maps ([]map[string]any) and of strings ([]string) become []any, so that <each> and
// <row each> can loop over them and <if> tests their emptiness.
func plainData(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainData(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainData(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainData(e)
		}
		return out
	}
	return v
}

func (r *Renderer) pdfTemplate(tf TemplateFile) (*pdflayout.Template, error) {
	key := tf.SHA256
	if key == "" {
		sum := sha256.Sum256(tf.Bytes)
		key = hex.EncodeToString(sum[:])
	}
	r.mu.RLock()
	t := r.pdfs[key]
	r.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	t, err := r.pdf.Parse(tf.Name, tf.Bytes)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.pdfs[key] = t
	r.mu.Unlock()
	return t, nil
}

func (r *Renderer) docxTemplate(tf TemplateFile) (*docxfill.Template, error) {
	key := tf.SHA256
	if key == "" {
		sum := sha256.Sum256(tf.Bytes)
		key = hex.EncodeToString(sum[:])
	}
	r.mu.RLock()
	t := r.docxs[key]
	r.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	t, err := docxfill.NewTemplate(tf.Name, tf.Bytes)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.docxs[key] = t
	r.mu.Unlock()
	return t, nil
}

// TemplateError lists what is wrong with an uploaded template.
type TemplateError struct {
	Problems []string
}

func (e *TemplateError) Error() string {
	return "the template is not acceptable: " + strings.Join(e.Problems, "; ")
}

// CheckTemplate validates an uploaded template for kind: it must parse, and every placeholder
// it uses must be a key of the kind's view (checked against the view of the kind's shipped
// example, which fills every key). Unknown placeholders are listed in the error.
func (r *Renderer) CheckTemplate(kind workflow.DocumentKind, f Format, name string, b []byte) error {
	if _, err := New(kind); err != nil {
		return err
	}
	example, err := Example(kind)
	if err != nil {
		return err
	}
	known := viewPaths(example.View())
	var used []string
	switch f {
	case PDF:
		t, err := r.pdf.Parse(name, b)
		if err != nil {
			return &TemplateError{Problems: []string{err.Error()}}
		}
		used = t.Placeholders()
	case DOCX:
		t, err := docxfill.NewTemplate(name, b)
		if err != nil {
			return &TemplateError{Problems: []string{err.Error()}}
		}
		used = t.Placeholders()
	default:
		return &TemplateError{Problems: []string{fmt.Sprintf("unknown format %q (pdf or docx)", f)}}
	}
	// Lists the example leaves empty cannot vouch for their fields: a path under such a
	// list is accepted when the list itself is a key of the view.
	emptyLists := emptyListPaths(example.View(), "")
	var unknown []string
	for _, p := range used {
		// The layout engine names loop fields "lines[].name"; the view paths read "lines.name".
		n := strings.ReplaceAll(strings.ReplaceAll(p, "[].", "."), "[]", "")
		if known[n] || underEmptyList(n, emptyLists) {
			continue
		}
		unknown = append(unknown, p)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return &TemplateError{Problems: []string{"unknown placeholders: " + strings.Join(unknown, ", ")}}
	}
	// A trial render with the example catches what parsing cannot (limits, missing keys).
	if _, err := r.RenderWith(example, TemplateFile{Kind: kind, Format: f, Name: name, Bytes: b}, RenderOptions{}); err != nil {
		return &TemplateError{Problems: []string{"a trial render with the example data failed: " + err.Error()}}
	}
	return nil
}

// emptyListPaths lists the dotted paths of the lists a view leaves empty.
func emptyListPaths(v map[string]any, prefix string) map[string]bool {
	out := map[string]bool{}
	for k, e := range v {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		switch x := e.(type) {
		case map[string]any:
			for q := range emptyListPaths(x, p) {
				out[q] = true
			}
		case []map[string]any:
			if len(x) == 0 {
				out[p] = true
			}
		case []string:
			if len(x) == 0 {
				out[p] = true
			}
		}
	}
	return out
}

func underEmptyList(path string, empty map[string]bool) bool {
	for p := path; ; {
		if empty[p] {
			return true
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

// viewPaths lists the dotted paths a view offers: "number", "seller.inn", and for lists both
// "lines" and "lines.name" (loop fields).
func viewPaths(v map[string]any) map[string]bool {
	out := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if prefix != "" {
			out[prefix] = true
		}
		join := func(k string) string {
			if prefix == "" {
				return k
			}
			return prefix + "." + k
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(join(k), e)
			}
		case []map[string]any:
			for _, item := range x {
				for k, e := range item {
					walk(join(k), e)
				}
			}
			out[join("#")] = true
		case []any:
			for _, item := range x {
				walk(prefix, item)
			}
			// docxfill loops over a list of texts with {list.value}.
			out[join("value")], out[join("#")] = true, true
		case []string:
			out[join("value")], out[join("#")] = true, true
		}
	}
	walk("", v)
	return out
}

// Example returns the shipped example data of kind (templates/examples/KIND.json), decoded.
func Example(kind workflow.DocumentKind) (Data, error) {
	b, err := fs.ReadFile(templates.Examples(), string(kind)+".json")
	if err != nil {
		return nil, fmt.Errorf("documents: no example for %s", kind)
	}
	return Decode(kind, b)
}

// errNoTemplate is returned when a kind has no template of a format.
var errNoTemplate = errors.New("documents: no template")

var _ = time.Time{}
