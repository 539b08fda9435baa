package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// A document form is generated from the kind's data struct: every input is named by the JSON
// path of its field ("buyer.inn", "lines[2].qty"), which is also how documents.ValidationError
// names a bad field, so an error lands next to its input without a mapping table. The page
// keeps what the user typed as a flat map path → text (formValues) and renders from it, both
// for the prefilled form and for a rejected one, so nothing typed is lost.
//
// The per-kind layout (formLayouts) orders the top-level fields into sections; item lines
// ([]documents.Line) become the catalogue line table with live totals, other lists become
// tables of rows, nested structs fieldsets (a party folds away: it is prefilled).

// formValues is what a form holds: JSON path → the text in the input. A list of strings is
// held under the list's path as one line per item.
type formValues map[string]string

// formErrors maps JSON paths to the message shown next to the field.
type formErrors map[string]string

// formNode is one element of a generated form.
type formNode struct {
	// Kind: text, textarea, date, number, check, select, strings (one per line), group,
	// list (rows of groups), lines (the item table).
	Kind    string
	Name    string // the input name: the JSON path
	ID      string // the element id
	Label   string
	Value   string
	Error   string
	Help    string
	Options []formOption
	// Children are a group's fields, or a list's rows (each a group whose Children are the
	// cells).
	Children []*formNode
	// Fold makes a group a <details> block, open when Open is set.
	Fold    bool
	Open    bool
	Summary string
	// Blank marks a list's empty row (the one to fill to add an item).
	Blank bool
	// Lines holds the line table of a lines node.
	Lines *linesTable
	// AddLabel is the text of a list's "add a row" button.
	AddLabel string
}

// formOption is a choice of a select.
type formOption struct {
	Value, Label string
	Selected     bool
}

// formSection is a titled block of top-level fields.
type formSection struct {
	Title string
	Open  bool
	Nodes []*formNode
}

// docForm is a whole generated form.
type docForm struct {
	Kind     workflow.DocumentKind
	Sections []formSection
	// Problems lists every error with the label of its field, for the summary at the top.
	Problems []formProblem
}

// formProblem is one error of the summary.
type formProblem struct {
	Anchor, Label, Message string
}

// linesTable is the item table of a lines node.
type linesTable struct {
	Rows       []lineRow
	Products   []storage.Product
	DefaultVAT string // the rate of lines without one, for the live totals
	OKEI       bool   // show the ОКЕИ column (УПД)
	Next       int    // the index the next added row gets
	Totals     map[string]string
	Heads      map[string]string // column headings by JSON name
	Labels     map[string]string // texts of the totals line and buttons
}

// productOption is a catalogue item in a line's SKU choice.
type productOption struct {
	SKU, Name, Unit, OKEI, Price, VATRate string
	Selected                              bool
}

// lineRow is one row of the line table; Fields are its inputs by JSON name.
type lineRow struct {
	No     int
	Prefix string // "lines[3]"
	Fields map[string]*formNode
	Blank  bool
	Extra  []*formNode // kept values of the columns not shown (okei, country…)
	SKUs   []productOption
}

// layoutSection names the top-level fields of a section, in order.
type layoutSection struct {
	Ru, En string
	Fields []string
	Open   bool
}

// formLayouts orders each kind's fields. Fields a layout does not name are shown in a last
// "More" section, so a field added to a kind is never unreachable.
var formLayouts = map[workflow.DocumentKind][]layoutSection{
	workflow.DocProposal: {
		{"Предложение", "Proposal", []string{"date", "subject", "addressee", "greeting", "intro", "solution", "benefits"}, true},
		{"Товары и услуги", "Goods and services", []string{"lines", "optional_lines", "currency"}, true},
		{"Условия", "Terms", []string{"delivery_time", "delivery_basis", "delivery_address", "payment_terms", "warranty", "valid_until", "binding"}, true},
		{"Стороны и подписи", "Parties and signatures", []string{"buyer", "seller", "manager", "signer"}, false},
	},
	workflow.DocContract: {
		{"Договор", "Contract", []string{"date", "city", "subject", "currency", "valid_until"}, true},
		{"Товар и цена", "Goods and price", []string{"lines", "total", "total_vat_rate"}, true},
		{"Оплата", "Payment", []string{"advance_percent", "advance_days", "advance_from", "balance_days", "balance_from", "payment_day_type"}, true},
		{"Поставка", "Delivery", []string{"delivery_days", "delivery_day_type", "delivery_from", "delivery_basis", "delivery_address"}, true},
		{"Гарантия и ответственность", "Warranty and liability", []string{"warranty_months", "warranty_from", "warranty_max_months", "penalty_percent", "penalty_cap_percent", "claims_days", "arbitration_court", "vat_change_clause", "edo"}, true},
		{"Стороны", "Parties", []string{"buyer", "seller"}, false},
	},
	workflow.DocSpecification: {
		{"Спецификация", "Specification", []string{"date", "place", "contract", "appendix_number", "currency"}, true},
		{"Товары и услуги", "Goods and services", []string{"lines"}, true},
		{"Поставка и оплата", "Delivery and payment", []string{"delivery_days", "delivery_day_type", "delivery_from", "delivery_basis", "delivery_address", "payment_schedule"}, true},
		{"Гарантия и документы", "Warranty and documents", []string{"warranty_months", "warranty_from", "warranty_max_months", "documents"}, true},
		{"Стороны", "Parties", []string{"buyer", "seller", "consignee"}, false},
	},
	workflow.DocInvoice: {
		{"Счёт", "Invoice", []string{"date", "contract", "specification", "basis", "shipment_date", "payment_due", "purpose", "currency"}, true},
		{"Товары и услуги", "Goods and services", []string{"lines"}, true},
		{"Стороны", "Parties", []string{"buyer", "seller"}, false},
	},
	workflow.DocUPD: {
		{"УПД", "UPD", []string{"date", "status", "profile", "shipment_date", "contract", "specification", "basis", "payment_documents", "government_contract_id", "currency"}, true},
		{"Товары и услуги", "Goods and services", []string{"lines"}, true},
		{"Передача товара", "Handover", []string{"transport", "shipped_by", "received_by", "power_of_attorney"}, true},
		{"Стороны", "Parties", []string{"seller", "buyer", "consignor", "consignee"}, false},
	},
	workflow.DocMeetingReport: {
		{"Встреча", "Meeting", []string{"date", "time", "format", "place", "reason", "goal", "topics"}, true},
		{"Участники", "Participants", []string{"participants"}, true},
		{"Итоги", "Findings", []string{"situation", "needs", "objections", "agreements", "next_steps", "documents_promised"}, true},
		{"Оценка", "Assessment", []string{"assessment", "attachments"}, true},
		{"Стороны", "Parties", []string{"client", "seller", "author"}, false},
	},
	workflow.DocClientCard: {
		{"Клиент", "Client", []string{"date", "company", "industry", "okved", "revenue", "headcount", "group", "priority", "potential", "stage"}, true},
		{"Площадки, оборудование, конкуренты", "Sites, installed base, competitors", []string{"sites", "installed_base", "competitors"}, true},
		{"Потребности и закупки", "Needs and purchasing", []string{"needs", "budget", "procurement"}, true},
		{"ЦПР и контакты", "Decision makers and contacts", []string{"dmu", "contact_history"}, true},
		{"Дальше", "Next", []string{"next_step", "risks", "owner"}, true},
	},
	workflow.DocProductionSchedule: {
		{"График", "Schedule", []string{"date", "contract", "specification", "item", "serial_number", "trigger_date"}, true},
		{"Этапы производства", "Milestones", []string{"milestones"}, true},
		{"Ответственные и стороны", "People and parties", []string{"manager", "buyer", "seller"}, false},
	},
	workflow.DocRecommendationLetter: {
		{"Письмо", "Letter", []string{"date", "addressee", "client_description", "supplied", "assessment", "recommendation"}, true},
		{"Подпись и статус", "Signature and status", []string{"signatory", "status", "requested_on", "received_on"}, true},
		{"Стороны", "Parties", []string{"author", "supplier"}, false},
	},
}

// skippedPaths are not inputs: the number is allocated at finalisation, totals and line
// amounts are derived, and so is a milestone's deviation.
var skippedPaths = map[string]bool{
	"number": true, "totals": true, "optional_totals": true, "milestones[].deviation_days": true,
}

// lineColumns are the inputs of the line table, in order; the other fields of a line are kept
// in hidden inputs (and shown when they have an error).
var lineColumns = []string{"sku", "name", "description", "unit", "qty", "price", "discount_percent", "vat_rate"}

// lineDerived are the derived fields of a line.
var lineDerived = map[string]bool{"amount": true, "vat": true, "total": true}

var (
	dateType  = reflect.TypeFor[documents.Date]()
	lineType  = reflect.TypeFor[documents.Line]()
	partyType = reflect.TypeFor[documents.Party]()
)

// jsonName returns the JSON name of a struct field ("" for none) and whether the field is an
// embedded struct whose fields are promoted into the parent's JSON object.
func jsonName(f reflect.StructField) (name string, embedded bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	name, _, _ = strings.Cut(tag, ",")
	if name == "-" {
		return "", false
	}
	if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
		return "", true
	}
	if name == "" {
		name = f.Name
	}
	return name, false
}

// structFields lists the JSON-visible fields of t, embedded ones flattened.
func structFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		name, embedded := jsonName(f)
		if embedded {
			out = append(out, structFields(f.Type)...)
			continue
		}
		if name != "" {
			out = append(out, f)
		}
	}
	return out
}

// normPath removes the indices of a path: "lines[2].qty" → "lines[].qty".
func normPath(p string) string {
	var b strings.Builder
	skip := false
	for _, r := range p {
		switch {
		case r == '[':
			skip = true
			b.WriteString("[]")
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func inputID(path string) string {
	return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(path)
}

// ---- from data to values -------------------------------------------------------------------

// valuesOf flattens document data (or any JSON-shaped value) into form values.
func valuesOf(v any) formValues {
	out := formValues{}
	raw, err := json.Marshal(v)
	if err != nil {
		return out
	}
	var tree any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if dec.Decode(&tree) != nil {
		return out
	}
	flatten(out, "", tree)
	return out
}

func flatten(out formValues, prefix string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(out, join(prefix, k), e)
		}
	case []any:
		strs := make([]string, 0, len(x))
		allStrings := true
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				allStrings = false
				break
			}
			strs = append(strs, s)
		}
		if allStrings && len(x) > 0 {
			out[prefix] = strings.Join(strs, "\n")
			return
		}
		for i, e := range x {
			flatten(out, fmt.Sprintf("%s[%d]", prefix, i), e)
		}
	case string:
		out[prefix] = x
	case json.Number:
		out[prefix] = x.String()
	case bool:
		if x {
			out[prefix] = "true"
		} else {
			out[prefix] = "false"
		}
	}
}

// ---- from the request to values and JSON ---------------------------------------------------

// parseDocForm reads a posted form for the data struct t. It returns the JSON object to decode,
// the values as typed (list rows renumbered from 0, blank rows dropped, so that the paths of
// the decoder's errors match them) and the errors found while reading (a whole number that is
// not one).
func parseDocForm(t reflect.Type, form url.Values) (map[string]any, formValues, formErrors) {
	p := &formParser{form: form, values: formValues{}, errs: formErrors{}}
	obj, _ := p.object(t, "", "")
	return obj, p.values, p.errs
}

type formParser struct {
	form   url.Values
	values formValues
	errs   formErrors
}

// object reads the struct t whose inputs are named under src, recording values under dst. It
// reports whether anything was filled in.
func (p *formParser) object(t reflect.Type, src, dst string) (map[string]any, bool) {
	obj := map[string]any{}
	filled := false
	for _, f := range structFields(t) {
		name, _ := jsonName(f)
		s, d := join(src, name), join(dst, name)
		if skippedPaths[normPath(d)] || (f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct) {
			continue
		}
		if t == lineType && lineDerived[name] {
			continue
		}
		if v, ok := p.field(f.Type, s, d); ok {
			obj[name] = v
			filled = true
		}
	}
	return obj, filled
}

// field reads one field; ok is false when it was left empty.
func (p *formParser) field(t reflect.Type, src, dst string) (any, bool) {
	switch {
	case t == dateType:
		v := strings.TrimSpace(p.form.Get(src))
		p.values[dst] = v
		return v, v != ""
	case t.Kind() == reflect.String:
		raw := strings.ReplaceAll(p.form.Get(src), "\r\n", "\n")
		p.values[dst] = raw
		v := strings.TrimSpace(raw)
		return v, v != ""
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		raw := p.form.Get(src)
		p.values[dst] = raw
		v := strings.ReplaceAll(strings.TrimSpace(raw), " ", "")
		if v == "" {
			return nil, false
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			p.errs[dst] = "целое число|a whole number"
			return nil, false
		}
		return n, true
	case t.Kind() == reflect.Bool:
		v := p.form.Get(src)
		on := v == "true" || v == "on" || v == "1"
		if on {
			p.values[dst] = "true"
		}
		return on, on
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		v := p.form.Get(src)
		p.values[dst] = v
		switch v {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	case t.Kind() == reflect.Struct:
		return p.object(t, src, dst)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		raw := strings.ReplaceAll(p.form.Get(src), "\r\n", "\n")
		p.values[dst] = raw
		var items []string
		for _, line := range strings.Split(raw, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, line)
			}
		}
		return items, len(items) > 0
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		var items []any
		for _, i := range rowIndices(p.form, src) {
			rowDst := fmt.Sprintf("%s[%d]", dst, len(items))
			// Read into a scratch parser first: a blank row leaves no values behind.
			sub := &formParser{form: p.form, values: formValues{}, errs: formErrors{}}
			obj, filled := sub.object(t.Elem(), fmt.Sprintf("%s[%d]", src, i), rowDst)
			if t.Elem() == lineType {
				filled = lineFilled(obj)
			}
			if !filled {
				continue
			}
			for k, v := range sub.values {
				p.values[k] = v
			}
			for k, v := range sub.errs {
				p.errs[k] = v
			}
			items = append(items, obj)
		}
		return items, len(items) > 0
	}
	return nil, false
}

// lineFilled reports whether a line row holds an item (a row with only a quantity, or only a
// rate, is the blank row to add with).
func lineFilled(obj map[string]any) bool {
	for _, k := range []string{"sku", "name", "description", "price"} {
		if _, ok := obj[k]; ok {
			return true
		}
	}
	return false
}

// rowIndices returns the row indices posted for the list at path, in order.
func rowIndices(form url.Values, path string) []int {
	seen := map[int]bool{}
	prefix := path + "["
	for k := range form {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		n, _, ok := strings.Cut(rest, "]")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < documents.MaxLines+documents.MaxListItems {
			seen[i] = true
		}
	}
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// rowCount returns how many rows the values hold for the list at path.
func (v formValues) rowCount(path string) int {
	n := 0
	prefix := path + "["
	for k := range v {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		idx, _, ok := strings.Cut(rest, "]")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(idx); err == nil && i+1 > n {
			n = i + 1
		}
	}
	return n
}

// errorsOf converts a document validation error into form errors in the page's language.
func errorsOf(err *documents.ValidationError, lang string) formErrors {
	out := formErrors{}
	for _, fe := range err.Errors {
		msg := fe.MessageRu
		if lang == "en" || msg == "" {
			msg = fe.Message
		}
		if old, ok := out[fe.Field]; ok {
			msg = old + "; " + msg
		}
		out[fe.Field] = msg
	}
	return out
}

// localise picks the language half of a "ru|en" message the parser records.
func localise(msg, lang string) string {
	ru, en, ok := strings.Cut(msg, "|")
	if !ok {
		return msg
	}
	if lang == "en" {
		return en
	}
	return ru
}

// ---- building the form ---------------------------------------------------------------------

// formBuilder builds the nodes of one form.
type formBuilder struct {
	kind     workflow.DocumentKind
	lang     string
	values   formValues
	errs     formErrors
	used     map[string]bool // error paths shown next to a field
	products []storage.Product
	labels   map[string]string // path → label, for the error summary
}

// buildDocForm lays out the form of kind from values and errors.
func buildDocForm(k workflow.DocumentKind, lang string, values formValues, errs formErrors, products []storage.Product) (*docForm, error) {
	d, err := documents.New(k)
	if err != nil {
		return nil, err
	}
	t := reflect.TypeOf(d).Elem()
	b := &formBuilder{kind: k, lang: lang, values: values, errs: errs, used: map[string]bool{}, products: products, labels: map[string]string{}}
	byName := map[string]reflect.StructField{}
	var order []string
	for _, f := range structFields(t) {
		name, _ := jsonName(f)
		if skippedPaths[name] {
			continue
		}
		byName[name] = f
		order = append(order, name)
	}
	form := &docForm{Kind: k}
	placed := map[string]bool{}
	for _, ls := range formLayouts[k] {
		sec := formSection{Title: pickLang(lang, ls.Ru, ls.En), Open: ls.Open}
		for _, name := range ls.Fields {
			f, ok := byName[name]
			if !ok || placed[name] {
				continue
			}
			placed[name] = true
			sec.Nodes = append(sec.Nodes, b.node(t, f, "", name))
		}
		form.Sections = append(form.Sections, sec)
	}
	var rest []*formNode
	for _, name := range order {
		if !placed[name] {
			rest = append(rest, b.node(t, byName[name], "", name))
		}
	}
	if len(rest) > 0 {
		form.Sections = append(form.Sections, formSection{Title: pickLang(lang, "Прочее", "More"), Open: len(formLayouts[k]) == 0, Nodes: rest})
	}
	for i := range form.Sections {
		for _, n := range form.Sections[i].Nodes {
			if n.hasError() {
				form.Sections[i].Open = true
			}
		}
	}
	// The summary lists every error; those without a field of their own only there.
	paths := make([]string, 0, len(errs))
	for p := range errs {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return pathLess(paths[i], paths[j]) })
	for _, p := range paths {
		label := b.labels[p]
		if label == "" {
			label = p
		}
		anchor := ""
		if b.used[p] {
			anchor = inputID(p)
		}
		form.Problems = append(form.Problems, formProblem{Anchor: anchor, Label: label, Message: localise(errs[p], lang)})
	}
	return form, nil
}

// pathLess orders paths with the numbers in them compared as numbers ("lines[2]" before
// "lines[10]").
func pathLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da != "" && db != "" {
			if len(da) != len(db) {
				return len(da) < len(db)
			}
			if da != db {
				return da < db
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func (n *formNode) hasError() bool {
	if n.Error != "" {
		return true
	}
	for _, c := range n.Children {
		if c.hasError() {
			return true
		}
	}
	if n.Lines != nil {
		for _, r := range n.Lines.Rows {
			for _, f := range r.Fields {
				if f.Error != "" {
					return true
				}
			}
			for _, f := range r.Extra {
				if f.Error != "" {
					return true
				}
			}
		}
	}
	return false
}

// errAt returns the localised error at path and marks it shown.
func (b *formBuilder) errAt(path, label string) string {
	b.labels[path] = label
	msg, ok := b.errs[path]
	if !ok {
		return ""
	}
	b.used[path] = true
	return localise(msg, b.lang)
}

// node builds the node of field f of parent type pt at path.
func (b *formBuilder) node(pt reflect.Type, f reflect.StructField, prefix, name string) *formNode {
	path := join(prefix, name)
	t := f.Type
	n := &formNode{Name: path, ID: inputID(path), Label: fieldLabel(b.lang, pt, name, path), Value: b.values[path], Help: fieldHelp(b.lang, b.kind, normPath(path))}
	n.Error = b.errAt(path, n.Label)
	switch {
	case t == dateType:
		n.Kind = "date"
	case t.Kind() == reflect.String:
		if opts, ok := fieldOptions(b.lang, b.kind, normPath(path)); ok {
			n.Kind = "select"
			n.Options = selectOptions(opts, n.Value)
		} else if paragraphFields[name] {
			n.Kind = "textarea"
		} else {
			n.Kind = "text"
		}
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		if opts, ok := fieldOptions(b.lang, b.kind, normPath(path)); ok {
			n.Kind = "select"
			n.Options = selectOptions(opts, n.Value)
		} else {
			n.Kind = "number"
		}
	case t.Kind() == reflect.Bool:
		n.Kind = "check"
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		n.Kind = "select"
		n.Options = selectOptions([]formOption{{"", pickLang(b.lang, "по умолчанию (да)", "default (yes)"), false}, {"true", pickLang(b.lang, "да", "yes"), false}, {"false", pickLang(b.lang, "нет", "no"), false}}, n.Value)
	case t.Kind() == reflect.Struct:
		n.Kind = "group"
		for _, sf := range structFields(t) {
			sn, _ := jsonName(sf)
			if skippedPaths[normPath(join(path, sn))] || (sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct) {
				continue
			}
			n.Children = append(n.Children, b.node(t, sf, path, sn))
		}
		if t == partyType {
			n.Fold = true
			n.Summary = strings.TrimSpace(b.values[join(path, "name")])
			if inn := b.values[join(path, "inn")]; inn != "" {
				n.Summary += " · ИНН " + inn
			}
			if n.Summary == "" {
				n.Summary = pickLang(b.lang, "не заполнено", "not filled in")
			}
		}
		n.Open = n.hasError()
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		n.Kind = "strings"
	case t.Kind() == reflect.Slice && t.Elem() == lineType:
		n.Kind = "lines"
		n.Lines = b.linesTable(path)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		n.Kind = "list"
		n.AddLabel = pickLang(b.lang, "+ Добавить строку", "+ Add a row")
		rows := b.values.rowCount(path)
		for i := 0; i <= rows; i++ {
			rp := fmt.Sprintf("%s[%d]", path, i)
			row := &formNode{Kind: "group", Name: rp, ID: inputID(rp), Blank: i == rows}
			for _, sf := range structFields(t.Elem()) {
				sn, _ := jsonName(sf)
				if skippedPaths[normPath(join(rp, sn))] || (sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct) {
					continue
				}
				row.Children = append(row.Children, b.node(t.Elem(), sf, rp, sn))
			}
			n.Children = append(n.Children, row)
		}
	default:
		n.Kind = "text"
	}
	return n
}

// linesTable builds the item table at path.
func (b *formBuilder) linesTable(path string) *linesTable {
	lt := &linesTable{Products: b.products, DefaultVAT: "22", OKEI: b.kind == workflow.DocUPD}
	rows := b.values.rowCount(path)
	lt.Next = rows + 1
	for i := 0; i <= rows; i++ {
		rp := fmt.Sprintf("%s[%d]", path, i)
		row := lineRow{No: i + 1, Prefix: rp, Fields: map[string]*formNode{}, Blank: i == rows}
		shown := map[string]bool{}
		for _, c := range lineColumns {
			shown[c] = true
		}
		if lt.OKEI {
			shown["okei"] = true
		}
		for _, sf := range structFields(lineType) {
			name, _ := jsonName(sf)
			p := join(rp, name)
			if lineDerived[name] {
				continue
			}
			n := &formNode{Name: p, ID: inputID(p), Label: fieldLabel(b.lang, lineType, name, p), Value: b.values[p]}
			n.Error = b.errAt(p, fmt.Sprintf("%s, %s %d: %s", fieldLabel(b.lang, nil, normPath(path), path), pickLang(b.lang, "строка", "line"), i+1, n.Label))
			if name == "vat_rate" {
				n.Kind = "select"
				n.Options = selectOptions(vatOptions(b.lang), n.Value)
			} else {
				n.Kind = "text"
			}
			if shown[name] {
				row.Fields[name] = n
			} else if n.Value != "" || n.Error != "" {
				row.Extra = append(row.Extra, n)
			}
		}
		if amt := b.values[rp+".amount"]; amt != "" {
			row.Fields["amount"] = &formNode{Kind: "output", Value: amt}
		}
		sku := b.values[rp+".sku"]
		found := false
		for _, p := range b.products {
			o := productOption{SKU: p.SKU, Name: p.Name, Unit: p.Unit, OKEI: p.OKEI, Price: p.Price.String(), VATRate: p.VATRate, Selected: p.SKU == sku}
			found = found || o.Selected
			row.SKUs = append(row.SKUs, o)
		}
		if sku != "" && !found {
			row.SKUs = append(row.SKUs, productOption{SKU: sku, Selected: true})
		}
		lt.Rows = append(lt.Rows, row)
	}
	lt.Heads = map[string]string{}
	for _, c := range append(append([]string{}, lineColumns...), "okei") {
		lt.Heads[c] = fieldLabel(b.lang, lineType, c, c)
	}
	lt.Labels = map[string]string{
		"net": pickLang(b.lang, "Итого без НДС", "Net"), "vat": pickLang(b.lang, "НДС", "VAT"), "gross": pickLang(b.lang, "Всего с НДС", "Total incl. VAT"),
		"amount": pickLang(b.lang, "Сумма без НДС", "Amount excl. VAT"), "add": pickLang(b.lang, "+ Добавить позицию", "+ Add a line"),
		"remove": pickLang(b.lang, "Удалить строку", "Remove the line"), "none": pickLang(b.lang, "— вручную —", "— typed in —"),
	}
	lt.Totals = map[string]string{}
	totalsPath := "totals"
	if path != "lines" {
		totalsPath = strings.TrimSuffix(path, "lines") + "totals"
	}
	for _, k := range []string{"net", "vat", "gross"} {
		if v := b.values[totalsPath+"."+k]; v != "" {
			lt.Totals[k] = v
		}
	}
	// Errors on the list itself ("at least one item") and its totals show above the table.
	return lt
}

// selectOptions marks the selected option; a value not among the options is kept as an extra
// option so that nothing typed is lost.
func selectOptions(opts []formOption, value string) []formOption {
	out := make([]formOption, 0, len(opts)+1)
	found := false
	for _, o := range opts {
		o.Selected = o.Value == value
		found = found || o.Selected
		out = append(out, o)
	}
	if !found && value != "" {
		out = append(out, formOption{Value: value, Label: value, Selected: true})
	}
	return out
}

func pickLang(lang, ru, en string) string {
	if lang == "en" {
		return en
	}
	return ru
}

// buildFields lays out the fields of any struct type t (the seller profile's documents.Party)
// the way a document form lays out a kind's fields; it returns the nodes and the error summary.
func buildFields(t reflect.Type, lang string, values formValues, errs formErrors) ([]*formNode, []formProblem) {
	b := &formBuilder{lang: lang, values: values, errs: errs, used: map[string]bool{}, labels: map[string]string{}}
	var nodes []*formNode
	for _, f := range structFields(t) {
		name, _ := jsonName(f)
		nodes = append(nodes, b.node(t, f, "", name))
	}
	var probs []formProblem
	for p, m := range errs {
		anchor := ""
		if b.used[p] {
			anchor = inputID(p)
		}
		probs = append(probs, formProblem{Anchor: anchor, Label: firstNonEmpty(b.labels[p], p), Message: localise(m, lang)})
	}
	sort.Slice(probs, func(i, j int) bool { return pathLess(probs[i].Label, probs[j].Label) })
	return nodes, probs
}
