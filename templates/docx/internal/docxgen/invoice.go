package docxgen

// Invoice builds invoice.docx, the счёт на оплату (pro-forma invoice, DOMAIN.md §1.0 and
// stage 12): the payee's bank block in the usual form (bank, БИК, accounts, ИНН, КПП,
// payee), title with number and date, supplier, buyer and basis, the items with VAT per
// line, totals «Итого без НДС / НДС 22 % / Всего к оплате», the number of items and the
// amount in words, the payment deadline and purpose, and the signatures of the head and
// the chief accountant. Keys are those of the invoice view in documents/VIEW.md; lines is
// a loop row.
func Invoice() ([]byte, error) {
	var d Doc
	d.Add(Para{Align: "both", Size: SizeTiny, SpaceAfter: 120, Runs: []Run{I(
		"Оплата настоящего счёта означает согласие с условиями поставки Товара. Уведомление об оплате обязательно. " +
			"Товар отпускается по факту поступления денежных средств на расчётный счёт Поставщика, если договором не предусмотрено иное.")}})

	// The bank block: bank (БИК, к/с), then ИНН / КПП / payee against the settlement account.
	small := func(s string) Para { return Para{Size: SizeTiny, Runs: []Run{T(s)}} }
	val := func(s string) Para { return Para{Size: SizeSmall, Runs: []Run{T(s)}} }
	a, b, c := 2835, 2268, 850
	d.AddTable(Table{Borders: true, Widths: []int{a, b, c, TextWidth - a - b - c}, Rows: []Row{
		{CantSplit: true, Cells: []Cell{
			{Span: 2, VMerge: "restart", Paras: []Para{val(Ph("seller.bank_name")), {Size: SizeTiny, SpaceBefore: 120, Runs: []Run{T("Банк получателя")}}}},
			C(val("БИК")), C(val(Ph("seller.bik"))),
		}},
		{CantSplit: true, Cells: []Cell{
			{Span: 2, VMerge: "continue"},
			C(val("Сч. №")), C(val(Ph("seller.corr_account"))),
		}},
		{CantSplit: true, Cells: []Cell{
			C(val("ИНН " + Ph("seller.inn"))), C(val("КПП " + Ph("seller.kpp"))),
			{VMerge: "restart", Paras: []Para{val("Сч. №")}}, {VMerge: "restart", Paras: []Para{val(Ph("seller.account"))}},
		}},
		{CantSplit: true, Cells: []Cell{
			{Span: 2, Paras: []Para{val(Ph("seller.name")), small("Получатель")}},
			{VMerge: "continue"}, {VMerge: "continue"},
		}},
	}})

	d.Add(Para{SpaceBefore: 360, SpaceAfter: 240, BorderBottom: true, Size: SizeTitle, Bold: true,
		Runs: []Run{T("Счёт на оплату № " + Ph("number") + " от " + Ph("date_words"))}})

	party := func(label string, runs ...Run) Row {
		return Row{CantSplit: true, Cells: []Cell{
			C(Para{Size: SizeSmall, Runs: []Run{T(label)}}),
			C(Para{Size: SizeSmall, SpaceAfter: 100, Runs: runs}),
		}}
	}
	d.AddTable(Table{Widths: []int{2552, TextWidth - 2552}, Rows: []Row{
		party("Поставщик (Исполнитель):", B(Ph("seller.name")),
			T(", "+Ph("seller.requisites_line")+", "+Ph("seller.address")+", тел.: "+Ph("seller.phone"))),
		party("Покупатель (Заказчик):", B(Ph("buyer.name")),
			T(", "+Ph("buyer.requisites_line")+", "+Ph("buyer.address"))),
		party("Основание:", T(Ph("basis"))),
	}})
	d.Add(Gap(SizeTiny))

	cur := ", " + Ph("currency.short")
	d.AddTable(HeadingSize(ItemTable("lines", []Column{
		{Heading: "№", Width: 340, Field: "no", Align: "center"},
		{Heading: "Товары (работы, услуги)", Width: 2721, Field: "name"},
		{Heading: "Кол-во", Width: 567, Field: "qty", Align: "right"},
		{Heading: "Ед.", Width: 567, Field: "unit", Align: "center"},
		{Heading: "Цена без НДС" + cur, Width: 1077, Field: "price_net", Align: "right"},
		{Heading: "Сумма без НДС" + cur, Width: 1191, Field: "amount", Align: "right"},
		{Heading: "Ставка НДС", Width: 680, Field: "vat_rate", Align: "center"},
		{Heading: "Сумма НДС" + cur, Width: 1077, Field: "vat", Align: "right"},
		{Heading: "Всего с НДС" + cur, Width: TextWidth - 340 - 2721 - 567 - 567 - 1077 - 1191 - 680 - 1077, Field: "total", Align: "right"},
	}), 16))
	d.Add(Gap(4)) // a paragraph between two tables keeps them apart

	// Totals, right-aligned under the table.
	tot := func(label, value string, bold bool) Row {
		return Row{CantSplit: true, Cells: []Cell{
			C(Para{Align: "right", Bold: bold, Runs: []Run{T(label)}}),
			C(Para{Align: "right", Bold: bold, Runs: []Run{T(value)}}),
		}}
	}
	d.AddTable(Table{Widths: []int{TextWidth - 2268, 2268}, Rows: []Row{
		tot("Итого без НДС:", Ph("totals.net"), true),
		tot(Ph("totals.vat_label")+":", Ph("totals.vat"), true),
		tot("Всего к оплате:", Ph("totals.gross"), true),
	}})

	d.Add(
		Para{SpaceBefore: 120, Runs: []Run{T("Всего наименований " + Ph("totals.count") + ", на сумму " + Ph("totals.gross") + " " + Ph("currency.short"))}},
		Para{SpaceAfter: 120, Runs: []Run{B(Ph("totals.words"))}},
		Para{Size: SizeSmall, Runs: []Run{T("Оплатить не позднее " + Ph("payment_due") + ".")}},
		Para{Size: SizeSmall, Runs: []Run{T("Назначение платежа: " + Ph("purpose"))}},
		Para{Size: SizeSmall, BorderBottom: true, SpaceAfter: 120, Runs: []Run{T("НДС исчислен по ставке, действующей на " + Ph("vat_date") + ".")}},
	)
	d.AddTable(SignTable(TextWidth,
		Sign{"Руководитель: " + Ph("seller.director_title"), Ph("seller.director_initials")},
		Sign{"Главный бухгалтер", Ph("seller.chief_accountant_initials")},
	))
	d.Add(Para{IndentLeft: 567, SpaceBefore: 120, Size: SizeSmall, Runs: []Run{T("М.П.")}})

	return Package{
		Title:  "Счёт на оплату",
		Body:   d.Body(),
		Footer: Footer("Счёт на оплату № " + Ph("number") + " от " + Ph("date")),
	}.Build()
}
