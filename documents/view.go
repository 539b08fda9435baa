package documents

import (
	"strings"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/workflow"
)

// View conventions (VIEW.md documents every key of every kind):
//
//   - A view is a map[string]any whose values are strings, bools, nested maps
//     (map[string]any), lists of maps ([]map[string]any) or lists of strings ([]string).
//     Nothing is nil: an unset text is "", an empty list is an empty slice.
//   - Every view has "kind", "title" {ru, en}, "number" and the date keys of "date".
//   - A date field D gives five keys: D = "05.06.2026" (ГОСТ numeric), D_iso = "2026-06-05",
//     D_words = "5 июня 2026 г.", D_contract = "«05» июня 2026 г.", D_en = "5 June 2026";
//     all "" when the date is not set.
//   - A money field M gives M = "3 050 000,00" (amount.Format, NBSP between groups) and
//     M_raw = "3050000.00" (the JSON decimal); totals add words in Russian and English.
//   - Item lines are a list under "lines" (and "optional_lines"), each with "no" = "1", "2", …
//   - Parties (seller, buyer, …) are nested maps with the same keys (partyView).

// putDate sets the five keys of a date field.
func putDate(v map[string]any, key string, d Date) {
	if d.IsZero() {
		v[key], v[key+"_iso"], v[key+"_words"], v[key+"_contract"], v[key+"_en"] = "", "", "", "", ""
		return
	}
	v[key] = amount.DateNumeric(d.Time)
	v[key+"_iso"] = d.String()
	v[key+"_words"] = amount.DateWords(d.Time)
	v[key+"_contract"] = amount.DateContract(d.Time)
	v[key+"_en"] = amount.DateEn(d.Time)
}

// putMoney sets the two keys of a money field.
func putMoney(v map[string]any, key string, m int64) {
	v[key] = amount.Format(m)
	v[key+"_raw"] = workflow.Money(m).String()
}

// putOptMoney sets the keys of an optional money field: "" when unset.
func putOptMoney(v map[string]any, key string, m int64, set bool) {
	if !set {
		v[key], v[key+"_raw"] = "", ""
		return
	}
	putMoney(v, key, m)
}

// words returns an amount in Russian and English words; "" when it cannot be written
// (negative or unknown currency, which validation already refuses).
func words(m int64, currency string) (ru, en string) {
	ru, err := amount.Words(m, currency, amount.Options{})
	if err != nil {
		return "", ""
	}
	en, err = amount.WordsEn(m, currency)
	if err != nil {
		return ru, ""
	}
	return ru, en
}

func (d Date) numeric() string {
	if d.IsZero() {
		return ""
	}
	return amount.DateNumeric(d.Time)
}

// baseView starts every kind's view: kind, title, number and date.
func baseView(k workflow.DocumentKind, number string, date Date) map[string]any {
	names := workflow.DocumentNames[k]
	v := map[string]any{
		"kind":   string(k),
		"title":  map[string]any{"ru": names[0], "en": names[1]},
		"number": number,
	}
	putDate(v, "date", date)
	return v
}

// currencyView describes a currency for headings and the счёт-фактура «Валюта» line.
func currencyView(code string) map[string]any {
	c := currencyInfo[code]
	return map[string]any{"code": code, "numeric": c.numeric, "name": c.name, "short": c.short, "name_en": c.nameEn}
}

// strs returns list, or an empty non-nil slice.
func strs(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// joined joins a list of texts one per line, for templates that print a list as one block.
func joined(list []string) string { return strings.Join(list, "\n") }

// yesNo gives a Russian «да»/«нет».
func yesNo(b bool) string {
	if b {
		return "да"
	}
	return "нет"
}

func amountPlural(n int, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	return amount.Plural(uint64(n), one, few, many)
}

func cardinal(n int, feminine bool) string {
	if n < 0 {
		n = -n
	}
	g := amount.Masculine
	if feminine {
		g = amount.Feminine
	}
	return amount.Cardinal(uint64(n), g)
}
