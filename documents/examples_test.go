package documents

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// TestExamplesCoverEveryKind: one example per kind, nothing else.
func TestExamplesCoverEveryKind(t *testing.T) {
	entries, err := fs.ReadDir(templates.Examples(), ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	var want []string
	for _, k := range Kinds() {
		want = append(want, string(k)+".json")
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("examples %v, want %v", got, want)
	}
	if len(Kinds()) != len(workflow.DocumentKinds) {
		t.Fatalf("registered kinds %v, want all of %v", Kinds(), workflow.DocumentKinds)
	}
}

// TestExamplesDecode decodes every example, checks it is a 2026 document whose lines are at
// 22 %, and that the validated data survives a JSON round trip unchanged (derived values
// included).
func TestExamplesDecode(t *testing.T) {
	for _, k := range workflow.DocumentKinds {
		t.Run(string(k), func(t *testing.T) {
			d := mustDecode(t, k, exampleJSON(t, k))
			if d.Kind() != k {
				t.Fatalf("Kind() = %s", d.Kind())
			}
			num, date := d.Header()
			if num == "" || date.Year() != 2026 {
				t.Errorf("Header() = %q, %v; want a number and a 2026 date", num, date)
			}
			b1 := mustJSON(t, d)
			again := mustDecode(t, k, b1)
			if b2 := mustJSON(t, again); string(b1) != string(b2) {
				t.Errorf("round trip changed the data:\n%s\n%s", b1, b2)
			}
			if !reflect.DeepEqual(d.View(), again.View()) {
				t.Error("round trip changed the view")
			}
			var generic map[string]any
			if err := json.Unmarshal(b1, &generic); err != nil {
				t.Fatal(err)
			}
			if lines, ok := generic["lines"].([]any); ok {
				for i, l := range lines {
					if r := l.(map[string]any)["vat_rate"]; r != "22" {
						t.Errorf("lines[%d].vat_rate = %v, want 22", i, r)
					}
				}
			}
			if s, ok := d.(Summarizer); ok {
				net, gross := s.Total()
				if net <= 0 || gross <= net {
					t.Errorf("Total() = %v, %v", net, gross)
				}
			}
		})
	}
}

// TestExampleRequisites: the demo seller АО «УралКомпрессорМаш» and the buyer carry
// checksum-valid synthetic requisites at real BICs, checked with the requisites package.
func TestExampleRequisites(t *testing.T) {
	var ex struct {
		Seller, Buyer Party
	}
	if err := json.Unmarshal(exampleJSON(t, workflow.DocInvoice), &ex); err != nil {
		t.Fatal(err)
	}
	s := ex.Seller
	if s.Name != "АО «УралКомпрессорМаш»" || s.KPP != "665801001" || !strings.Contains(s.Address, "г. Екатеринбург") {
		t.Errorf("seller = %q, KPP %q, %q", s.Name, s.KPP, s.Address)
	}
	for _, p := range []Party{ex.Seller, ex.Buyer} {
		if errs := p.Company.Validate(); len(errs) != 0 {
			t.Errorf("%s: %v", p.Name, errs[0])
		}
		if err := requisites.ValidateINN(p.INN); err != nil {
			t.Error(err)
		}
		if err := requisites.ValidateOGRN(p.OGRN, p.INN); err != nil {
			t.Error(err)
		}
		if err := requisites.ValidateCorrAccount(p.CorrAccount, p.BIK); err != nil {
			t.Error(err)
		}
		key, err := requisites.AccountKey(p.Account, p.BIK)
		if err != nil || int(p.Account[8]-'0') != key {
			t.Errorf("%s: account %s key %d, %v", p.Name, p.Account, key, err)
		}
	}
	// Every example that carries the seller carries the same requisites.
	for _, k := range workflow.DocumentKinds {
		m := exampleMap(t, k)
		for _, field := range []string{"seller", "supplier"} {
			if p, ok := m[field].(map[string]any); ok && p["inn"] != nil && p["inn"] != s.INN {
				t.Errorf("%s.%s.inn = %v, want %s", k, field, p["inn"], s.INN)
			}
		}
	}
}

// TestExampleClientCardComplete: the example card is complete for stage 7.
func TestExampleClientCardComplete(t *testing.T) {
	d := mustDecode(t, workflow.DocClientCard, exampleJSON(t, workflow.DocClientCard)).(*ClientCard)
	if m := d.Complete(); len(m) != 0 {
		t.Fatalf("Complete() = %v", m)
	}
	if err := d.ValidateFinal(); err != nil {
		t.Fatal(err)
	}
}
