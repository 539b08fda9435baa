package pdflayout_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/dealgate/dealgate/documents/pdflayout"
)

func ExampleEngine_Render() {
	eng, err := pdflayout.NewEngine(pdflayout.EngineOptions{})
	if err != nil {
		panic(err)
	}
	tpl, err := eng.Parse("letter.xml", []byte(`<document title="Письмо № {{.number}}">
  <footer><p align="right" size="8">стр. {{$page}} из {{$pages}}</p></footer>
  <h1>Гарантийное письмо</h1>
  <p align="justify">{{.buyer}} гарантирует оплату {{money .total}} ₽ до {{date .due}}.</p>
</document>`))
	if err != nil {
		panic(err)
	}
	fmt.Println(tpl.Placeholders())

	var pdf bytes.Buffer
	res, err := eng.Render(&pdf, tpl, map[string]any{
		"number": "17", "buyer": "АО «Каменский завод металлоконструкций»",
		"total": "3050000.00", "due": "2026-04-30",
	}, pdflayout.RenderOptions{Date: time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Path, res.Pages, bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-1.")))
	// Output:
	// [buyer due number total]
	// fast 1 true
}
