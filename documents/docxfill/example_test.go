package docxfill_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dealgate/dealgate/documents/docxfill"
	tpldocx "github.com/dealgate/dealgate/templates/docx"
)

// Parse once at start-up, render per request from decoded JSON. Render refuses to leave
// a placeholder unfilled and names what is missing.
func ExampleTemplate_Render() {
	src, err := tpldocx.FS.ReadFile("proposal.docx")
	if err != nil {
		panic(err)
	}
	tpl, err := docxfill.NewTemplate("proposal.docx", src)
	if err != nil {
		panic(err)
	}
	fmt.Println("loop rows over:", tpl.Lists())

	var data map[string]any
	_ = json.Unmarshal([]byte(`{
		"number": "КП-2026-0123", "date": "12.03.2026",
		"lines": [{"no": "1", "name": "Насос ЦНС 38-44", "qty": "2"}]
	}`), &data)
	values, lists := docxfill.Flatten(data)

	var out bytes.Buffer
	err = tpl.Render(&out, docxfill.Data{Values: values, Lists: lists})
	var missing *docxfill.MissingError
	if errors.As(err, &missing) {
		fmt.Println("missing:", len(missing.Keys), "keys, first", missing.Keys[:3])
		fmt.Println("written:", out.Len(), "bytes")
	}
	// Output:
	// loop rows over: [currency lines signer totals]
	// missing: 40 keys, first [addressee.name addressee.position benefits_text]
	// written: 0 bytes
}
