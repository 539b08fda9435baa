package docxgen

// Proposal builds proposal.docx, the коммерческое предложение (DOMAIN.md §1.2). Its
// placeholders are keys of the proposal view in documents/VIEW.md: number, date,
// greeting, subject, intro, solution, benefits_text, delivery_time, delivery_basis,
// delivery_address, payment_terms, warranty, validity, offer_note; seller (letterhead),
// buyer.{name,address}, addressee.{position,name}, currency.short,
// totals.{net,vat,gross,vat_label,words}, manager.{name,position,phone,email},
// signer.{position,initials}; and the loop row over lines:
// lines.{no,name,description,unit,qty,price_net,amount,vat,total}.
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

	cur := " " + Ph("currency.short")
	d.Add(
		Para{Align: "center", SpaceBefore: 360, Size: SizeTitle, Bold: true, Runs: []Run{T("КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ")}},
		Para{Align: "center", SpaceAfter: 240, Runs: []Run{I(Ph("subject"))}},
		Para{Align: "center", SpaceAfter: 120, Runs: []Run{T(Ph("greeting"))}},
		Justify(T(Ph("intro"))),
		Justify(T(Ph("solution"))),
		Para{Align: "both", SpaceBefore: 120, KeepNext: true, Runs: []Run{B("Преимущества решения:")}},
		// Left-aligned: a justified line ending in a line break is stretched.
		Para{IndentLeft: 357, Runs: []Run{T(Ph("benefits_text"))}},
		Para{Align: "both", IndentFirst: 709, SpaceBefore: 120, SpaceAfter: 120, KeepNext: true,
			Runs: []Run{T("Предлагаем поставку на следующих условиях:")}},
	)

	d.AddTable(ItemTable("lines", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Наименование", Width: 2438, Field: "name", Detail: "description"},
		{Heading: "Ед. изм.", Width: 510, Field: "unit", Align: "center"},
		{Heading: "Кол-во", Width: 680, Field: "qty", Align: "right"},
		{Heading: "Цена без НДС," + cur, Width: 1361, Field: "price_net", Align: "right"},
		{Heading: "Сумма без НДС," + cur, Width: 1361, Field: "amount", Align: "right"},
		{Heading: "НДС," + cur, Width: 1247, Field: "vat", Align: "right"},
		{Heading: "Всего с НДС," + cur, Width: 1361, Field: "total", Align: "right"},
	}, TotalRow("Итого:", 5, Ph("totals.net"), Ph("totals.vat"), Ph("totals.gross"))))

	d.Add(
		Para{SpaceBefore: 120, Align: "right", Runs: []Run{T("Итого без НДС: "), T(Ph("totals.net")), T(cur)}},
		Para{Align: "right", Runs: []Run{T(Ph("totals.vat_label") + ": "), T(Ph("totals.vat")), T(cur)}},
		Para{Align: "right", Runs: []Run{B("Всего с НДС: "), B(Ph("totals.gross")), B(cur)}},
		Para{Align: "both", SpaceBefore: 120, SpaceAfter: 240, Runs: []Run{T("Сумма прописью: "), I(Ph("totals.words"))}},

		Para{KeepNext: true, SpaceAfter: 60, Runs: []Run{B("Условия поставки")}},
		Labelled("Срок поставки:", Ph("delivery_time")),
		Labelled("Базис поставки:", Ph("delivery_basis")),
		Labelled("Адрес поставки:", Ph("delivery_address")),
		Labelled("Условия оплаты:", Ph("payment_terms")),
		Labelled("Гарантия:", Ph("warranty")),
		Labelled("Срок действия предложения:", Ph("validity")),

		// The view words the clause: «… не является публичной офертой …», or the firm
		// offer sentence when the proposal binds.
		Para{Align: "both", SpaceBefore: 240, Size: SizeSmall, Runs: []Run{I(Ph("offer_note"))}},
		Para{Align: "both", SpaceBefore: 120, SpaceAfter: 480, Size: SizeSmall, Runs: []Run{
			T("Контактное лицо: " + Ph("manager.name") + ", " + Ph("manager.position") +
				", тел. " + Ph("manager.phone") + ", e-mail: " + Ph("manager.email"))}},
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
// document kind adds one function and one line here; the file name is the kind's key
// (documents.Builtin reads "<kind>.docx"); a shipped variant of a kind is "<kind>-<variant>.docx"
// (documents.BuiltinFor: "upd-torg12.docx" for the ТОРГ-12 profile of the УПД).
var Templates = []struct {
	File  string
	Build func() ([]byte, error)
}{
	{"proposal.docx", Proposal},
	{"meeting_report.docx", MeetingReport},
	{"client_card.docx", ClientCard},
	{"contract.docx", Contract},
	{"specification.docx", Specification},
	{"production_schedule.docx", ProductionSchedule},
	{"invoice.docx", Invoice},
	{"upd.docx", UPD},
	{"upd-torg12.docx", TORG12},
	{"recommendation_letter.docx", RecommendationLetter},
}
