package docxfill

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Flattener turns nested data (as decoded from JSON into map[string]any) into Data.
type Flattener struct {
	// FormatFunc, when set, formats every leaf value. path is the key the value will be
	// found under, without list indexes: "totals.gross", "items.price". A nil FormatFunc
	// means DefaultFormat.
	FormatFunc func(path string, v any) string
}

// Flatten is Flattener{}.Flatten: nested objects become dotted keys, arrays become lists.
func Flatten(m map[string]any) (values map[string]string, lists map[string][]map[string]string) {
	return Flattener{}.Flatten(m)
}

// Flatten converts m:
//
//   - an object nests keys with dots: {"seller": {"inn": "77…"}} gives Values["seller.inn"];
//   - an array gives a list under its dotted path; object elements are flattened the same
//     way inside the item ({"items": [{"name": …}]} gives Lists["items"][0]["name"]),
//     a scalar element becomes the item's "value" field; arrays inside an item are
//     flattened with indexes ("parts.0.name"), as loops do not nest;
//   - every leaf is formatted with FormatFunc (or DefaultFormat); null gives "".
func (f Flattener) Flatten(m map[string]any) (values map[string]string, lists map[string][]map[string]string) {
	values = map[string]string{}
	lists = map[string][]map[string]string{}
	for k, v := range m {
		f.walk(k, v, values, lists)
	}
	return values, lists
}

func (f Flattener) format(path string, v any) string {
	if f.FormatFunc != nil {
		return f.FormatFunc(path, v)
	}
	return DefaultFormat(v)
}

// walk flattens v at path into values, or into lists when v is an array.
func (f Flattener) walk(path string, v any, values map[string]string, lists map[string][]map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			f.walk(path+"."+k, e, values, lists)
		}
	case map[string]string:
		for k, e := range x {
			f.walk(path+"."+k, e, values, lists)
		}
	case []any:
		items := make([]map[string]string, 0, len(x))
		for _, e := range x {
			items = append(items, f.item(path, e))
		}
		lists[path] = items
	case []map[string]any:
		items := make([]map[string]string, 0, len(x))
		for _, e := range x {
			items = append(items, f.item(path, e))
		}
		lists[path] = items
	case []string:
		items := make([]map[string]string, 0, len(x))
		for _, e := range x {
			items = append(items, f.item(path, e))
		}
		lists[path] = items
	default:
		values[path] = f.format(path, v)
	}
}

// item flattens one list element; keys inside are relative to the item.
func (f Flattener) item(list string, v any) map[string]string {
	out := map[string]string{}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			f.inItem(list, k, e, out)
		}
	case map[string]string:
		for k, e := range x {
			f.inItem(list, k, e, out)
		}
	default:
		out["value"] = f.format(list+".value", v)
	}
	return out
}

// inItem flattens v at rel (relative to an item of list) into out; arrays get indexes.
func (f Flattener) inItem(list, rel string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			f.inItem(list, rel+"."+k, e, out)
		}
	case map[string]string:
		for k, e := range x {
			f.inItem(list, rel+"."+k, e, out)
		}
	case []any:
		for i, e := range x {
			f.inItem(list, rel+"."+strconv.Itoa(i), e, out)
		}
	case []map[string]any:
		for i, e := range x {
			f.inItem(list, rel+"."+strconv.Itoa(i), e, out)
		}
	default:
		out[rel] = f.format(list+"."+rel, v)
	}
}

// DefaultFormat formats a leaf value: strings as they are, numbers without exponent and
// without trailing zeros (1250000, 0.5), booleans as "true"/"false", nil as "".
// Money and dates should be formatted by the caller (FormatFunc), e.g. "3 050 000,00".
func DefaultFormat(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
