package docxfill_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/documents/docxfill"
)

const flattenJSON = `{
	"number": "КП-2026-0007",
	"seller": {"name": "ООО «Ромашка»", "inn": "7707083893", "bank": {"bik": "044525225"}},
	"items": [
		{"name": "Насос", "qty": 2, "price": 1250000.5, "tags": ["a", "b"], "parts": [{"n": "вал"}]},
		{"name": "Монтаж", "qty": 1, "price": null}
	],
	"notes": ["один", "два"],
	"empty": [],
	"vat_included": true,
	"comment": null,
	"big": 12345678901234567890
}`

func decode(t *testing.T, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(flattenJSON))
	if useNumber {
		dec.UseNumber()
	}
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFlatten(t *testing.T) {
	values, lists := docxfill.Flatten(decode(t, true))
	wantValues := map[string]string{
		"number": "КП-2026-0007", "seller.name": "ООО «Ромашка»", "seller.inn": "7707083893",
		"seller.bank.bik": "044525225", "vat_included": "true", "comment": "", "big": "12345678901234567890",
	}
	if !maps.Equal(values, wantValues) {
		t.Errorf("values = %v\nwant %v", values, wantValues)
	}
	wantLists := map[string][]map[string]string{
		"items": {
			{"name": "Насос", "qty": "2", "price": "1250000.5", "tags.0": "a", "tags.1": "b", "parts.0.n": "вал"},
			{"name": "Монтаж", "qty": "1", "price": ""},
		},
		"notes": {{"value": "один"}, {"value": "два"}},
		"empty": {},
	}
	if len(lists) != len(wantLists) {
		t.Fatalf("lists = %v", lists)
	}
	for k, want := range wantLists {
		got, ok := lists[k]
		if !ok || !slices.EqualFunc(got, want, maps.Equal) {
			t.Errorf("lists[%q] = %v, want %v", k, got, want)
		}
	}

	// float64 decoding: numbers print without exponent.
	values, lists = docxfill.Flatten(decode(t, false))
	if values["big"] != "12345678901234567000" || lists["items"][0]["price"] != "1250000.5" {
		t.Errorf("float formatting: big=%q price=%q", values["big"], lists["items"][0]["price"])
	}
}

func TestFlattenFormatFunc(t *testing.T) {
	var paths []string
	f := docxfill.Flattener{FormatFunc: func(path string, v any) string {
		paths = append(paths, path)
		if strings.HasSuffix(path, ".price") && v != nil {
			return "₽ " + docxfill.DefaultFormat(v)
		}
		return strings.ToUpper(docxfill.DefaultFormat(v))
	}}
	values, lists := f.Flatten(decode(t, true))
	if values["seller.name"] != "ООО «РОМАШКА»" || lists["items"][0]["price"] != "₽ 1250000.5" || lists["notes"][1]["value"] != "ДВА" {
		t.Errorf("FormatFunc not applied: %v %v", values, lists)
	}
	slices.Sort(paths)
	for _, want := range []string{"items.price", "items.tags.0", "items.parts.0.n", "notes.value", "seller.bank.bik"} {
		if _, ok := slices.BinarySearch(paths, want); !ok {
			t.Errorf("FormatFunc never saw path %q (saw %v)", want, paths)
		}
	}
}

// TestFlattenThenRender feeds decoded JSON, as given to the PDF renderer, to a template.
func TestFlattenThenRender(t *testing.T) {
	body := para("{number}: {seller.name}, БИК {seller.bank.bik}") + table(
		row("{items.#}", "{items.name}", "{items.qty}", "{items.tags.0}"),
	) + table(row("{notes.value}"), row("{empty.value}"))
	tpl, err := docxfill.NewTemplate("json", docWithBody(t, body))
	if err != nil {
		t.Fatal(err)
	}
	values, lists := docxfill.Flatten(decode(t, true))
	lists["items"][1]["tags.0"] = "—"
	out := render(t, tpl, docxfill.Data{Values: values, Lists: lists})
	text := wordText(t, readPart(t, out, "word/document.xml"))
	for _, want := range []string{"КП-2026-0007: ООО «Ромашка», БИК 044525225", "1\nНасос\n2\na\n", "2\nМонтаж\n1\n—\n", "один\nдва\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q lacks %q", text, want)
		}
	}
}
