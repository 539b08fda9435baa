package web

import (
	"html/template"
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/workflow"
)

var funcs = template.FuncMap{
	"money": func(m workflow.Money) string {
		if m < 0 {
			return "−" + amount.Format(int64(-m))
		}
		return amount.Format(int64(m))
	},
	"date":     func(t time.Time) string { return amount.DateNumeric(t.Local()) },
	"datetime": func(t time.Time) string { return t.Local().Format("02.01.2006 15:04") },
	"days": func(t time.Time) int {
		return int(time.Since(t).Hours() / 24)
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
	"name": func(lang string, n workflow.Names) string {
		if lang == "en" {
			return n.En
		}
		return n.Ru
	},
	"pick": func(lang, ru, en string) string {
		if lang == "en" {
			return en
		}
		return ru
	},
	"docname": func(lang string, k workflow.DocumentKind) string {
		n := workflow.DocumentNames[k]
		if lang == "en" {
			return n[1]
		}
		return n[0]
	},
	"dict3": func(p Page, name, label, value string) fieldArgs {
		return fieldArgs{P: p, Name: name, Label: label, Value: value}
	},
	"list4": func(a, b, c, d string) []string { return []string{a, b, c, d} },
	"sub":   func(a, b workflow.Money) workflow.Money { return a - b },
	"missingTypes": func(ms []workflow.Missing) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.Ru
		}
		return out
	},
	"docKinds": func(ks []workflow.DocumentKind) []string {
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = string(k)
		}
		return out
	},
	"factKinds": func() []workflow.FactKind { return workflow.FactKinds },
	"factName": func(lang string, k workflow.FactKind) string {
		n := workflow.FactNames[k]
		if lang == "en" {
			return n[1]
		}
		return n[0]
	},
	"has":   func(list []string, s string) bool { return contains(list, s) },
	"lower": strings.ToLower,
	"add":   func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	},
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fieldArgs feeds the "field" template of a form.
type fieldArgs struct {
	P     Page
	Name  string
	Label string
	Value string
}
