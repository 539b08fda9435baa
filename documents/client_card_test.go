package documents

import (
	"slices"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

func TestClientCardCompleteness(t *testing.T) {
	t.Run("a draft saves but is not complete", func(t *testing.T) {
		raw := []byte(`{"date":"2026-03-02","company":{"name":"АО «Первоуральский завод трубной арматуры»"},"industry":"Металлургия"}`)
		d := mustDecode(t, workflow.DocClientCard, raw).(*ClientCard)
		missing := d.Complete()
		for _, want := range []string{"company.inn", "company.address", "okved", "headcount", "sites", "installed_base", "needs",
			"budget.purchasing_cycle", "procurement.law", "dmu", "contact_history", "stage", "next_step.action", "next_step.due",
			"potential", "priority", "owner.name"} {
			if !slices.Contains(missing, want) {
				t.Errorf("Complete() = %v lacks %s", missing, want)
			}
		}
		if slices.Contains(missing, "industry") {
			t.Error("industry is filled")
		}
		wantFields(t, d.ValidateFinal(), "company.inn", "okved", "dmu")
		v := d.View()
		if v["complete"] != false || len(v["missing"].([]string)) != len(missing) {
			t.Errorf("view complete %v, missing %d", v["complete"], len(v["missing"].([]string)))
		}
	})
	tests := []struct {
		name string
		ch   []change
		want []string
	}{
		{"no decision maker", []change{{"dmu.0.role", "influencer"}}, []string{"dmu"}},
		{"DMU member without contacts", []change{{"dmu.1.phone", deleted{}}}, []string{"dmu[1].phone"}},
		{"DMU member without attitude", []change{{"dmu.2.attitude", deleted{}}}, []string{"dmu[2].attitude"}},
		{"no procurement law", []change{{"procurement.law", deleted{}}}, []string{"procurement.law"}},
		{"buyer INN missing", []change{{"company.inn", deleted{}}, {"company.kpp", deleted{}}, {"company.ogrn", deleted{}}}, []string{"company.inn"}},
		{"no next step", []change{{"next_step", deleted{}}}, []string{"next_step.action", "next_step.owner", "next_step.due"}},
		{"size unknown", []change{{"headcount", deleted{}}, {"revenue", deleted{}}}, []string{"headcount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := exampleMap(t, workflow.DocClientCard)
			for _, c := range tt.ch {
				setPath(t, m, c.path, c.value)
			}
			d := mustDecode(t, workflow.DocClientCard, mustJSON(t, m)).(*ClientCard) // a draft is fine
			for _, w := range tt.want {
				if !slices.Contains(d.Complete(), w) {
					t.Errorf("Complete() = %v lacks %s", d.Complete(), w)
				}
			}
			wantFields(t, d.ValidateFinal(), tt.want...)
			var _ FinalValidator = d
		})
	}
	t.Run("revenue alone is enough for the size", func(t *testing.T) {
		m := exampleMap(t, workflow.DocClientCard)
		setPath(t, m, "headcount", deleted{})
		d := mustDecode(t, workflow.DocClientCard, mustJSON(t, m)).(*ClientCard)
		if err := d.ValidateFinal(); err != nil {
			t.Fatal(err)
		}
	})
}
