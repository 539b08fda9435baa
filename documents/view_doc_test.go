package documents

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// viewDoc is VIEW.md parsed: the table rows of each block and of each kind.
type viewDoc struct {
	blocks map[string][]viewRow // common, party, contact, ref, currency, lines, totals
	kinds  map[string][]viewRow
}

type viewRow struct{ key, typ string }

// parseViewDoc reads the tables of VIEW.md: the rows whose first cell is a `key`.
func parseViewDoc(t *testing.T) viewDoc {
	t.Helper()
	f, err := os.Open("VIEW.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	headings := map[string]string{
		"## Common keys": "common", "### Party block": "party", "### Contact block": "contact",
		"### Reference block": "ref", "### Currency block": "currency", "### Line item": "lines",
		"### Totals": "totals",
	}
	doc := viewDoc{blocks: map[string][]viewRow{}, kinds: map[string][]viewRow{}}
	var target map[string][]viewRow
	var name string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			target, name = nil, ""
			if b, ok := headings[line]; ok {
				target, name = doc.blocks, b
			} else if k, ok := strings.CutPrefix(line, "### `"); ok {
				target, name = doc.kinds, k[:strings.Index(k, "`")]
			}
			continue
		}
		if target == nil || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			t.Fatalf("VIEW.md: short table row %q", line)
		}
		key := strings.Trim(strings.TrimSpace(cells[1]), "`")
		target[name] = append(target[name], viewRow{key: key, typ: strings.TrimSpace(cells[2])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return doc
}

// expand turns one documented row into the leaf paths it promises, with their shape:
// "string", "bool", "strings" (list of strings) or "list" (list of maps).
func (doc viewDoc) expand(t *testing.T, path, typ string, out map[string]string) {
	t.Helper()
	block := func(b, sep string) {
		rows, ok := doc.blocks[b]
		if !ok || len(rows) == 0 {
			t.Fatalf("VIEW.md: block %s has no rows", b)
		}
		for _, r := range rows {
			doc.expand(t, path+sep+r.key, r.typ, out)
		}
	}
	switch typ {
	case "text":
		out[path] = "string"
	case "bool":
		out[path] = "bool"
	case "texts":
		out[path] = "strings"
	case "list":
		out[path] = "list"
	case "date":
		for _, s := range []string{"", "_iso", "_words", "_contract", "_en"} {
			out[path+s] = "string"
		}
	case "money":
		out[path], out[path+"_raw"] = "string", "string"
	case "party":
		block("party", ".")
	case "contact":
		block("contact", ".")
	case "ref":
		block("ref", ".")
	case "currency":
		block("currency", ".")
	case "totals":
		block("totals", ".")
	case "lines":
		out[path] = "list"
		block("lines", "[].")
	default:
		t.Fatalf("VIEW.md: %s has unknown type %q", path, typ)
	}
}

// documented returns every leaf path VIEW.md promises for kind.
func (doc viewDoc) documented(t *testing.T, kind string) map[string]string {
	t.Helper()
	rows, ok := doc.kinds[kind]
	if !ok {
		t.Fatalf("VIEW.md has no section for %s", kind)
	}
	out := map[string]string{}
	for _, r := range append(append([]viewRow{}, doc.blocks["common"]...), rows...) {
		doc.expand(t, r.key, r.typ, out)
	}
	return out
}

// flattenView lists the leaf paths of a view with their shape; list items are merged under
// "list[]". empty collects the lists that have no items.
func flattenView(t *testing.T, prefix string, v any, out map[string]string, empty map[string]bool) {
	t.Helper()
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flattenView(t, join(k), e, out, empty)
		}
	case []map[string]any:
		out[prefix] = "list"
		if len(x) == 0 {
			empty[prefix] = true
		}
		for _, item := range x {
			for k, e := range item {
				flattenView(t, prefix+"[]."+k, e, out, empty)
			}
		}
	case []string:
		out[prefix] = "strings"
	case string:
		out[prefix] = "string"
	case bool:
		out[prefix] = "bool"
	default:
		t.Errorf("view key %s holds %T; views hold strings, bools, maps and lists only", prefix, v)
	}
}

// viewCases are the examples plus variants that fill what an example leaves empty.
func viewCases(t *testing.T) map[string]struct {
	kind workflow.DocumentKind
	raw  []byte
} {
	cases := map[string]struct {
		kind workflow.DocumentKind
		raw  []byte
	}{}
	for _, k := range workflow.DocumentKinds {
		cases[string(k)] = struct {
			kind workflow.DocumentKind
			raw  []byte
		}{k, exampleJSON(t, k)}
	}
	// A contract with its own lines.
	c := exampleMap(t, workflow.DocContract)
	setPath(t, c, "lines", exampleMap(t, workflow.DocSpecification)["lines"])
	setPath(t, c, "total", deleted{})
	setPath(t, c, "total_vat_rate", deleted{})
	cases["contract with lines"] = struct {
		kind workflow.DocumentKind
		raw  []byte
	}{workflow.DocContract, mustJSON(t, c)}
	// A ТОРГ-12 profile with its own consignor.
	u := exampleMap(t, workflow.DocUPD)
	setPath(t, u, "profile", "torg12")
	setPath(t, u, "consignor", map[string]any{"name": "ООО «Склад-Логистик»", "address": "620000, г. Екатеринбург, ул. Складская, д. 1"})
	cases["upd torg12"] = struct {
		kind workflow.DocumentKind
		raw  []byte
	}{workflow.DocUPD, mustJSON(t, u)}
	return cases
}

// TestViewMatchesViewDoc checks VIEW.md against the views of the examples in both
// directions: every documented key exists with its type, and every key is documented.
func TestViewMatchesViewDoc(t *testing.T) {
	doc := parseViewDoc(t)
	for _, b := range []string{"common", "party", "contact", "ref", "currency", "lines", "totals"} {
		if len(doc.blocks[b]) == 0 {
			t.Fatalf("VIEW.md: block %s not found", b)
		}
	}
	for _, k := range workflow.DocumentKinds {
		if _, ok := doc.kinds[string(k)]; !ok {
			t.Errorf("VIEW.md has no section for %s", k)
		}
	}
	for name, c := range viewCases(t) {
		t.Run(name, func(t *testing.T) {
			d := mustDecode(t, c.kind, c.raw)
			want := doc.documented(t, string(c.kind))
			got, empty := map[string]string{}, map[string]bool{}
			flattenView(t, "", d.View(), got, empty)
			underEmpty := func(p string) bool {
				for l := range empty {
					if strings.HasPrefix(p, l+"[].") {
						return true
					}
				}
				return false
			}
			var missing, undocumented, wrong []string
			for p, shape := range want {
				g, ok := got[p]
				switch {
				case !ok && underEmpty(p):
				case !ok:
					missing = append(missing, p)
				case g != shape:
					wrong = append(wrong, p+" is "+g+", documented "+shape)
				}
			}
			for p := range got {
				if _, ok := want[p]; !ok {
					undocumented = append(undocumented, p)
				}
			}
			sort.Strings(missing)
			sort.Strings(undocumented)
			sort.Strings(wrong)
			for _, p := range missing {
				t.Errorf("VIEW.md documents %s, the view lacks it", p)
			}
			for _, p := range undocumented {
				t.Errorf("view has %s, VIEW.md does not document it", p)
			}
			for _, p := range wrong {
				t.Errorf("%s", p)
			}
		})
	}
}
