package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
)

// oldProposalData is how the proposal data was built before the bodies were encoded once:
// the example decoded afresh, trimmed and given a random quantity per line. The encoded bodies
// must be what json.Marshal makes of it, byte for byte.
func oldProposalData(t *testing.T, rnd *rand.Rand) map[string]any {
	t.Helper()
	var data map[string]any
	if err := readExample("proposal.json", &data); err != nil {
		t.Fatal(err)
	}
	delete(data, "number")
	for _, l := range data["lines"].([]any) {
		m := l.(map[string]any)
		m["qty"] = fmt.Sprint(1 + rnd.IntN(5))
		delete(m, "amount")
		delete(m, "vat")
		delete(m, "total")
	}
	delete(data, "totals")
	delete(data, "optional_totals")
	return data
}

// TestProposalBody: the proposal request is valid JSON with the kind, the final flag and the
// example's data, without number and totals, and a quantity of 1…5 per line that varies from
// request to request; and it is byte for byte what the former per-request encoding sent for
// the same random numbers.
func TestProposalBody(t *testing.T) {
	bodies, err := newDocBodies()
	if err != nil {
		t.Fatal(err)
	}
	c := &client{bodies: bodies, rnd: rand.New(rand.NewPCG(5, 1))}
	ref := rand.New(rand.NewPCG(5, 1))
	var example map[string]any
	if err := readExample("proposal.json", &example); err != nil {
		t.Fatal(err)
	}
	nlines := len(example["lines"].([]any))
	if nlines < 2 {
		t.Fatalf("the example has %d lines", nlines)
	}
	seen := make([]map[string]bool, nlines)
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	for n := 0; n < 60; n++ {
		body := c.proposalBody()
		want, err := json.Marshal(map[string]any{"kind": "proposal", "final": true, "data": oldProposalData(t, ref)})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, want) {
			i := 0
			for i < len(body) && i < len(want) && body[i] == want[i] {
				i++
			}
			from := max(i-60, 0)
			t.Fatalf("request %d differs from the former encoding at byte %d:\n…%s\nwant\n…%s", n, i, body[from:min(i+60, len(body))], want[from:min(i+60, len(want))])
		}
		var req struct {
			Kind  string         `json:"kind"`
			Final bool           `json:"final"`
			Data  map[string]any `json:"data"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("request %d is not JSON: %v\n%s", n, err, body)
		}
		if req.Kind != "proposal" || !req.Final {
			t.Fatalf("request %d: kind %q, final %v", n, req.Kind, req.Final)
		}
		for _, k := range []string{"number", "totals", "optional_totals"} {
			if _, ok := req.Data[k]; ok {
				t.Fatalf("request %d sends %q", n, k)
			}
		}
		lines, ok := req.Data["lines"].([]any)
		if !ok || len(lines) != nlines {
			t.Fatalf("request %d: lines %v", n, req.Data["lines"])
		}
		for i, l := range lines {
			m := l.(map[string]any)
			qty, _ := m["qty"].(string)
			if len(qty) != 1 || qty < "1" || qty > "5" {
				t.Fatalf("request %d, line %d: qty %#v", n, i, m["qty"])
			}
			seen[i][qty] = true
			for _, k := range []string{"amount", "vat", "total"} {
				if _, ok := m[k]; ok {
					t.Fatalf("request %d, line %d sends %q", n, i, k)
				}
			}
			// Everything else is the example's line.
			exLine := example["lines"].([]any)[i].(map[string]any)
			delete(m, "qty")
			delete(exLine, "qty")
			if !reflect.DeepEqual(m, exLine) {
				t.Fatalf("request %d, line %d: %v, want %v", n, i, m, exLine)
			}
			exLine["qty"] = qty
		}
		if req.Data["subject"] != example["subject"] || !reflect.DeepEqual(req.Data["seller"], example["seller"]) ||
			!reflect.DeepEqual(req.Data["optional_lines"], example["optional_lines"]) {
			t.Fatalf("request %d: the example's data did not come through", n)
		}
	}
	for i, s := range seen {
		if len(s) < 3 {
			t.Errorf("line %d: quantities %v in 60 requests; they should vary", i, s)
		}
	}
}

// TestFixedBodies: the invoice, deal and transition requests are what json.Marshal makes of
// the maps they were built from before.
func TestFixedBodies(t *testing.T) {
	bodies, err := newDocBodies()
	if err != nil {
		t.Fatal(err)
	}
	var inv map[string]any
	if err := readExample("invoice.json", &inv); err != nil {
		t.Fatal(err)
	}
	delete(inv, "number")
	want, _ := json.Marshal(map[string]any{"kind": "invoice", "final": true, "data": inv})
	if !bytes.Equal(bodies.invoice, want) {
		t.Errorf("invoice body:\n%s\nwant\n%s", bodies.invoice, want)
	}

	for _, tc := range []struct {
		company int64
		amount  int
	}{{1, 500000}, {987654321, 9_499_999}, {42, 1}} {
		want, _ := json.Marshal(map[string]any{"company_id": tc.company, "title": "Поставка компрессорного оборудования",
			"amount": fmt.Sprintf("%d.00", tc.amount), "cost": fmt.Sprintf("%d.00", tc.amount*7/10), "currency": "RUB"})
		if got := dealBody(tc.company, tc.amount); !bytes.Equal(got, want) {
			t.Errorf("deal body:\n%s\nwant\n%s", got, want)
		}
	}

	for _, tc := range []struct {
		action, reason string
		version        int64
	}{{"advance", "", 1}, {"advance", "", 1234567}, {"skip", "встреча не нужна: техническое задание получено письмом", 3},
		{"lose", `"quoted" <b>&\ back` + "\n\x01\u2028", 9}} {
		m := map[string]any{"action": tc.action, "expected_version": tc.version}
		if tc.reason != "" {
			m["reason"] = tc.reason
		}
		want, _ := json.Marshal(m)
		if got := transitionBody(tc.action, tc.version, tc.reason); !bytes.Equal(got, want) {
			t.Errorf("transition body:\n%s\nwant\n%s", got, want)
		}
	}
}

// TestReadAnswers: the fields read from answers are what encoding/json reads, a member of the
// same name nested deeper is not taken for the top-level one, and an answer cut anywhere or
// garbled is an error.
func TestReadAnswers(t *testing.T) {
	doc := []byte(`{"id":1381,"deal_id":281,"kind":"proposal","title":{"ru":"Коммерческое предложение","number":"NOT-THIS"},` +
		"\n  " + `"items" : [ {"number": "NOR-THIS"}, "]}\"{", 1.5e3, true, null ],` +
		`"number":"КП-2026-\"1381\"\u0041","version":1,"data":{"lines":[{"qty":"2"}],"number":"NOT-THIS-EITHER"},"files":[]}` + "\n")
	readsLikeEncodingJSON(t, "the constructed answer", doc)
	for i := 0; i < len(doc)-1; i++ {
		if strings.TrimSpace(string(doc[i:])) == "" {
			break
		}
		if err := decodeNumber(new(string))(doc[:i]); err == nil {
			t.Fatalf("the answer cut after %d bytes was read: %s", i, doc[:i])
		}
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{"number":"x"} {}`, `{"number" "x"}`, `{"a":1 "number":"x"}`, `{"a":{"b":[1}],"number":"x"}`,
		`{"a":,"number":"x"}`, `{"number":5}`, `{"id":"7"}`, `{"id":7.5}`, `<html>`, `{number:"x"}`} {
		var s string
		var d dealResp
		if decodeNumber(&s)([]byte(bad)) == nil && d.decodeDeal([]byte(bad)) == nil {
			t.Errorf("%s: read without an error", bad)
		}
	}
	// Members that are missing or null leave the value, as encoding/json does.
	d := dealResp{ID: 3, Version: 4}
	if err := d.decodeDeal([]byte(`{"version":null,"stage":"research"}`)); err != nil || d != (dealResp{ID: 3, Version: 4}) {
		t.Fatalf("%+v, %v", d, err)
	}
	if err := eachTopLevel([]byte(" { } "), func(k, v []byte) error { return fmt.Errorf("member %s", k) }); err != nil {
		t.Fatal(err)
	}
}

// TestReadRealAnswers: on answers of the real server kept in testdata (a final proposal and a
// deal after a transition), the fields read are what encoding/json reads.
func TestReadRealAnswers(t *testing.T) {
	for _, name := range []string{"testdata/document-answer.json", "testdata/deal-answer.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if d := readsLikeEncodingJSON(t, name, b); d.ID == 0 || d.Version == 0 {
			t.Errorf("%s: no id or version read: %+v", name, d)
		}
	}
}

// readsLikeEncodingJSON checks that the number, id and version read from answer are what
// encoding/json reads, and returns the deal fields.
func readsLikeEncodingJSON(t *testing.T, name string, answer []byte) dealResp {
	t.Helper()
	var want struct {
		Number  string `json:"number"`
		ID      int64  `json:"id"`
		Version int64  `json:"version"`
	}
	if err := json.Unmarshal(answer, &want); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var number string
	if err := decodeNumber(&number)(answer); err != nil || number != want.Number {
		t.Errorf("%s: number %q, %v; want %q", name, number, err, want.Number)
	}
	var d dealResp
	if err := d.decodeDeal(answer); err != nil || d.ID != want.ID || d.Version != want.Version {
		t.Errorf("%s: deal %+v, %v; want %+v", name, d, err, want)
	}
	return d
}

func BenchmarkProposalBody(b *testing.B) {
	bodies, err := newDocBodies()
	if err != nil {
		b.Fatal(err)
	}
	c := &client{bodies: bodies, rnd: rand.New(rand.NewPCG(1, 1))}
	b.ReportAllocs()
	for b.Loop() {
		c.proposalBody()
	}
}

func BenchmarkReadDocumentAnswer(b *testing.B) {
	answer, err := os.ReadFile("testdata/document-answer.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("walk", func(b *testing.B) {
		b.ReportAllocs()
		var number string
		for b.Loop() {
			if err := decodeNumber(&number)(answer); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var doc struct {
			Number string `json:"number"`
		}
		for b.Loop() {
			if err := json.Unmarshal(answer, &doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
