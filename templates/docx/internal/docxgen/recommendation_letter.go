package docxgen

// RecommendationLetter builds recommendation_letter.docx, the рекомендательное письмо
// (DOMAIN.md §1.8): a draft on the client's letterhead (the author party) with the
// client's outgoing number and date and the addressee; who the client is; what the
// supplier delivered under which contract, in which period, in what volume and for what
// value; the client's assessment and explicit recommendation; the signature of the
// client's signatory with «М.П.». Keys are those of the recommendation_letter view in
// documents/VIEW.md; the equipment list uses supplied.equipment_text.
func RecommendationLetter() ([]byte, error) {
	var d Doc
	d.Add(Letterhead("author")...)

	half := TextWidth / 2
	d.AddTable(Table{
		Widths: []int{half, TextWidth - half},
		Rows: []Row{{Cells: []Cell{
			C(Para{Runs: []Run{T(Ph("outgoing"))}}),
			C(Para{Align: "right", Runs: []Run{B(Ph("addressee"))}}),
		}}},
	})

	d.Add(DocTitle("РЕКОМЕНДАТЕЛЬНОЕ ПИСЬМО")...)
	d.Add(
		Text(T(Ph("client_description"))),
		Text(T("В рамках договора поставки "+Ph("supplied.contract.text")+" в период "+Ph("supplied.period")+" компания "),
			B(Ph("supplier.name")), T(" (ИНН "+Ph("supplier.inn")+") поставила нашему предприятию:")),
		Para{IndentLeft: 709, SpaceAfter: 80, Runs: []Run{T(Ph("supplied.equipment_text"))}},
		Text(T("Объём поставки — "+Ph("supplied.volume")+". Общая стоимость поставки с учётом НДС составила "+
			Ph("supplied.amount")+" "+Ph("supplied.currency.short")+" ("+Ph("supplied.amount_words")+").")),
		Text(T(Ph("assessment"))),
		Text(T(Ph("recommendation"))),
		Gap(SizeBody),
		Gap(SizeBody),
	)
	d.AddTable(Table{
		Widths: []int{TextWidth * 45 / 100, TextWidth * 25 / 100, TextWidth - TextWidth*45/100 - TextWidth*25/100},
		Rows: []Row{{CantSplit: true, Cells: []Cell{
			{VAlign: "bottom", Paras: []Para{
				{KeepNext: true, Runs: []Run{T(Ph("signatory.position"))}},
				{KeepNext: true, Runs: []Run{T(Ph("author.name"))}},
			}},
			{VAlign: "bottom", Paras: []Para{{Align: "center", Runs: []Run{T("________________")}}}},
			{VAlign: "bottom", Paras: []Para{{Align: "right", Runs: []Run{T(Ph("signatory.initials"))}}}},
		}}},
	})
	d.Add(Para{IndentLeft: 567, SpaceBefore: 120, Size: SizeSmall, Runs: []Run{T("М.П.")}})

	return Package{
		Title:  "Рекомендательное письмо",
		Body:   d.Body(),
		Footer: Footer(Ph("outgoing")),
	}.Build()
}
