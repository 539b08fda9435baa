package docxgen

// Proposal builds proposal.docx, the коммерческое предложение (DOMAIN.md §1.2).
//
// Scalar keys: number, date, greeting, subject, intro, vat_rate, validity, valid_until;
// seller.{name,address,inn,kpp,ogrn,phone,email,account,bank,bik,corr_account};
// buyer.{name,address}; addressee.{position,name}; totals.{net,vat,gross,words};
// terms.{delivery,basis,payment,warranty}; manager.{name,phone,email};
// signer.{position,name}. Loop row over items: items.{#,name,unit,qty,price,amount,vat,total}
// ("#" is filled with the line number by docxfill unless the item has its own).
//
// Two placeholders are split across runs on purpose, as Word does it, so that tests
// cover docxfill's split handling: {number} is three runs around w:proofErr marks and
// {date} two runs with different formatting.
func Proposal() ([]byte, error) {
	var d Doc
	d.Add(Letterhead("seller")...)

	// Outgoing number and date on the left, the addressee on the right.
	half := TextWidth / 2
	d.AddTable(Table{
		Widths: []int{half, TextWidth - half},
		Rows: []Row{{Cells: []Cell{
			{Paras: []Para{{Runs: []Run{
				T("Исх. № "),
				B("{"), ProofErr("spellStart"), B("number"), ProofErr("spellEnd"), B("}"),
				T(" от "),
				T("{da"), I("te}"),
			}}}},
			{Paras: []Para{
				{Runs: []Run{T(Ph("addressee.position"))}},
				{Runs: []Run{T(Ph("buyer.name"))}},
				{Runs: []Run{B(Ph("addressee.name"))}},
				{Size: SizeSmall, Runs: []Run{T(Ph("buyer.address"))}},
			}},
		}}},
	})

	d.Add(
		Para{Align: "center", SpaceBefore: 360, Size: SizeTitle, Bold: true, Runs: []Run{T("КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ")}},
		Para{Align: "center", SpaceAfter: 240, Runs: []Run{I(Ph("subject"))}},
		Para{Align: "center", SpaceAfter: 120, Runs: []Run{T(Ph("greeting"))}},
		Justify(T(Ph("intro"))),
		Para{Align: "both", IndentFirst: 709, SpaceAfter: 120, KeepNext: true,
			Runs: []Run{T("Предлагаем поставку на следующих условиях (цены в рублях):")}},
	)

	d.AddTable(ItemTable("items", []Column{
		{Heading: "№", Width: 397, Field: "#", Align: "center"},
		{Heading: "Наименование", Width: 2438, Field: "name"},
		{Heading: "Ед. изм.", Width: 510, Field: "unit", Align: "center"},
		{Heading: "Кол-во", Width: 680, Field: "qty", Align: "right"},
		{Heading: "Цена без НДС, руб.", Width: 1361, Field: "price", Align: "right"},
		{Heading: "Сумма без НДС, руб.", Width: 1361, Field: "amount", Align: "right"},
		{Heading: "НДС, руб.", Width: 1247, Field: "vat", Align: "right"},
		{Heading: "Всего с НДС, руб.", Width: 1361, Field: "total", Align: "right"},
	}, TotalRow("Итого:", 5, Ph("totals.net"), Ph("totals.vat"), Ph("totals.gross"))))

	d.Add(
		Para{SpaceBefore: 120, Align: "right", Runs: []Run{T("Итого без НДС: "), T(Ph("totals.net")), T(" руб.")}},
		Para{Align: "right", Runs: []Run{T("НДС " + Ph("vat_rate") + ": "), T(Ph("totals.vat")), T(" руб.")}},
		Para{Align: "right", Runs: []Run{B("Всего с НДС: "), B(Ph("totals.gross")), B(" руб.")}},
		Para{Align: "both", SpaceBefore: 120, SpaceAfter: 240, Runs: []Run{T("Сумма прописью: "), I(Ph("totals.words"))}},

		Para{KeepNext: true, SpaceAfter: 60, Runs: []Run{B("Условия поставки")}},
		Labelled("Срок поставки:", Ph("terms.delivery")),
		Labelled("Базис поставки:", Ph("terms.basis")),
		Labelled("Условия оплаты:", Ph("terms.payment")),
		Labelled("Гарантия:", Ph("terms.warranty")),
		Labelled("Срок действия предложения:", Ph("validity")),

		Para{Align: "both", SpaceBefore: 240, Size: SizeSmall, Runs: []Run{I(
			"Настоящее коммерческое предложение носит информационный характер и не является публичной офертой. " +
				"Цены действительны до " + Ph("valid_until") + ".")}},
		Para{Align: "both", SpaceBefore: 120, SpaceAfter: 480, Size: SizeSmall, Runs: []Run{
			T("Контактное лицо: " + Ph("manager.name") + ", тел. " + Ph("manager.phone") + ", e-mail: " + Ph("manager.email"))}},
	)
	d.AddTable(SignatureTable("signer"))
	d.Add(P())

	return Package{
		Title: "Коммерческое предложение",
		Body:  d.Body(),
		Footer: []Para{{Align: "right", Size: SizeTiny,
			Runs: append([]Run{{Text: "Коммерческое предложение № " + Ph("number") + " от " + Ph("date") + " — ", Size: SizeTiny}}, PageNumbers()...)}},
	}.Build()
}

// Templates lists every template the generator writes: file name → builder. A new
// document kind adds one function and one line here.
var Templates = []struct {
	File  string
	Build func() ([]byte, error)
}{
	{"proposal.docx", Proposal},
}
