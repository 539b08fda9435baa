package docxgen

import (
	"fmt"
	"strings"
)

// TORG12 builds upd-torg12.docx, the alternative profile of the УПД (DOMAIN.md §1.7,
// profile torg12): a товарная накладная ТОРГ-12 (OKUD 0330212) and, on a new page, a
// separate счёт-фактура of Decree 1137 printed from the same data, as the PDF layout
// templates/pdf/upd.xml prints that profile. documents.Builtin picks it for a УПД whose
// profile is torg12 (a DOCX has no conditionals, so the two forms are two files).
//
// The ТОРГ-12: the header with consignor, consignee, supplier and payer, each with
// requisites, address and bank (the upd view's torg12 lines), the basis and the transport
// waybill beside the form's codes; «ТОВАРНАЯ НАКЛАДНАЯ № … от …»; the goods table with the
// form's columns 1–15 (package type, places and gross weight are left «—»: the data has
// none) and «Всего по накладной»; the number of lines and «Всего отпущено на сумму» in
// words; «Отпуск разрешил», «Главный (старший) бухгалтер», «Отпуск груза произвёл», «По
// доверенности», «Груз принял», «Груз получил грузополучатель» and the stamps.
//
// The счёт-фактура: lines 1–8 (number and date, correction, seller, address, ИНН/КПП,
// consignor, consignee, payment documents, the shipping document — this накладная —,
// buyer, address, ИНН/КПП, currency, government contract), the goods table with columns
// 1–11 and «Всего к оплате», and the signatures of the head and the chief accountant.
func TORG12() ([]byte, error) {
	w := LandscapeTextWidth
	const hs = 12 // 6 pt column headings
	mp := func(s string) Para { return Para{Size: SizeMicro, Runs: []Run{T(s)}} }
	mpc := func(s string) Para { return Para{Align: "center", Size: SizeMicro, Runs: []Run{T(s)}} }
	headCell := func(text string) Cell {
		return Cell{VAlign: "center", Paras: []Para{{Align: "center", Size: hs, Runs: []Run{T(text)}}}}
	}
	type col struct {
		heading string
		width   int
		cell    string // the loop cell: {lines.field} placeholders or fixed text
		align   string
	}
	// goods is a bordered goods table: a heading row, a row of column numbers, the loop
	// row and the total row.
	goods := func(cols []col, total Row) (Table, error) {
		t := Table{Borders: true}
		h1, h2, loop := Row{Header: true}, Row{Header: true}, Row{CantSplit: true}
		for i, c := range cols {
			t.Widths = append(t.Widths, c.width)
			h1.Cells = append(h1.Cells, headCell(c.heading))
			h2.Cells = append(h2.Cells, headCell(fmt.Sprint(i+1)))
			var paras []Para
			// A cell with two values gets a paragraph for each: docxfill wants each
			// placeholder in a run of one text element.
			for _, s := range strings.Split(c.cell, "\n") {
				paras = append(paras, Para{Align: c.align, Size: SizeMicro, Runs: []Run{T(s)}})
			}
			loop.Cells = append(loop.Cells, Cell{Paras: paras})
		}
		if sum := sumWidths(t.Widths); sum > w {
			return Table{}, fmt.Errorf("upd-torg12: a goods table is %d twips wide, the page has %d", sum, w)
		}
		t.Rows = []Row{h1, h2, loop, total}
		return t, nil
	}
	bold := func(s, align string) Cell {
		return C(Para{Align: align, Size: SizeMicro, Bold: true, Runs: []Run{T(s)}})
	}
	sig := func(s string) Cell {
		return Cell{VAlign: "bottom", Paras: []Para{{Align: "center", Size: SizeSmall - 2, Runs: []Run{T(s)}}}}
	}
	capt := func(s string) Cell { return C(Para{Align: "center", Size: 12, Runs: []Run{T(s)}}) }
	lbl := func(s string) Cell { return Cell{VAlign: "bottom", Paras: []Para{mp(s)}} }
	value := func(s string) Cell {
		return Cell{VAlign: "bottom", Paras: []Para{{Size: SizeSmall - 2, Runs: []Run{T(s)}}}}
	}

	var d Doc

	// ============================ ТОРГ-12 ============================
	d.Add(Para{Align: "right", IndentLeft: w * 2 / 3, Size: 12, Runs: []Run{
		T("Унифицированная форма № ТОРГ-12\nУтверждена постановлением Госкомстата России от 25.12.98 № 132")}})
	label, code, codeValue := 2835, 2268, 1701
	party := w - label - code - codeValue
	hrow := func(l, v, c, cv string) Row {
		return Row{CantSplit: true, Cells: []Cell{
			C(Para{Size: SizeMicro, Runs: []Run{T(l)}}),
			C(Para{Size: 16, Runs: []Run{T(v)}}),
			C(Para{Align: "right", Size: SizeMicro, Runs: []Run{T(c)}}),
			{Shade: ShadeLabel, Paras: []Para{mpc(cv)}},
		}}
	}
	d.AddTable(Table{Widths: []int{label, party, code, codeValue}, Rows: []Row{
		hrow("", "", "Форма по ОКУД", "0330212"),
		hrow("Грузоотправитель", Ph("torg12.consignor"), "по ОКПО", "—"),
		hrow("Структурное подразделение", "—", "", ""),
		hrow("Грузополучатель", Ph("torg12.consignee"), "по ОКПО", "—"),
		hrow("Поставщик", Ph("torg12.supplier"), "по ОКПО", "—"),
		hrow("Плательщик", Ph("torg12.payer"), "по ОКПО", "—"),
		hrow("Основание", Ph("basis"), "Основание: договор", Ph("contract.text")),
		hrow("Транспортная накладная", Ph("transport"), "Вид операции", "—"),
	}})
	d.Add(Para{Align: "center", SpaceBefore: 120, SpaceAfter: 120, Size: 22, Bold: true, KeepNext: true, Runs: []Run{
		T("ТОВАРНАЯ НАКЛАДНАЯ № " + Ph("number") + " от " + Ph("date"))}})

	torg, err := goods([]col{
		{"Номер по порядку", 567, Ph("lines.no"), "center"},
		{"Товар: наименование, характеристика, сорт, артикул", 3175, Ph("lines.name") + "\n" + Ph("lines.description"), "left"},
		{"Товар: код", 850, Ph("lines.sku"), "center"},
		{"Ед. изм.: наиме\u00adнование", 680, Ph("lines.unit"), "center"},
		{"Код по ОКЕИ", 567, Ph("lines.okei"), "center"},
		{"Вид упаковки", 624, "—", "center"},
		{"Кол-во в одном месте", 624, "—", "center"},
		{"Кол-во мест, штук", 624, "—", "center"},
		{"Масса брутто", 624, "—", "center"},
		{"Кол-во (масса нетто)", 737, Ph("lines.qty"), "right"},
		{"Цена, " + Ph("currency.short"), 1134, Ph("lines.price_net"), "right"},
		{"Сумма без учёта НДС, " + Ph("currency.short"), 1191, Ph("lines.amount"), "right"},
		{"НДС: ставка", 624, Ph("lines.vat_rate"), "center"},
		{"НДС: сумма, " + Ph("currency.short"), 1077, Ph("lines.vat"), "right"},
		{"Сумма с учётом НДС, " + Ph("currency.short"), 1191, Ph("lines.total"), "right"},
	}, Row{CantSplit: true, Cells: []Cell{
		{Span: 9, Paras: []Para{{Align: "right", Size: SizeMicro, Bold: true, Runs: []Run{T("Всего по накладной")}}}},
		bold("X", "center"), bold("X", "center"),
		bold(Ph("totals.net"), "right"), bold("X", "center"), bold(Ph("totals.vat"), "right"), bold(Ph("totals.gross"), "right"),
	}})
	if err != nil {
		return nil, err
	}
	d.AddTable(torg)
	d.Add(Para{SpaceBefore: 60, Size: SizeMicro, Runs: []Run{
		T("Товарная накладная имеет приложение на ____ листах и содержит "), B(Ph("totals.count_words")),
		T(" (" + Ph("totals.count") + ") порядковых номеров записей. Всего мест: ____. Масса груза (нетто): ____. Масса груза (брутто): ____.")}})
	d.Add(Para{SpaceAfter: 60, Size: SizeMicro, Runs: []Run{
		T("Всего отпущено на сумму: "), B(Ph("totals.words")),
		T(", в том числе " + Ph("totals.vat_label") + " — " + Ph("totals.vat") + " " + Ph("currency.short"))}})

	// Signatures: the seller's side on the left, the buyer's on the right.
	pos, sg, name, gap := 2041, 1474, 1701, 340
	rname := w - 2*(pos+pos+sg) - name - gap
	caps := func(left, right []string) Row {
		r := Row{CantSplit: true}
		for _, s := range left {
			r.Cells = append(r.Cells, capt(s))
		}
		r.Cells = append(r.Cells, Cell{})
		for _, s := range right {
			r.Cells = append(r.Cells, capt(s))
		}
		return r
	}
	both := []string{"", "(должность)", "(подпись)", "(расшифровка подписи)"}
	d.AddTable(Table{Widths: []int{pos, pos, sg, name, gap, pos, pos, sg, rname}, Rows: []Row{
		{CantSplit: true, Cells: []Cell{lbl("Отпуск разрешил"), value(Ph("seller.director_title")), sig("______________"), sig(Ph("seller.director_initials")), {},
			lbl("По доверенности"), {Span: 3, VAlign: "bottom", Paras: []Para{{Size: SizeSmall - 2, Runs: []Run{T(Ph("power_of_attorney"))}}}}}},
		{CantSplit: true, Cells: []Cell{C(Para{Size: 12}), capt("(должность)"), capt("(подпись)"), capt("(расшифровка подписи)"), {},
			C(mp("выданной")), {Span: 3, Paras: []Para{{Align: "center", Size: 12, Runs: []Run{T("(кем, кому)")}}}}}},
		{CantSplit: true, Cells: []Cell{lbl("Главный (старший) бухгалтер"), {}, sig("______________"), sig(Ph("seller.chief_accountant_initials")), {},
			lbl("Груз принял"), sig("______________"), sig("______________"), sig("______________")}},
		caps([]string{"", "", "(подпись)", "(расшифровка подписи)"}, both),
		{CantSplit: true, Cells: []Cell{lbl("Отпуск груза произвёл"), value(Ph("shipped_by.position")), sig("______________"), sig(Ph("shipped_by.initials")), {},
			lbl("Груз получил грузополучатель"), value(Ph("received_by.position")), sig("______________"), sig(Ph("received_by.initials"))}},
		caps(both, both),
		{CantSplit: true, Cells: []Cell{
			{Span: 4, Paras: []Para{{Size: SizeSmall - 2, SpaceBefore: 120, Runs: []Run{T("М.П.          " + Ph("shipment_date_contract"))}}}}, {},
			{Span: 4, Paras: []Para{{Size: SizeSmall - 2, SpaceBefore: 120, Runs: []Run{T("М.П.          «___» ______________ 20__ г.")}}}},
		}},
	}})

	// ====================== Счёт-фактура (1137) ======================
	d.Add(Para{Runs: []Run{{Raw: `<w:r><w:br w:type="page"/></w:r>`}}})
	d.Add(Para{Align: "right", IndentLeft: w * 2 / 3, Size: 12, Runs: []Run{
		T("Приложение № 1 к постановлению Правительства Российской Федерации от 26 декабря 2011 г. № 1137")}})
	d.Add(Para{Size: 22, Bold: true, SpaceAfter: 40, KeepNext: true, Runs: []Run{T("Счёт-фактура № " + Ph("number") + " от " + Ph("date") + " (1)")}})
	d.Add(Para{Size: 16, SpaceAfter: 80, KeepNext: true, Runs: []Run{T("Исправление № — от — (1а)")}})
	il, ir := 5103, 567
	iline := func(l, v, r string) Row {
		return Row{CantSplit: true, Cells: []Cell{
			C(Para{Size: 16, Runs: []Run{T(l)}}),
			C(Para{Size: 16, Runs: []Run{T(v)}}),
			C(Para{Align: "center", Size: SizeMicro, Runs: []Run{T(r)}}),
		}}
	}
	d.AddTable(Table{Widths: []int{il, w - il - ir, ir}, Rows: []Row{
		iline("Продавец:", Ph("seller.name"), "(2)"),
		iline("Адрес:", Ph("seller.address"), "(2а)"),
		iline("ИНН/КПП продавца:", Ph("seller.inn_kpp"), "(2б)"),
		iline("Грузоотправитель и его адрес:", Ph("consignor.text"), "(3)"),
		iline("Грузополучатель и его адрес:", Ph("consignee.text"), "(4)"),
		iline("К платёжно-расчётному документу", Ph("payment_documents_text"), "(5)"),
		iline("Документ об отгрузке", "№ п/п 1–"+Ph("totals.count")+" № "+Ph("number")+" от "+Ph("date")+" (товарная накладная)", "(5а)"),
		iline("Покупатель:", Ph("buyer.name"), "(6)"),
		iline("Адрес:", Ph("buyer.address"), "(6а)"),
		iline("ИНН/КПП покупателя:", Ph("buyer.inn_kpp"), "(6б)"),
		iline("Валюта: наименование, код", Ph("currency.name")+", "+Ph("currency.numeric"), "(7)"),
		iline("Идентификатор государственного контракта, договора (соглашения) (при наличии):", Ph("government_contract_id"), "(8)"),
	}})
	d.Add(Gap(8))

	// The invoice's column numbers are those of the form (1, 1а, 1б, 2, 2а, …), so they are
	// part of the headings; the second heading row numbers the columns of this table.
	inv, err := goods([]col{
		{"№ п/п (1)", 397, Ph("lines.no"), "center"},
		{"Наименование товара (описание выполненных работ, оказанных услуг), имущественного права (1а)", 2948, Ph("lines.name"), "left"},
		{"Код вида товара (1б)", 624, "—", "center"},
		{"Ед. изм.: код (2)", 567, Ph("lines.okei"), "center"},
		{"Ед. изм.: условное обозна\u00adчение (2а)", 737, Ph("lines.unit"), "center"},
		{"Количество (объём) (3)", 794, Ph("lines.qty"), "right"},
		{"Цена (тариф) за единицу измерения (4)", 1134, Ph("lines.price_net"), "right"},
		{"Стоимость товаров без налога — всего (5)", 1191, Ph("lines.amount"), "right"},
		{"В том числе сумма акциза (6)", 737, "без акциза", "center"},
		{"Налоговая ставка (7)", 737, Ph("lines.vat_rate"), "center"},
		{"Сумма налога, предъявляемая покупателю (8)", 1077, Ph("lines.vat"), "right"},
		{"Стоимость товаров с налогом — всего (9)", 1191, Ph("lines.total"), "right"},
		{"Страна: цифро\u00advой код (10)", 680, Ph("lines.country_code"), "center"},
		{"Страна: краткое наиме\u00adнование (10а)", 907, Ph("lines.country"), "center"},
		{"Регистрационный номер декларации на товары (11)", 1361, Ph("lines.customs_declaration"), "center"},
	}, Row{CantSplit: true, Cells: []Cell{
		{Span: 7, Paras: []Para{{Size: SizeMicro, Bold: true, Runs: []Run{T("Всего к оплате (9)")}}}},
		bold(Ph("totals.net"), "right"),
		{Span: 2, Paras: []Para{mpc("X")}},
		bold(Ph("totals.vat"), "right"), bold(Ph("totals.gross"), "right"),
		{Span: 3},
	}})
	if err != nil {
		return nil, err
	}
	d.AddTable(inv)
	d.Add(Gap(8))
	q := w / 6
	d.AddTable(Table{Widths: []int{q + 400, q - 400, q, q + 400, q - 400, w - 5*q}, Rows: []Row{
		{CantSplit: true, Cells: []Cell{
			lbl("Руководитель организации или иное уполномоченное лицо"), sig("__________"), sig(Ph("seller.director_initials")),
			lbl("Главный бухгалтер или иное уполномоченное лицо"), sig("__________"), sig(Ph("seller.chief_accountant_initials")),
		}},
		{CantSplit: true, Cells: []Cell{C(Para{Size: 12}), capt("(подпись)"), capt("(ф. и. о.)"), C(Para{Size: 12}), capt("(подпись)"), capt("(ф. и. о.)")}},
		{CantSplit: true, Cells: []Cell{
			lbl("Индивидуальный предприниматель или иное уполномоченное лицо"), sig("__________"), sig("__________"),
			{Span: 3, VAlign: "bottom", Paras: []Para{{Align: "center", Size: SizeSmall - 2, Runs: []Run{T("______________________________________________")}}}},
		}},
		{CantSplit: true, Cells: []Cell{C(Para{Size: 12}), capt("(подпись)"), capt("(ф. и. о.)"),
			{Span: 3, Paras: []Para{{Align: "center", Size: 12, Runs: []Run{T("(реквизиты свидетельства о государственной регистрации индивидуального предпринимателя)")}}}}}},
	}})
	d.Add(P())

	return Package{
		Title:     "Товарная накладная (ТОРГ-12) и счёт-фактура",
		Body:      d.Body(),
		Landscape: true,
		Footer:    Footer("ТОРГ-12 и счёт-фактура № " + Ph("number") + " от " + Ph("date")),
	}.Build()
}
