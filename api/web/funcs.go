package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
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
	"has":        func(list []string, s string) bool { return contains(list, s) },
	"lower":      strings.ToLower,
	"add":        func(a, b int) int { return a + b },
	"actionName": actionName,
	"factText":   factText,
	"eventTime":  eventTime,
	"stageName": func(lang string, names map[string]workflow.Names, key string) string {
		if n, ok := names[key]; ok {
			return pickLang(lang, n.Ru, n.En)
		}
		return key
	},
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

// actionNames are the labels of transition actions.
var actionNames = map[string][2]string{
	"create": {"создание", "created"}, "advance": {"переход дальше", "advanced"}, "skip": {"этап пропущен", "skipped"},
	"lose": {"сделка проиграна", "lost"}, "win": {"сделка выиграна", "won"},
}

// actionName labels an event's action: a transition's move, an activity's kind, a fact's
// kind or a document's kind.
func actionName(lang, kind, action string) string {
	pick := func(n [2]string) string { return pickLang(lang, n[0], n[1]) }
	switch workflow.EventKind(kind) {
	case workflow.EventActivity:
		if n, ok := workflow.ActivityNames[workflow.ActivityKind(action)]; ok {
			return pick(n)
		}
	case workflow.EventFact:
		if n, ok := workflow.FactNames[workflow.FactKind(action)]; ok {
			return pick(n)
		}
	case workflow.EventDocumentFinalised, workflow.EventDocumentSupersede, workflow.EventSignedCopy:
		if n, ok := workflow.DocumentNames[workflow.DocumentKind(action)]; ok {
			return pick(n)
		}
	default:
		if n, ok := actionNames[action]; ok {
			return pick(n)
		}
	}
	return action
}

// factText reads a fact's data as a line of text: its text, amount, date and outcome.
func factText(data json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return string(data)
	}
	var parts []string
	for _, k := range []string{"text", "summary", "amount", "date", "outcome"} {
		switch v := m[k].(type) {
		case string:
			if v == "" {
				continue
			}
			if k == "amount" {
				if money, err := workflow.ParseMoney(v); err == nil {
					v = amount.Format(int64(money))
				}
			}
			parts = append(parts, v)
		}
		delete(m, k)
	}
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s: %v", k, m[k]))
	}
	return strings.Join(parts, " · ")
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// eventTime shows an event time of the audit trail (RFC 3339) as local date and time with
// seconds; other text is shown as it is.
func eventTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Local().Format("02.01.2006 15:04:05")
}
