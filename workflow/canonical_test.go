package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The tests of this file compare CanonicalJSON with canonicalReference, the implementation
// every stored hash was computed with, byte for byte, and check that the comparison is not
// won by the fallback: the fast path must have produced the bytes itself.

// canonicalFast runs the fast path on raw, a JSON value as encoding/json writes it.
func canonicalFast(raw []byte) (json.RawMessage, bool) {
	s := canonicalScratches.Get().(*canonicalScratch)
	defer s.put()
	return s.run(raw)
}

// sameCanonical fails t unless CanonicalJSON(v) and canonicalReference(v) give the same bytes
// or the same error. It reports whether the fast path handled v on its own.
func sameCanonical(t testing.TB, name string, v any) (fast bool) {
	t.Helper()
	want, werr := canonicalReference(v)
	got, gerr := CanonicalJSON(v)
	switch {
	case werr != nil || gerr != nil:
		if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
			t.Fatalf("%s: error %v, the reference's %v", name, gerr, werr)
		}
		return false
	case !bytes.Equal(got, want):
		t.Fatalf("%s: CanonicalJSON differs from the reference\n got %q\nwant %q", name, got, want)
	}
	// The parser also gets json.Marshal's output, with <, >, & and the separators escaped.
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out, marshalOK := canonicalFast(raw)
	if marshalOK && !bytes.Equal(out, want) {
		t.Fatalf("%s: the fast path on json.Marshal's output differs\n got %q\nwant %q", name, out, want)
	}
	out, ok, err := canonicalEncode(v)
	if err != nil || ok && !bytes.Equal(out, want) {
		t.Fatalf("%s: the fast path differs: %v\n got %q\nwant %q", name, err, out, want)
	}
	if ok != marshalOK {
		t.Fatalf("%s: the fast path gives up on one encoding only (%v, %v)", name, ok, marshalOK)
	}
	return ok
}

// mustFast is sameCanonical for a value the fast path must handle.
func mustFast(t testing.TB, name string, v any) {
	t.Helper()
	if !sameCanonical(t, name, v) {
		t.Fatalf("%s: the fast path gave up", name)
	}
}

// exampleFiles are the example data of the document kinds, as the templates and the PDF
// layout tests ship them.
func exampleFiles(t testing.TB) map[string][]byte {
	t.Helper()
	var paths []string
	for _, pattern := range []string{"../templates/examples/*.json", "../documents/*/testdata/*.json", "../documents/testdata/*.json"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d example files: %v", len(paths), paths)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatalf("%s is not JSON", p)
		}
		files[p] = b
	}
	return files
}

// decodeAny decodes b into an interface{}, with json.Number or float64 numbers.
func decodeAny(b []byte, useNumber bool) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if useNumber {
		dec.UseNumber()
	}
	var v any
	err := dec.Decode(&v)
	return v, err
}

func TestCanonicalJSONExampleData(t *testing.T) {
	t.Parallel()
	for path, b := range exampleFiles(t) {
		mustFast(t, path+" raw", json.RawMessage(b))
		for _, useNumber := range []bool{true, false} {
			v, err := decodeAny(b, useNumber)
			if err != nil {
				t.Fatal(err)
			}
			mustFast(t, fmt.Sprintf("%s decoded (UseNumber %v)", path, useNumber), v)
		}
	}
}

// Types shaped like the document data of the documents package (which imports this one, so
// its types cannot be used here): structs whose fields encoding/json writes in declaration
// order, an embedded struct, omitempty and omitzero, a date with its own MarshalJSON.

type testCompany struct {
	Name        string `json:"name"`
	INN         string `json:"inn"`
	KPP         string `json:"kpp"`
	OGRN        string `json:"ogrn"`
	Address     string `json:"address"`
	BankName    string `json:"bank_name"`
	BIK         string `json:"bik"`
	CorrAccount string `json:"corr_account"`
	Account     string `json:"account"`
}

type testParty struct {
	testCompany
	PostalAddress         string `json:"postal_address,omitempty"`
	Phone                 string `json:"phone,omitempty"`
	Email                 string `json:"email,omitempty"`
	DirectorName          string `json:"director_name,omitempty"`
	DirectorTitle         string `json:"director_title,omitempty"`
	DirectorNameGenitive  string `json:"director_name_genitive,omitempty"`
	DirectorTitleGenitive string `json:"director_title_genitive,omitempty"`
	Basis                 string `json:"basis,omitempty"`
	ChiefAccountant       string `json:"chief_accountant,omitempty"`
}

type testContact struct {
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
}

type testLine struct {
	SKU             string `json:"sku,omitempty"`
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	Unit            string `json:"unit,omitempty"`
	OKEI            string `json:"okei,omitempty"`
	Qty             string `json:"qty"`
	Price           string `json:"price"`
	DiscountPercent string `json:"discount_percent,omitempty"`
	VATRate         string `json:"vat_rate,omitempty"`
	Amount          string `json:"amount,omitempty"`
	VAT             string `json:"vat,omitempty"`
	Total           string `json:"total,omitempty"`
}

type testRateTotal struct {
	Rate  string `json:"rate"`
	Net   string `json:"net"`
	VAT   string `json:"vat"`
	Gross string `json:"gross"`
}

type testTotals struct {
	Net    string          `json:"net"`
	VAT    string          `json:"vat"`
	Gross  string          `json:"gross"`
	ByRate []testRateTotal `json:"by_rate"`
}

// testDate writes itself as "YYYY-MM-DD", or null when zero, as document dates do.
type testDate struct{ time.Time }

func (d testDate) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.Format("2006-01-02"))
}

func (d *testDate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil || s == "" {
		return err
	}
	t, err := time.Parse("2006-01-02", s)
	d.Time = t
	return err
}

// testProposal has the fields of a proposal in their declaration order, which is not the
// canonical one.
type testProposal struct {
	Number          string      `json:"number,omitempty"`
	Date            testDate    `json:"date"`
	Seller          testParty   `json:"seller"`
	Buyer           testParty   `json:"buyer"`
	Addressee       testContact `json:"addressee"`
	Greeting        string      `json:"greeting,omitempty"`
	Subject         string      `json:"subject"`
	Intro           string      `json:"intro,omitempty"`
	Solution        string      `json:"solution,omitempty"`
	Benefits        []string    `json:"benefits,omitempty"`
	Currency        string      `json:"currency,omitempty"`
	Lines           []testLine  `json:"lines"`
	OptionalLines   []testLine  `json:"optional_lines,omitempty"`
	DeliveryTime    string      `json:"delivery_time"`
	DeliveryBasis   string      `json:"delivery_basis,omitempty"`
	DeliveryAddress string      `json:"delivery_address,omitempty"`
	PaymentTerms    string      `json:"payment_terms"`
	Warranty        string      `json:"warranty,omitempty"`
	ValidUntil      testDate    `json:"valid_until"`
	Binding         bool        `json:"binding"`
	Manager         testContact `json:"manager"`
	Signer          testContact `json:"signer,omitzero"`
	Totals          *testTotals `json:"totals,omitempty"`
	OptionalTotals  *testTotals `json:"optional_totals,omitempty"`
}

// exampleProposal reads the shipped example proposal (strictly: every field of the file has
// its place in testProposal) and fills in derived amounts, as a validated proposal carries
// them.
func exampleProposal(t testing.TB) testProposal {
	t.Helper()
	b, err := os.ReadFile("../templates/examples/proposal.json")
	if err != nil {
		t.Fatal(err)
	}
	var p testProposal
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if len(p.Lines) < 3 || p.Seller.Name == "" || p.Seller.DirectorName == "" {
		t.Fatalf("the example proposal was not read: %+v", p)
	}
	for i := range p.Lines {
		l := &p.Lines[i]
		l.Amount, l.VAT, l.Total = "4940000.00", "1086800.00", "6026800.00"
	}
	p.Totals = &testTotals{Net: "6285000.00", VAT: "1382700.00", Gross: "7667700.00",
		ByRate: []testRateTotal{{Rate: "22", Net: "6285000.00", VAT: "1382700.00", Gross: "7667700.00"}}}
	return p
}

func TestCanonicalJSONProposalStruct(t *testing.T) {
	t.Parallel()
	p := exampleProposal(t)
	mustFast(t, "proposal", p)
	mustFast(t, "proposal pointer", &p)
	p.Number, p.Subject = "№ <7> & «8»", "a\u2028b"
	p.Lines = append(p.Lines, testLine{Name: "\xff<>", Qty: "1"})
	mustFast(t, "proposal with tricky strings", &p)
}

// testTemplateRef has the shape of the template references in a document event.
type testTemplateRef struct {
	Format  string `json:"format"`
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	Name    string `json:"name"`
}

// eventPayloads are the payloads the storage package hashes, one of each kind.
func eventPayloads() map[string]any {
	sum := strings.Repeat("9f", 32)
	supersedes := int64(812)
	return map[string]any{
		"deal_created": map[string]any{"title": "Компрессоры для «Ромашки» <срочно> & недорого", "company_id": int64(17),
			"owner_id": int64(3), "amount": Money(150000000), "cost": Money(0), "currency": "RUB",
			"pipeline_id": int64(1), "pipeline_version": 4, "pipeline_sha256": sum},
		"activity": map[string]any{"activity_id": int64(9001), "kind": "meeting", "note": "Встреча\tс главным инженером\n«ВК-55» \\ 2 шт.",
			"decision_maker": true},
		"fact": map[string]any{"fact_id": int64(77), "kind": "payment",
			"data": json.RawMessage(`{"amount":"750000.00","date":"2026-03-20","note":"аванс 50 %"}`)},
		"document_finalised": map[string]any{"document_id": int64(913), "kind": DocProposal, "number": "КП-2026-0123", "version": 2,
			"data_sha256": sum, "files": map[string]string{"pdf": sum, "docx": sum},
			"templates":     []testTemplateRef{{Format: "pdf", SHA256: sum, Name: "proposal.pdf.tmpl"}, {Format: "docx", ID: 12, Version: 3, SHA256: sum, Name: "КП «фирменный».docx"}},
			"supersedes_id": supersedes},
		"document_superseded": map[string]any{"document_id": int64(812), "kind": DocProposal, "number": "КП-2026-0123", "version": 1, "superseded_by": int64(913)},
		"signed_copy": map[string]any{"document_id": int64(913), "attachment_id": int64(5), "kind": DocProposal, "number": "КП-2026-0123",
			"filename": "скан <подписан>.pdf", "content_type": "application/pdf", "sha256": sum, "size": int64(1 << 20)},
	}
}

func TestCanonicalJSONEventPayloads(t *testing.T) {
	t.Parallel()
	for name, p := range eventPayloads() {
		mustFast(t, name, p)
	}
}

// trickyStrings are strings whose encoding differs between encoding/json with and without
// HTML escaping, or that the decoder changes.
var trickyStrings = []string{
	"", "a", "<", ">", "&", "<a href=\"x\">&amp;</a>", `\`, `"`, "/", "</script>",
	"\x00", "\x01", "\x07", "\b", "\f", "\n", "\r", "\t", "\x0b", "\x1f", "\x7f", " ",
	"\u2028", "\u2029", "a\u2028b\u2029c", "\u2027\u202a", "\ufffd", "\ufffe", "\uffff",
	"\xff", "a\xffb", "\xfe\xff", "\xc3", "\xc3(", "\xe2\x80", "\xe2\x80\xa8", "\xed\xa0\x80", "\xed\xbf\xbf",
	"\xf0\x9f\x98", "\xf4\x90\x80\x80", "\xc0\xaf", "\x80", "\xc3\xc3\xa9", "\xdf\xff", "\xc2\x80", "\xc1\xbf", "\xdf\xbf",
	"\xd0\x22", "\xe0\x80\x80", "\xf0\x80\x80\x80", "\xef\xbf\xbd\xbd", "é", "Ж", "«Ромашка»", "😀", "\U0010ffff",
	"\u0000\u2028\ufffd<>&\"\\\n", "КП-2026-0123 № 5", strings.Repeat("<Ж>", 50), strings.Repeat("a", 300),
}

// trickyKeys are object keys, among them ones that become the same key once encoded
// (invalid bytes all turn into U+FFFD).
var trickyKeys = append([]string{"a", "A", "b", "aa", "a\x00", "a\xff", "a\xfe", "a\ufffd", "\xff", "\ufffd",
	"\u2028", "<", "&", "é", "e", "z", "Z", "0", "10", "9", "_", "ключ", "Ключ", "😀", "\U0001F600x"}, trickyStrings...)

// trickyRaw are JSON texts as they may be stored in a json.RawMessage: white space, escapes
// encoding/json would not write, duplicate keys, invalid UTF-8, numbers in every form.
var trickyRaw = []string{
	`null`, `true`, `false`, `0`, `-0`, `1e3`, `1E+3`, `-1.5e-10`, `0.10`, `123456789012345678901234567890`,
	`-9223372036854775809`, `1.7976931348623157e309`, `""`, `{}`, `[]`, ` { } `, ` [ ] `, "\t[\n1 ,\r2 ]\n",
	`{"b":1,"a":2}`, `{"a":1,"a":2}`, `{"a":1,"b":2,"a":3}`, `{"a":{"x":1},"a":[1]}`, `{"\u0061":1,"a":2}`, `{"a":1,"\u0061":2}`,
	`{"\ud83d\ude00":1,"😀":2,"\uD83D\uDE00":3}`, `{"\u003c":1,"<":2,"\u003C":3}`, `{"a\/b":1,"a/b":2}`,
	`"\ud800"`, `"\udc00"`, `"\ud800\ud800"`, `"\udc00\ud800"`, `"\ud800x"`, `"\ud800\u0041"`, `"\ud83d\ude00"`, `"\uD83D\uDE00"`,
	`"\u0000\u001f\u007f\u0080\u00ff"`, `"\u0008\u000c\u000a\u000d\u0009\u000b"`, `"\u2028\u2029"`, `"\uFFFD\uffff\ufffe"`,
	`"\/\\\"\b\f\n\r\t"`, `"\u003c\u003e\u0026"`, "\"\u2028\u2029\"", "\"\xff\xfe\"", "\"a\xc3\"", "\"\xed\xa0\x80\"",
	"{\"\xff\":1,\"\xfe\":2}", "{\"\xff\":1,\"\\ufffd\":2,\"\ufffd\":3}", "{\"k\":\"\xe2\x80\xa8\"}",
	`{"z":[{"b":{"d":1,"c":2},"a":[]}],"y":{},"x":"\u00e9"}`, ` {"b" : [ 1 , { "d" : null , "c" : true } ] , "a" : "x" } `,
	`[{"":1,"":2}]`, `{"":{"":{"":[]}}}`, `{"aa":1,"a":2,"a\u0000":3,"a ":4}`,
}

// A struct with every feature that decides which keys encoding/json writes.
type testEmbedded struct {
	Name    string `json:"name"`
	Account string `json:"account,omitempty"`
}

type testInner struct {
	Shadowed string `json:"shadowed"`
	Deep     int    `json:"deep,omitempty"`
	Z        string
}

type testOuter struct {
	testInner
	*testEmbedded `json:"embedded,omitempty"`
	Shadowed      string            `json:"shadowed"`
	HTML          string            `json:"a<b>&c"`
	Unicode       string            `json:"ключ"`
	Plain         string            // no tag: the Go name
	Skipped       string            `json:"-"`
	Dash          string            `json:"-,"`
	Empty         string            `json:",omitempty"`
	Quoted        int64             `json:"quoted,string"`
	QuotedF       float64           `json:"qf,string"`
	When          time.Time         `json:"when"`
	WhenPtr       *time.Time        `json:"when_ptr,omitempty"`
	Zero          time.Time         `json:"zero,omitzero"`
	Dur           time.Duration     `json:"dur"`
	Bytes         []byte            `json:"bytes"`
	NilMap        map[string]int    `json:"nil_map"`
	NilSlice      []string          `json:"nil_slice"`
	EmptyMap      map[string]int    `json:"empty_map"`
	EmptySlice    []string          `json:"empty_slice"`
	IntKeys       map[int]string    `json:"int_keys"`
	Raw           json.RawMessage   `json:"raw"`
	Num           json.Number       `json:"num"`
	Any           any               `json:"any"`
	Ptr           *int              `json:"ptr"`
	F32           float32           `json:"f32"`
	F64           float64           `json:"f64"`
	U8            uint8             `json:"u8"`
	Arr           [2]bool           `json:"arr"`
	Money         Money             `json:"money"`
	Kind          DocumentKind      `json:"kind"`
	Nested        map[string]any    `json:"nested,omitempty"`
	Strs          map[string]string `json:"strs"`
}

func TestCanonicalJSONTricky(t *testing.T) {
	t.Parallel()
	for i, s := range trickyStrings {
		mustFast(t, fmt.Sprintf("string %d %q", i, s), s)
		mustFast(t, fmt.Sprintf("key %d %q", i, s), map[string]string{s: s, "x" + s: s + "x"})
		raw := json.RawMessage(`"` + s + `"`)
		if json.Valid(raw) {
			mustFast(t, fmt.Sprintf("raw string %d %q", i, s), raw)
		} else {
			sameCanonical(t, fmt.Sprintf("raw string %d %q", i, s), raw) // the same error
		}
	}
	keys := map[string]any{}
	for i, k := range trickyKeys {
		keys[k] = i
	}
	mustFast(t, "all tricky keys", keys)
	for i, r := range trickyRaw {
		if !json.Valid([]byte(r)) {
			t.Fatalf("trickyRaw[%d] %q is not JSON", i, r)
		}
		mustFast(t, fmt.Sprintf("raw %d %q", i, r), json.RawMessage(r))
		mustFast(t, fmt.Sprintf("raw %d inside", i), map[string]any{"v": json.RawMessage(r), "a": []any{json.RawMessage(r)}})
	}
	for _, n := range []string{"0", "-0", "1e3", "1E3", "0.10", "1.0e+2", "123456789012345678901234567890", "-1"} {
		mustFast(t, "number "+n, map[string]any{"n": json.Number(n), "l": []json.Number{json.Number(n)}})
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e20, 1e21, 1e-6, 1e-7, 0.1, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64, -123.456} {
		mustFast(t, fmt.Sprintf("float %v", f), []any{f})
		if f32 := float32(f); !math.IsInf(float64(f32), 0) {
			mustFast(t, fmt.Sprintf("float32 %v", f32), []any{f32})
		}
	}
	for _, v := range []any{nil, map[string]any(nil), []any(nil), map[string]any{}, []any{}, [0]int{}, struct{}{},
		map[string]any{"m": map[string]any(nil), "s": []int(nil), "e": map[string]any{}, "l": []any{}},
		math.MaxInt64, math.MinInt64, uint64(math.MaxUint64), []byte("<\xff>"), time.Date(2026, 3, 2, 9, 15, 0, 123456789, time.FixedZone("MSK", 3*3600)),
	} {
		mustFast(t, fmt.Sprintf("%T %v", v, v), v)
	}
	n := 7
	when := time.Date(2026, 11, 27, 12, 57, 0, 1, time.UTC)
	full := testOuter{testInner: testInner{Shadowed: "inner", Deep: 3, Z: "z"}, testEmbedded: &testEmbedded{Name: "ООО «<Ромашка>»"},
		Shadowed: "outer", HTML: "<&>", Unicode: "\u2028", Plain: "p", Skipped: "s", Dash: "d", Quoted: -5, QuotedF: 0.5,
		When: when, WhenPtr: &when, Dur: time.Second, Bytes: []byte{0, 255, '<'}, EmptyMap: map[string]int{}, EmptySlice: []string{},
		IntKeys: map[int]string{10: "ten", 9: "nine", -1: "minus", 100: "hundred"}, Raw: json.RawMessage(" {\"b\" : \"\\u003c\", \"a\" : 1 } "),
		Num: "1e3", Any: map[string]any{"y": 1, "x": []any{"\xff", nil}}, Ptr: &n, F32: 0.1, F64: 1e21, U8: 255, Arr: [2]bool{true, false},
		Money: 123456, Kind: DocProposal, Nested: map[string]any{"b": testInner{}, "a": &testInner{Shadowed: "s"}},
		Strs: map[string]string{"\xff": "1", "\xfe": "2", "<": "3"}}
	mustFast(t, "full struct", full)
	mustFast(t, "zero struct", testOuter{Num: "0"})
	mustFast(t, "struct pointer in a slice", []*testOuter{&full, nil})
}

// TestCanonicalJSONDuplicateKeys pins the rule the fast path shares with the reference: of
// members with the same decoded key the last one stays, in the place the sort gives it.
func TestCanonicalJSONDuplicateKeys(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"a":1,"a":2}`:                       `{"a":2}`,
		`{"b":0,"a":1,"b":[{"y":1,"x":2}]}`:   `{"a":1,"b":[{"x":2,"y":1}]}`,
		`{"\u0061":1,"a":2,"\u0061":3,"b":4}`: `{"a":3,"b":4}`,
		"{\"\xff\":1,\"\\ufffd\":2}":          "{\"\ufffd\":2}",
	} {
		got, err := CanonicalJSON(json.RawMessage(in))
		if err != nil || string(got) != want {
			t.Errorf("CanonicalJSON(%s) = %s, %v; want %s", in, got, err, want)
		}
		mustFast(t, in, json.RawMessage(in))
	}
	// Many members with few keys: which one stays must not depend on the sort's luck.
	for n := 13; n <= 200; n += 17 {
		var b strings.Builder
		b.WriteByte('{')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":%d`, (i*7)%5, i)
		}
		b.WriteByte('}')
		mustFast(t, b.String(), json.RawMessage(b.String()))
	}
	// Two Go keys that encode alike.
	got, err := CanonicalJSON(map[string]int{"k\xff": 1, "k\xfe": 2})
	if err != nil || string(got) != "{\"k\ufffd\":1}" {
		t.Errorf("keys k\\xff and k\\xfe: %s, %v", got, err)
	}
}

// TestCanonicalJSONDeep: nesting beyond canonicalMaxDepth goes the reference way, and nesting
// beyond what the decoder accepts is the same error as before.
func TestCanonicalJSONDeep(t *testing.T) {
	t.Parallel()
	nest := func(depth int) any {
		var v any = "leaf"
		for i := range depth {
			if i%2 == 0 {
				v = []any{v}
			} else {
				v = map[string]any{"k": v, "<": i}
			}
		}
		return v
	}
	mustFast(t, "depth 1000", nest(canonicalMaxDepth))
	if sameCanonical(t, "depth 1001", nest(canonicalMaxDepth+1)) {
		t.Error("the fast path followed nesting deeper than canonicalMaxDepth")
	}
	if _, err := CanonicalJSON(nest(10001)); err == nil {
		t.Error("nesting of 10001 was accepted; the decoder refused it before")
	}
	sameCanonical(t, "depth 10001", nest(10001))
	sameCanonical(t, "raw depth 10001", json.RawMessage(strings.Repeat("[", 10001)+strings.Repeat("]", 10001)))
}

// TestCanonicalJSONErrors: what encoding/json refuses is refused with the same error.
func TestCanonicalJSONErrors(t *testing.T) {
	t.Parallel()
	type cyclic struct{ Next *cyclic }
	c := &cyclic{}
	c.Next = c
	for name, v := range map[string]any{"channel": make(chan int), "function": func() {}, "NaN": math.NaN(), "Inf": math.Inf(1),
		"broken raw": json.RawMessage(`{"a":`), "raw with a control character": json.RawMessage("\"\x01\""), "bad number": json.Number("1x"),
		"cycle": c, "two raw values": json.RawMessage(`1 2`)} {
		if _, err := CanonicalJSON(v); err == nil {
			t.Errorf("%s: accepted", name)
		}
		sameCanonical(t, name, v)
	}
}

// randomValue builds a random value of the kinds CanonicalJSON meets, with tricky strings.
func randomValue(r *rand.Rand, depth int) any {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	str := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(pick(trickyStrings))
		}
		return b.String()
	}
	kinds := 12
	if depth <= 0 {
		kinds = 7
	}
	switch r.IntN(kinds) {
	case 0:
		return str()
	case 1:
		return r.Int64() >> r.IntN(64)
	case 2:
		return []float64{r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20)), math.Copysign(0, -1), float64(r.IntN(100))}[r.IntN(3)]
	case 3:
		return json.Number(pick([]string{"0", "-0", "1e3", "0.10", "-1.5E-7", "123456789012345678901234567890"}))
	case 4:
		return []any{nil, true, false}[r.IntN(3)]
	case 5:
		return json.RawMessage(pick(trickyRaw))
	case 6:
		return Money(r.Int64N(2*int64(MaxMoney)) - int64(MaxMoney))
	case 7, 8:
		if r.IntN(10) == 0 {
			return map[string]any(nil)
		}
		m := map[string]any{}
		for range r.IntN(14) {
			k := pick(trickyKeys)
			if r.IntN(3) == 0 {
				k = str()
			}
			m[k] = randomValue(r, depth-1)
		}
		return m
	case 9:
		if r.IntN(10) == 0 {
			return []any(nil)
		}
		s := make([]any, r.IntN(6))
		for i := range s {
			s[i] = randomValue(r, depth-1)
		}
		return s
	case 10:
		in := testInner{Shadowed: str(), Z: str()}
		if r.IntN(2) == 0 {
			in.Deep = r.IntN(5)
		}
		return []testInner{in, {}}
	default:
		o := testOuter{testInner: testInner{Shadowed: str(), Deep: r.IntN(3)}, HTML: str(), Unicode: str(), Plain: str(),
			Num: json.Number(pick([]string{"1", "-0", "1e3"})), When: time.Unix(r.Int64N(1<<33), r.Int64N(1e9)).In(time.FixedZone("X", 3600*r.IntN(12))),
			Strs: map[string]string{str(): str(), pick(trickyKeys): str()}, Any: randomValue(r, depth-1), Bytes: []byte(str())}
		if r.IntN(2) == 0 {
			o.testEmbedded = &testEmbedded{Name: str(), Account: str()}
			o.Raw = json.RawMessage(pick(trickyRaw))
		}
		if r.IntN(2) == 0 {
			o.Nested = map[string]any{str(): randomValue(r, depth-1), "b": randomValue(r, depth-1)}
		}
		return o
	}
}

func TestCanonicalJSONRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(20261127, 1))
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		v := randomValue(r, 1+i%5)
		mustFast(t, fmt.Sprintf("random value %d", i), v)
	}
}

// FuzzCanonicalJSON compares CanonicalJSON with the reference on the fuzzer's bytes taken as
// a raw JSON value, decoded into an interface{} (with and without json.Number), and as a
// string key and value.
func FuzzCanonicalJSON(f *testing.F) {
	for _, b := range exampleFiles(f) {
		f.Add(b)
	}
	for _, s := range trickyRaw {
		f.Add([]byte(s))
	}
	for _, s := range trickyStrings {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if json.Valid(data) {
			sameCanonical(t, "raw", json.RawMessage(data))
		}
		for _, useNumber := range []bool{true, false} {
			if v, err := decodeAny(data, useNumber); err == nil {
				sameCanonical(t, "decoded", v)
			}
		}
		sameCanonical(t, "string", map[string]any{string(data): string(data), "x": []string{string(data)}})
	})
}

// BenchmarkCanonicalJSON compares the reference with CanonicalJSON on a proposal's data (the
// shipped example with seven lines, two parties and totals: about 6 KB of struct fields to
// reorder) and on a document_finalised event's payload (a map with two template references).
func BenchmarkCanonicalJSON(b *testing.B) {
	values := []struct {
		name string
		v    any
	}{
		{"proposal", exampleProposal(b)},
		{"event_payload", eventPayloads()["document_finalised"]},
	}
	impls := []struct {
		name string
		f    func(any) (json.RawMessage, error)
	}{
		{"reference", canonicalReference},
		{"new", CanonicalJSON},
	}
	for _, v := range values {
		want, err := canonicalReference(v.v)
		if err != nil {
			b.Fatal(err)
		}
		for _, impl := range impls {
			b.Run(v.name+"/"+impl.name, func(b *testing.B) {
				got, err := impl.f(v.v)
				if err != nil || !bytes.Equal(got, want) {
					b.Fatalf("%s: %v, the output differs", impl.name, err)
				}
				b.SetBytes(int64(len(want)))
				b.ReportAllocs()
				for b.Loop() {
					_, _ = impl.f(v.v)
				}
			})
		}
	}
}

// nestedCanonical calls CanonicalJSON from inside encoding/json, while the outer call holds
// its pooled memory.
type nestedCanonical struct{ V any }

func (n nestedCanonical) MarshalJSON() ([]byte, error) { return CanonicalJSON(n.V) }

// TestCanonicalJSONConcurrent: calls at once, and calls nested inside a MarshalJSON, share no
// memory, and a result stays as it was whatever later calls do (run it with -race too).
func TestCanonicalJSONConcurrent(t *testing.T) {
	t.Parallel()
	values := []any{eventPayloads(), nestedCanonical{eventPayloads()}, map[string]any{"z": nestedCanonical{[]any{"<", nestedCanonical{map[string]int{"b": 1, "a": 2}}}}, "a": 1}}
	for _, f := range exampleFiles(t) {
		values = append(values, json.RawMessage(f))
	}
	want := make([]json.RawMessage, len(values))
	for i, v := range values {
		var err error
		if want[i], err = canonicalReference(v); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			var kept []json.RawMessage
			for round := range 50 {
				for i := range values {
					j := (i + g + round) % len(values)
					got, err := CanonicalJSON(values[j])
					if err != nil || !bytes.Equal(got, want[j]) {
						done <- fmt.Errorf("value %d: %v\n got %s\nwant %s", j, err, got, want[j])
						return
					}
					kept = append(kept, got)
				}
			}
			for k, got := range kept {
				if j := (k%len(values) + g + k/len(values)) % len(values); !bytes.Equal(got, want[j]) {
					done <- fmt.Errorf("result %d changed afterwards: %s", k, got)
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
