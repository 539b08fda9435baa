package documents

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// FuzzDecode feeds arbitrary JSON to every kind (kind is an index into Kinds()). Decode must
// never panic: it either refuses the data with a *ValidationError naming at least one field,
// or returns data whose View works, whose view holds only strings, bools, maps and lists, and
// which decodes again from its own JSON to the same JSON and the same view. The seed corpus
// in testdata/fuzz/FuzzDecode holds every example and some malformed inputs.
func FuzzDecode(f *testing.F) {
	kinds := Kinds()
	for i, k := range kinds {
		f.Add(uint8(i), exampleJSON(f, k))
	}
	f.Fuzz(func(t *testing.T, kind uint8, raw []byte) {
		k := kinds[int(kind)%len(kinds)]
		d, err := Decode(k, raw)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 || ve.Kind != k {
				t.Fatalf("Decode error is not a ValidationError of %s: %#v", k, err)
			}
			for _, fe := range ve.Errors {
				// An unknown key "" is reported under its own (empty) name by Decode.
				if (fe.Field == "" && fe.Message != "unknown field") || fe.Message == "" || fe.MessageRu == "" {
					t.Fatalf("incomplete field error %+v", fe)
				}
			}
			return
		}
		v := d.View()
		checkViewShape(t, "", v)
		b1, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("marshal valid %s: %v", k, err)
		}
		again, err := Decode(k, b1)
		if err != nil {
			t.Fatalf("valid %s does not decode from its own JSON: %v\n%s", k, err, b1)
		}
		b2, _ := json.Marshal(again)
		if string(b1) != string(b2) {
			t.Fatalf("JSON round trip differs:\n%s\n%s", b1, b2)
		}
		if !reflect.DeepEqual(v, again.View()) {
			t.Fatalf("view differs after a round trip")
		}
		if fv, ok := d.(FinalValidator); ok {
			_ = fv.ValidateFinal()
		}
		if s, ok := d.(Summarizer); ok {
			if net, gross := s.Total(); net < 0 || gross < net || gross > workflow.MaxMoney {
				t.Fatalf("Total() = %v, %v", net, gross)
			}
		}
	})
}

// checkViewShape fails on a nil or a value of a type templates cannot read.
func checkViewShape(t *testing.T, path string, v any) {
	switch x := v.(type) {
	case string, bool, []string:
		if x == nil {
			t.Fatalf("view %s is a nil list", path)
		}
	case map[string]any:
		for k, e := range x {
			checkViewShape(t, path+"."+k, e)
		}
	case []map[string]any:
		if x == nil {
			t.Fatalf("view %s is a nil list", path)
		}
		for _, e := range x {
			checkViewShape(t, path+"[]", e)
		}
	default:
		t.Fatalf("view %s holds %T", path, v)
	}
}
