package docxgen

// Specification builds specification.docx, the спецификация к договору поставки
// (DOMAIN.md §1.5): the appendix heading, number, place and date; the goods with ОКЕИ
// units, prices and VAT per line; totals in figures and in words; the terms of this batch
// (delivery period, basis and address, consignee, payment schedule, warranty, documents
// supplied); the clause that the specification is an integral part of the contract; both
// parties' signatures. Keys are those of the specification view in documents/VIEW.md;
// lines and payment_schedule are loop rows.
func Specification() ([]byte, error) {
	var d Doc
	d.Add(Para{Align: "right", IndentLeft: TextWidth / 2, Size: SizeSmall, Runs: []Run{T(Ph("heading"))}})
	d.Add(DocTitle("СПЕЦИФИКАЦИЯ № " + Ph("number"))...)
	d.AddTable(PlaceDate("г. "+Ph("place"), Ph("date_contract")))
	d.Add(Gap(SizeSmall))

	d.Add(Text(
		B(Ph("seller.name")), T(" (Поставщик) и "), B(Ph("buyer.name")),
		T(" (Покупатель) согласовали поставку по Договору поставки "+Ph("contract.text")+" следующего Товара:"),
	))

	cur := ", " + Ph("currency.short")
	d.AddTable(HeadingSize(ItemTable("lines", []Column{
		{Heading: "№", Width: 340, Field: "no", Align: "center"},
		{Heading: "Наименование Товара, технические характеристики", Width: 2098, Field: "name", Detail: "description"},
		{Heading: "Ед. изм.", Width: 567, Field: "unit", Align: "center"},
		{Heading: "Код ОКЕИ", Width: 624, Field: "okei", Align: "center"},
		{Heading: "Кол-во", Width: 567, Field: "qty", Align: "right"},
		{Heading: "Цена без НДС" + cur, Width: 1077, Field: "price_net", Align: "right"},
		{Heading: "Сумма без НДС" + cur, Width: 1191, Field: "amount", Align: "right"},
		{Heading: "Ставка НДС", Width: 680, Field: "vat_rate", Align: "center"},
		{Heading: "Сумма НДС" + cur, Width: 1077, Field: "vat", Align: "right"},
		{Heading: "Всего с НДС" + cur, Width: TextWidth - 340 - 2098 - 567 - 624 - 567 - 1077 - 1191 - 680 - 1077, Field: "total", Align: "right"},
	},
		TotalRow("Итого:", 6, Ph("totals.net"), "", Ph("totals.vat"), Ph("totals.gross")),
	), 16))

	d.Add(
		Para{SpaceBefore: 120, Align: "right", Runs: []Run{T("Итого без НДС: " + Ph("totals.net") + " " + Ph("currency.short"))}},
		Para{Align: "right", Runs: []Run{T(Ph("totals.vat_label") + ": " + Ph("totals.vat") + " " + Ph("currency.short"))}},
		Para{Align: "right", Runs: []Run{B("Всего с НДС: " + Ph("totals.gross") + " " + Ph("currency.short"))}},
		// The sentence ends with the words, not with currency.short («руб.»), so that no
		// second full stop follows an abbreviation.
		Para{Align: "both", SpaceBefore: 120, Runs: []Run{
			T("Общая стоимость Товара по настоящей Спецификации: "), I(Ph("totals.words")), T("."),
		}},
		Heading("Условия поставки и оплаты"),
		Clause("1.", "Срок поставки: "+Ph("delivery_period")+"."),
		Clause("2.", "Условия поставки: "+Ph("delivery_basis_ru")+"."),
		Clause("3.", "Грузополучатель: "+Ph("consignee.name")+", "+Ph("consignee.requisites_line")+". Адрес поставки: "+Ph("delivery_address")+"."),
		Para{Align: "both", IndentFirst: 567, SpaceAfter: 60, KeepNext: true, Runs: []Run{T("4. Порядок оплаты:")}},
	)
	d.AddTable(ItemTable("payment_schedule", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Доля", Width: 794, Field: "percent", Align: "center"},
		{Heading: "Сумма с НДС" + cur, Width: 1814, Field: "amount", Align: "right"},
		{Heading: "Срок оплаты", Width: TextWidth - 397 - 794 - 1814, Field: "term"},
	}))
	d.Add(
		Gap(SizeTiny),
		Clause("5.", "Гарантийный срок: "+Ph("warranty")+"."),
		Para{Align: "both", IndentFirst: 567, SpaceAfter: 40, KeepNext: true, Runs: []Run{T("6. Товар поставляется с документами:")}},
		Para{IndentLeft: 851, SpaceAfter: 40, Runs: []Run{T(Ph("documents_text"))}},
		Clause("7.", "Настоящая Спецификация является неотъемлемой частью Договора поставки "+Ph("contract.text")+". Условия настоящей Спецификации в отношении указанной в ней партии Товара имеют преимущество перед условиями Договора; в остальном Стороны руководствуются Договором."),
		Clause("8.", "Спецификация составлена в двух экземплярах, имеющих равную юридическую силу, по одному для каждой из Сторон, и вступает в силу с даты её подписания обеими Сторонами."),
		Gap(SizeBody),
	)
	d.AddTable(TwoColumns(TextWidth, PartySignCell("Поставщик:", "seller"), PartySignCell("Покупатель:", "buyer")))
	d.Add(P())

	return Package{
		Title:  "Спецификация",
		Body:   d.Body(),
		Footer: Footer("Спецификация № " + Ph("number") + " к Договору поставки " + Ph("contract.text")),
	}.Build()
}
