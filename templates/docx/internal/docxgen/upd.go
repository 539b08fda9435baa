package docxgen

import "fmt"

// UPD builds upd.docx, the универсальный передаточный документ (DOMAIN.md §1.7) on a
// landscape page: the status strip; the счёт-фактура header with the requisites of
// Art. 169 p. 5 НК РФ in the lines of Decree 1137 — number and date (1), correction (1а),
// seller with address and ИНН/КПП (2–2б), consignor (3) and consignee (4), payment
// documents for advances (5), shipping document (5а), buyer (6–6б), currency name and
// code (7), government contract identifier (8); the goods table with the form's columns
// А, 1–13 (code, name, unit code and symbol, quantity, price, value without tax, excise,
// rate, tax, value with tax, country of origin, customs declaration, traceability) and
// «Всего к оплате»; the signatures of the head and the chief accountant; then the
// shipment block [8]–[19]: basis, transport, who handed over and received the goods with
// dates, the power of attorney, the persons responsible and the entities that drew the
// document up.
//
// Keys are those of the upd view in documents/VIEW.md; lines is a loop row. A loop row can
// only hold keys of its list, so the excise column prints «без акциза» as text; the view's
// excise key carries the same words. The traceability columns 12–13 are printed empty
// («—»): the view has no traceability data.
func UPD() ([]byte, error) {
	w := LandscapeTextWidth
	const hs = 12 // 6 pt for the column headings of the form
	mp := func(s string) Para { return Para{Size: SizeMicro, Runs: []Run{T(s)}} }
	mpc := func(s string) Para { return Para{Align: "center", Size: SizeMicro, Runs: []Run{T(s)}} }
	var d Doc
	d.Add(Para{Align: "right", IndentLeft: w * 2 / 3, Size: 12, Runs: []Run{
		T("Приложение № 1 к постановлению Правительства Российской Федерации от 26 декабря 2011 г. № 1137")}})

	// Header: the status strip on the left, the invoice lines on the right.
	strip, label, ref := 2268, 3175, 567
	value := w - strip - label - ref
	line := func(l, v, r string) Row {
		return Row{CantSplit: true, Cells: []Cell{
			{VMerge: "continue"},
			C(Para{Size: 16, Runs: []Run{T(l)}}),
			C(Para{Size: 16, Runs: []Run{T(v)}}),
			C(Para{Align: "center", Size: SizeMicro, Runs: []Run{T(r)}}),
		}}
	}
	head := Table{Widths: []int{strip, label, value, ref}}
	first := Row{CantSplit: true, Cells: []Cell{
		{},
		{Span: 2, Paras: []Para{{Size: SizeSmall, Bold: true, Runs: []Run{T("Счёт-фактура № " + Ph("number") + " от " + Ph("date_words"))}}}},
		C(Para{Align: "center", Size: SizeMicro, Runs: []Run{T("(1)")}}),
	}}
	first.Cells[0] = Cell{VMerge: "restart", VAlign: "top", Paras: []Para{
		{Size: SizeSmall, Bold: true, Runs: []Run{T("Универсальный передаточный документ")}},
		{Size: SizeSmall, SpaceBefore: 240, Runs: []Run{T("Статус: "), B(Ph("status"))}},
		{Size: SizeMicro, SpaceBefore: 120, Runs: []Run{T("1 — счёт-фактура и передаточный документ (акт)")}},
		{Size: SizeMicro, Runs: []Run{T("2 — передаточный документ (акт)")}},
	}}
	head.Rows = append(head.Rows,
		first,
		line("Исправление № —", "от —", "(1а)"),
		line("Продавец:", Ph("seller.name"), "(2)"),
		line("Адрес:", Ph("seller.address"), "(2а)"),
		line("ИНН/КПП продавца:", Ph("seller.inn_kpp"), "(2б)"),
		line("Грузоотправитель и его адрес:", Ph("consignor.text"), "(3)"),
		line("Грузополучатель и его адрес:", Ph("consignee.text"), "(4)"),
		line("К платёжно-расчётному документу", Ph("payment_documents_text"), "(5)"),
		line("Документ об отгрузке", "№ п/п 1–"+Ph("totals.count")+" № "+Ph("number")+" от "+Ph("date"), "(5а)"),
		line("Покупатель:", Ph("buyer.name"), "(6)"),
		line("Адрес:", Ph("buyer.address"), "(6а)"),
		line("ИНН/КПП покупателя:", Ph("buyer.inn_kpp"), "(6б)"),
		line("Валюта: наименование, код", Ph("currency.name")+", "+Ph("currency.numeric"), "(7)"),
		line("Идентификатор государственного контракта, договора (соглашения) (при наличии):", Ph("government_contract_id"), "(8)"),
	)
	d.AddTable(head)
	d.Add(Gap(8))

	// The goods table. Column widths add up to at most LandscapeTextWidth.
	type col struct {
		no      string // column number of the form
		heading string // heading (for a two-level heading: the lower part)
		width   int
		cell    string // the loop cell: a {lines.field} placeholder or fixed text
		align   string
	}
	cols := []col{
		{"А", "Код товара/ работ, услуг", 650, Ph("lines.sku"), "center"},
		{"1", "№ п/п", 340, Ph("lines.no"), "center"},
		{"1а", "Наименование товара (описание выполненных работ, оказанных услуг), имущественного права", 1783, Ph("lines.name"), "left"},
		{"1б", "Код вида товара", 567, "—", "center"},
		{"2", "код", 400, Ph("lines.okei"), "center"},
		{"2а", "условное обозна\u00adчение (нацио\u00adнальное)", 794, Ph("lines.unit"), "center"},
		{"3", "Коли\u00adчество (объём)", 794, Ph("lines.qty"), "right"},
		{"4", "Цена (тариф) за единицу измерения", 1000, Ph("lines.price_net"), "right"},
		{"5", "Стоимость товаров (работ, услуг), имущественных прав без налога — всего", 1050, Ph("lines.amount"), "right"},
		{"6", "В том числе сумма акциза", 597, "без акциза", "center"},
		{"7", "Нало\u00adговая ставка", 550, Ph("lines.vat_rate"), "center"},
		{"8", "Сумма налога, предъявляемая покупателю", 1000, Ph("lines.vat"), "right"},
		{"9", "Стоимость товаров (работ, услуг), имущественных прав с налогом — всего", 1050, Ph("lines.total"), "right"},
		{"10", "цифро\u00adвой код", 450, Ph("lines.country_code"), "center"},
		{"10а", "краткое наиме\u00adнование", 794, Ph("lines.country"), "center"},
		{"11", "Регистрационный номер декларации на товары или регистрационный номер партии товара, подлежащего прослеживаемости", 1100, Ph("lines.customs_declaration"), "center"},
		{"12", "код", 400, "—", "center"},
		{"12а", "условное обозна\u00adчение", 794, "—", "center"},
		{"13", "Количество товара, подлежащего прослежи\u00adваемости, в количественной единице измерения товара, используемой в целях осуществления прослежи\u00adваемости", 1020, "—", "center"},
	}
	// Two-level headings: columns 2–2а, 10–10а and 12–12а share an upper heading.
	groups := map[string]string{
		"2":  "Единица измерения",
		"10": "Страна происхождения товара",
		"12": "Количественная единица измерения товара, используемая в целях осуществления прослеживаемости",
	}
	second := map[string]bool{"2а": true, "10а": true, "12а": true}
	// Regular (not bold) 6 pt headings, as on the printed form.
	headCell := func(text string, size, span int, vmerge string) Cell {
		return Cell{Span: span, VMerge: vmerge, VAlign: "center", Paras: []Para{{Align: "center", Size: size, Runs: []Run{T(text)}}}}
	}
	t := Table{Borders: true}
	h1 := Row{Header: true}
	h2 := Row{Header: true}
	h3 := Row{Header: true}
	loop := Row{CantSplit: true}
	for _, c := range cols {
		t.Widths = append(t.Widths, c.width)
		switch {
		case groups[c.no] != "":
			h1.Cells = append(h1.Cells, headCell(groups[c.no], hs, 2, ""))
			h2.Cells = append(h2.Cells, headCell(c.heading, hs, 0, ""))
		case second[c.no]:
			h2.Cells = append(h2.Cells, headCell(c.heading, hs, 0, ""))
		default:
			h1.Cells = append(h1.Cells, headCell(c.heading, hs, 0, "restart"))
			h2.Cells = append(h2.Cells, headCell("", hs, 0, "continue"))
		}
		h3.Cells = append(h3.Cells, headCell(c.no, hs, 0, ""))
		loop.Cells = append(loop.Cells, C(Para{Align: c.align, Size: SizeMicro, Runs: []Run{T(c.cell)}}))
	}
	total := Row{CantSplit: true, Cells: []Cell{
		{Span: 8, Paras: []Para{{Size: SizeMicro, Bold: true, Runs: []Run{T("Всего к оплате (9)")}}}},
		C(Para{Align: "right", Size: SizeMicro, Bold: true, Runs: []Run{T(Ph("totals.net"))}}),
		{Span: 2, Paras: []Para{mpc("X")}},
		C(Para{Align: "right", Size: SizeMicro, Bold: true, Runs: []Run{T(Ph("totals.vat"))}}),
		C(Para{Align: "right", Size: SizeMicro, Bold: true, Runs: []Run{T(Ph("totals.gross"))}}),
		{Span: 6},
	}}
	if sum := sumWidths(t.Widths); sum > w {
		return nil, fmt.Errorf("upd: the goods table is %d twips wide, the page has %d", sum, w)
	}
	t.Rows = []Row{h1, h2, h3, loop, total}
	d.AddTable(t)
	d.Add(Para{SpaceBefore: 60, Size: SizeMicro, Runs: []Run{
		T("Всего наименований: " + Ph("totals.count_words") + ". Всего отпущено на сумму: "), B(Ph("totals.words"))}})
	d.Add(Gap(8))

	// Signatures of the invoice part.
	sig := func(s string) Cell {
		return Cell{VAlign: "bottom", Paras: []Para{{Align: "center", Size: SizeSmall - 2, Runs: []Run{T(s)}}}}
	}
	capt := func(s string) Cell { return C(Para{Align: "center", Size: 12, Runs: []Run{T(s)}}) }
	lbl := func(s string) Cell { return Cell{VAlign: "bottom", Paras: []Para{mp(s)}} }
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
	d.Add(Para{SpaceBefore: 60, Size: SizeMicro, BorderBottom: true, SpaceAfter: 60, Runs: []Run{
		T("Документ составлен на "),
		{Raw: `<w:fldSimple w:instr=" NUMPAGES \* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="14"/><w:szCs w:val="14"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>`},
		T(" л."),
	}})

	// Shipment block [8]–[19].
	kv := func(l, v string) Row {
		return Row{CantSplit: true, Cells: []Cell{
			{Shade: ShadeLabel, Paras: []Para{{Size: SizeMicro, KeepNext: true, Runs: []Run{T(l)}}}},
			C(Para{Size: 16, KeepNext: true, Runs: []Run{T(v)}}),
		}}
	}
	d.AddTable(Table{Borders: true, Widths: []int{4536, w - 4536}, Rows: []Row{
		kv("Основание передачи (сдачи) / получения (приёмки) [8]", Ph("basis")),
		kv("Данные о транспортировке и грузе [9]", Ph("transport")),
	}})
	d.Add(Gap(8))
	// Two sides of three columns each (position | signature | name) with a gap between.
	gap := 567
	pw, sw := 2268, 1701
	nw := (w-gap)/2 - pw - sw
	ship := Table{Widths: []int{pw, sw, nw, gap, pw, sw, w - gap - 2*pw - 2*sw - nw}}
	side := func(s string, bold bool) Cell {
		return Cell{Span: 3, VAlign: "bottom", Paras: []Para{{Size: SizeMicro, Bold: bold, SpaceBefore: 80, KeepNext: true, Runs: []Run{T(s)}}}}
	}
	sideValue := func(s string) Cell {
		return Cell{Span: 3, Paras: []Para{{Size: SizeSmall - 2, KeepNext: true, Runs: []Run{T(s)}}}}
	}
	twoSides := func(l, r Cell) Row { return Row{CantSplit: true, Cells: []Cell{l, {}, r}} }
	signs := func(lp, li, rp, ri string) []Row {
		cell := func(s, align string) Cell {
			return Cell{VAlign: "bottom", Paras: []Para{{Align: align, Size: SizeSmall - 2, SpaceBefore: 160, KeepNext: true, Runs: []Run{T(s)}}}}
		}
		caps := []Cell{capt("(должность)"), capt("(подпись)"), capt("(ф. и. о.)")}
		return []Row{
			{CantSplit: true, Cells: []Cell{cell(lp, "left"), cell("______________", "center"), cell(li, "center"), {},
				cell(rp, "left"), cell("______________", "center"), cell(ri, "center")}},
			{CantSplit: true, Cells: append(append(append([]Cell{}, caps...), Cell{}), caps...)},
		}
	}
	ship.Rows = append(ship.Rows, twoSides(
		side("Товар (груз) передал / услуги, результаты работ, права сдал [10]", false),
		side("Товар (груз) получил / услуги, результаты работ, права принял [15]", false)))
	ship.Rows = append(ship.Rows, signs(Ph("shipped_by.position"), Ph("shipped_by.initials"), Ph("received_by.position"), Ph("received_by.initials"))...)
	ship.Rows = append(ship.Rows,
		twoSides(side("Дата отгрузки, передачи (сдачи) [11]", false), side("Дата получения (приёмки) [16]", false)),
		twoSides(sideValue(Ph("shipment_date_contract")), sideValue("«____» _______________ 20___ г.")),
		twoSides(side("Иные сведения об отгрузке, передаче [12]", false), side("Иные сведения о получении, приёмке [17]", false)),
		twoSides(sideValue("—"), sideValue(Ph("power_of_attorney"))),
		twoSides(side("Ответственный за правильность оформления факта хозяйственной жизни [13]", false),
			side("Ответственный за правильность оформления факта хозяйственной жизни [18]", false)),
	)
	ship.Rows = append(ship.Rows, signs(Ph("seller.director_title"), Ph("seller.director_initials"), "", "")...)
	ship.Rows = append(ship.Rows,
		twoSides(side("Наименование экономического субъекта — составителя документа (в т. ч. комиссионера (агента)) [14]", false),
			side("Наименование экономического субъекта — составителя документа [19]", false)),
		twoSides(sideValue(Ph("seller.name")+", ИНН/КПП "+Ph("seller.inn_kpp")), sideValue(Ph("buyer.name")+", ИНН/КПП "+Ph("buyer.inn_kpp"))),
		twoSides(Cell{Span: 3, Paras: []Para{{Size: SizeSmall - 2, SpaceBefore: 120, IndentLeft: 284, Runs: []Run{T("М.П.")}}}},
			Cell{Span: 3, Paras: []Para{{Size: SizeSmall - 2, SpaceBefore: 120, IndentLeft: 284, Runs: []Run{T("М.П.")}}}}),
	)
	d.AddTable(ship)
	d.Add(P())

	return Package{
		Title:     "Универсальный передаточный документ",
		Body:      d.Body(),
		Landscape: true,
		Footer:    Footer("УПД № " + Ph("number") + " от " + Ph("date")),
	}.Build()
}
