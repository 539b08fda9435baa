package documents

import (
	"encoding/json"
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// exampleJSON returns templates/examples/K.json.
func exampleJSON(t testing.TB, k workflow.DocumentKind) []byte {
	t.Helper()
	b, err := fs.ReadFile(templates.Examples(), string(k)+".json")
	if err != nil {
		t.Fatalf("example of %s: %v", k, err)
	}
	return b
}

// exampleMap returns the example of k as generic JSON, for tests to change.
func exampleMap(t testing.TB, k workflow.DocumentKind) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(exampleJSON(t, k), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// mustDecode decodes raw as k and fails the test on any error.
func mustDecode(t testing.TB, k workflow.DocumentKind, raw []byte) Data {
	t.Helper()
	d, err := Decode(k, raw)
	if err != nil {
		t.Fatalf("Decode(%s): %v", k, err)
	}
	return d
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deleted marks a key to remove in setPath.
type deleted struct{}

// setPath sets (or with deleted{} removes) the value at a dotted path such as "lines.0.qty"
// in generic JSON; missing maps on the way are created.
func setPath(t testing.TB, m map[string]any, path string, v any) {
	t.Helper()
	parts := strings.Split(path, ".")
	var cur any = m
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if _, del := v.(deleted); del {
					delete(c, p)
				} else {
					c[p] = v
				}
				return
			}
			next, ok := c[p]
			if !ok || next == nil {
				next = map[string]any{}
				c[p] = next
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n >= len(c) {
				t.Fatalf("setPath %s: bad index %s", path, p)
			}
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		default:
			t.Fatalf("setPath %s: %T at %s", path, cur, p)
		}
	}
}

// fieldErrors returns the fields named by a *ValidationError (nil for nil).
func fieldErrors(t testing.TB, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error is %T, not *ValidationError: %v", err, err)
	}
	var out []string
	for _, f := range ve.Errors {
		if f.Message == "" || f.MessageRu == "" {
			t.Errorf("field %s: a message is empty: %+v", f.Field, f)
		}
		out = append(out, f.Field)
	}
	return out
}

// wantFields checks that err names every field in want.
func wantFields(t testing.TB, err error, want ...string) {
	t.Helper()
	got := fieldErrors(t, err)
	if err == nil {
		t.Fatalf("no error, want errors at %v", want)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("errors %v do not name %q (%v)", got, w, err)
		}
	}
}
