package pdflayout

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// Generated data for tests and benchmarks: every document differs in its
// number, item names, quantities and therefore every amount.

var productNames = []string{
	"Компрессор винтовой УКМ-%d (%d кВт, 10 бар), с частотным приводом",
	"Осушитель рефрижераторный ОР-%d, производительность %d м³/мин",
	"Ресивер вертикальный РВ-%d (%d л, 10 бар) с комплектом обвязки",
	"Комплект магистральных фильтров ФМ-%d, %d ступени очистки",
	"Шеф-монтаж и пусконаладочные работы, бригада %d чел., %d дн.",
	"Комплект ЗИП на %d моточасов, партия № %d",
	"Генератор азота мембранный ГА-%d, чистота 99,%d %%",
	"Сервисный договор, %d мес., выезд до %d ч.",
}

var units = []string{"шт.", "компл.", "усл.", "шт.", "компл.", "шт."}

// genItems returns n line items with consistent amounts (VAT 22 %, rounded
// half up per line) and the sums.
func genItems(rng *rand.Rand, n int) (items []any, sub, vat workflow.Money) {
	for i := 0; i < n; i++ {
		price := workflow.Money(rng.IntN(4_000_000)*100 + 50_000*100)
		qty := int64(1 + rng.IntN(5))
		amount := price * workflow.Money(qty)
		v := workflow.Money((int64(amount)*22 + 50) / 100)
		name := fmt.Sprintf(productNames[rng.IntN(len(productNames))], 10+rng.IntN(240), 1+rng.IntN(90))
		items = append(items, map[string]any{
			"name":   name,
			"unit":   units[rng.IntN(len(units))],
			"qty":    json.Number(fmt.Sprint(qty)),
			"price":  price.String(),
			"amount": amount.String(),
			"vat":    v.String(),
			"total":  (amount + v).String(),
		})
		sub += amount
		vat += v
	}
	return items, sub, vat
}

// proposalVariant copies the sample proposal and changes its number, items
// and amounts.
func proposalVariant(base map[string]any, rng *rand.Rand, seq int, nItems int) map[string]any {
	d := make(map[string]any, len(base))
	for k, v := range base {
		d[k] = v
	}
	items, sub, vat := genItems(rng, nItems)
	d["number"] = fmt.Sprintf("КП-2026-%04d", seq%10000)
	d["items"] = items
	d["subtotal"] = sub.String()
	d["vat_total"] = vat.String()
	d["total"] = (sub + vat).String()
	buyer := map[string]any{}
	for k, v := range base["buyer"].(map[string]any) {
		buyer[k] = v
	}
	buyer["contact"] = []string{"Иванову С. П.", "Петрову А. А.", "Сидоровой Е. В.", "Кузнецову Д. И."}[seq%4]
	d["buyer"] = buyer
	return d
}

func invoiceData(t testing.TB, seq, n int) map[string]any {
	t.Helper()
	base := loadJSON(t, filepath.Join("testdata", "proposal.json"))
	rng := rand.New(rand.NewPCG(uint64(seq), 7))
	items, sub, vat := genItems(rng, n)
	seller := base["seller"].(map[string]any)
	seller["accountant"] = "Е. Н. Соколова"
	return map[string]any{
		"number":    fmt.Sprintf("2026/%d", 100+seq),
		"date":      "2026-03-20",
		"seller":    seller,
		"buyer":     base["buyer"],
		"items":     items,
		"subtotal":  sub.String(),
		"vat_total": vat.String(),
		"total":     (sub + vat).String(),
	}
}
