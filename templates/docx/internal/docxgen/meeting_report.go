package docxgen

// MeetingReport builds meeting_report.docx, the отчёт о встрече (DOMAIN.md §1.1): header
// with date, time, format and place; participants with their roles in the decision;
// reason and goal; topics; the client's situation and needs; objections; agreements;
// next steps and promised documents with owners and deadlines; the rep's assessment;
// attachments; the author's signature. Keys are those of the meeting_report view in
// documents/VIEW.md; the list sections are loop rows over participants, objections,
// next_steps and documents_promised, the text lists use their *_text keys.
func MeetingReport() ([]byte, error) {
	var d Doc
	head := TwoColumns(TextWidth,
		C(Para{Size: SizeSmall, Bold: true, Runs: []Run{T(Ph("seller.name"))}}),
		C(Para{Align: "right", Size: SizeSmall, Runs: []Run{I("Внутренний документ отдела продаж")}}))
	d.AddTable(head)
	d.Add(Para{Size: 8, BorderBottom: true})
	d.Add(DocTitle("ОТЧЁТ О ВСТРЕЧЕ № "+Ph("number"), "с клиентом "+Ph("client.name"))...)

	label := 2835
	d.AddTable(KVTable(TextWidth, label,
		KV{"Дата и время", Ph("date_words") + ", " + Ph("time")},
		KV{"Формат встречи", Ph("format_ru")},
		KV{"Место проведения", Ph("place")},
		KV{"Клиент", Ph("client.name") + "\n" + Ph("client.requisites_line") + "\n" + Ph("client.address")},
		KV{"Отчёт составил", Ph("author.name") + ", " + Ph("author.position")},
	))

	d.Add(Heading("1. Участники встречи"))
	d.AddTable(ItemTable("participants", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Фамилия, имя, отчество", Width: 2494, Field: "name"},
		{Heading: "Сторона", Width: 1134, Field: "side_ru", Align: "center"},
		{Heading: "Должность", Width: 2041, Field: "position"},
		{Heading: "Роль в принятии решения", Width: 1361, Field: "role_ru", Align: "center"},
		{Heading: "Телефон, e-mail", Width: 1928, Field: "phone", Detail: "email"},
	}))

	d.Add(
		Heading("2. Повод и цель встречи"),
		Para{Align: "both", SpaceAfter: 60, Runs: []Run{B("Повод: "), T(Ph("reason"))}},
		Para{Align: "both", Runs: []Run{B("Цель: "), T(Ph("goal"))}},

		Heading("3. Обсуждённые вопросы"),
		Para{IndentLeft: 357, Runs: []Run{T(Ph("topics_text"))}},

		Heading("4. Ситуация клиента"),
	)
	d.AddTable(KVTable(TextWidth, label,
		KV{"Действующее оборудование", Ph("situation.current_equipment")},
		KV{"Проблемы", Ph("situation.problems")},
		KV{"Последствия для клиента", Ph("situation.consequences")},
		KV{"Желаемый результат", Ph("situation.desired_result")},
	))

	d.Add(
		Heading("5. Выявленные потребности"),
		Para{IndentLeft: 357, Runs: []Run{T(Ph("needs_text"))}},

		Heading("6. Возражения и позиции сторон"),
	)
	d.AddTable(ItemTable("objections", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Возражение клиента", Width: 3742, Field: "objection"},
		{Heading: "Ответ, позиция поставщика", Width: TextWidth - 397 - 3742, Field: "answer"},
	}))

	d.Add(
		Heading("7. Достигнутые договорённости"),
		Para{IndentLeft: 357, Runs: []Run{T(Ph("agreements_text"))}},

		Heading("8. Следующие шаги"),
	)
	steps := func(list, what string) Table {
		return ItemTable(list, []Column{
			{Heading: "№", Width: 397, Field: "no", Align: "center"},
			{Heading: what, Width: 5216, Field: "action"},
			{Heading: "Ответственный", Width: 2268, Field: "owner"},
			{Heading: "Срок", Width: TextWidth - 397 - 5216 - 2268, Field: "due", Align: "center"},
		})
	}
	d.AddTable(steps("next_steps", "Действие"))
	d.Add(Heading("9. Документы, которые стороны обязались предоставить"))
	d.AddTable(steps("documents_promised", "Документ"))

	d.Add(Heading("10. Оценка менеджера"))
	d.AddTable(KVTable(TextWidth, label,
		KV{"Этап сделки", Ph("assessment.stage")},
		KV{"Вероятность сделки", Ph("assessment.probability")},
		KV{"Потенциал, руб. без НДС", Ph("assessment.potential")},
		KV{"Комментарий", Ph("assessment.comment")},
	))

	d.Add(
		Heading("11. Приложения"),
		Para{IndentLeft: 357, Runs: []Run{T(Ph("attachments_text"))}},
		Gap(SizeBody),
		Para{KeepNext: true, Runs: []Run{B("Отчёт составил:")}},
	)
	d.AddTable(SignTable(TextWidth, Sign{Ph("author.position"), Ph("author.initials")}))
	d.Add(Para{Size: SizeTiny, SpaceBefore: 60, Runs: []Run{
		T("Тел.: " + Ph("author.phone") + ", e-mail: " + Ph("author.email"))}})

	return Package{
		Title:  "Отчёт о встрече",
		Body:   d.Body(),
		Footer: Footer("Отчёт о встрече № " + Ph("number") + " от " + Ph("date")),
	}.Build()
}
