package web

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"reflect"
	"testing"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/templates"
)

// FuzzDocForm posts arbitrary form values to the document forms (every kind) and the seller
// form, the way their pages read them: parseDocForm turns the form into JSON, the document
// decoder checks it, and a refused form is laid out again with its errors. Nothing may panic;
// the form's JSON must always be JSON of the data's shape (the seller page decodes it into a
// Party and answers 500 if it cannot), a refusal must be a ValidationError, and the form must
// lay out again whatever was typed.
func FuzzDocForm(f *testing.F) {
	kinds := documents.Kinds()
	for i, k := range kinds {
		raw, err := fs.ReadFile(templates.Examples(), string(k)+".json")
		if err != nil {
			f.Fatal(err)
		}
		d, err := documents.Decode(k, raw)
		if err != nil {
			f.Fatal(err)
		}
		form := url.Values{}
		for p, v := range valuesOf(d) {
			form.Set(p, v)
		}
		f.Add(uint8(i), form.Encode())
	}
	f.Add(uint8(len(kinds)), "name=<script>alert(1)</script>&inn=7707083893&kpp=773601001&bik=044525225&account=1")
	f.Add(uint8(1), "lines[999999999].qty=1&lines[0].name=x")
	f.Add(uint8(1), "lines[-1].qty=x&lines[0]=&=&lines[0].price=1e999&lines[1].qty=NaN")
	f.Fuzz(func(t *testing.T, ki uint8, query string) {
		form, _ := url.ParseQuery(query)
		i := int(ki) % (len(kinds) + 1)
		if i == len(kinds) {
			obj, _, _ := parseDocForm(partyFormType, form)
			raw, err := json.Marshal(obj)
			if err != nil {
				t.Fatalf("seller form: %v", err)
			}
			var p documents.Party
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("the seller form's JSON does not decode into a Party (the page would answer 500): %v\n%s", err, raw)
			}
			return
		}
		k := kinds[i]
		empty, _ := documents.New(k)
		obj, values, errs := parseDocForm(reflect.TypeOf(empty).Elem(), form)
		raw, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("%s form: %v", k, err)
		}
		if _, err := documents.Decode(k, raw); err != nil {
			var ve *documents.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%s: the refusal is not a ValidationError: %#v", k, err)
			}
			for p, m := range errorsOf(ve, "ru") {
				errs[p] = m
			}
		}
		if _, err := buildDocForm(k, "ru", values, errs, nil); err != nil {
			t.Fatalf("%s: the form cannot be laid out again: %v", k, err)
		}
	})
}
