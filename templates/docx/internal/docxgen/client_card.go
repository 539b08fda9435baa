package docxgen

// ClientCard builds client_card.docx, the карта клиента (DOMAIN.md §1.3): the company's
// requisites and profile, sites, installed base, current suppliers, needs and projects,
// budget and purchasing, the decision-making unit (ЦПР), contact history, the current
// stage with the next step and risks, potential and priority, and the responsible rep.
// Keys are those of the client_card view in documents/VIEW.md; the tables are loop rows
// over sites, installed_base, competitors, needs, dmu and contact_history.
func ClientCard() ([]byte, error) {
	var d Doc
	d.Add(Para{Align: "right", Size: SizeSmall, BorderBottom: true, Runs: []Run{I("Внутренний документ отдела продаж")}})
	d.Add(DocTitle("КАРТА КЛИЕНТА № "+Ph("number"), Ph("company.name"), "по состоянию на "+Ph("date_words"))...)

	label := 3119
	d.AddTable(KVTable(TextWidth, label,
		KV{"Текущий этап сделки", Ph("stage")},
		KV{"Приоритет (категория ABC)", Ph("priority")},
		KV{"Годовой потенциал, руб. без НДС", Ph("potential")},
		KV{"Ответственный менеджер", Ph("owner.name") + ", " + Ph("owner.position") + "\nтел. " + Ph("owner.phone") + ", e-mail: " + Ph("owner.email")},
	))

	d.Add(Heading("1. Реквизиты компании"))
	d.AddTable(KVTable(TextWidth, label,
		KV{"Полное наименование", Ph("company.name")},
		KV{"ИНН / КПП", Ph("company.inn_kpp")},
		KV{Ph("company.ogrn_label"), Ph("company.ogrn")},
		KV{"Юридический адрес", Ph("company.address")},
		KV{"Почтовый адрес", Ph("company.postal_address")},
		KV{"Телефон, e-mail", Ph("company.phone") + ", " + Ph("company.email")},
		KV{"Банковские реквизиты", Ph("company.bank_line")},
		KV{"Руководитель", Ph("company.director_title") + " " + Ph("company.director_name")},
		KV{"Главный бухгалтер", Ph("company.chief_accountant")},
	))

	d.Add(Heading("2. Профиль компании"))
	d.AddTable(KVTable(TextWidth, label,
		KV{"Отрасль", Ph("industry")},
		KV{"Основной код ОКВЭД", Ph("okved")},
		KV{"Годовая выручка, руб.", Ph("revenue")},
		KV{"Численность персонала, чел.", Ph("headcount")},
		KV{"Группа компаний, структура", Ph("group")},
	))

	d.Add(Heading("3. Производственные площадки"))
	d.AddTable(ItemTable("sites", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Площадка", Width: 2268, Field: "name"},
		{Heading: "Адрес", Width: 3402, Field: "address"},
		{Heading: "Примечание", Width: TextWidth - 397 - 2268 - 3402, Field: "note"},
	}))

	d.Add(Heading("4. Установленное оборудование"))
	d.AddTable(ItemTable("installed_base", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Оборудование", Width: 2835, Field: "equipment"},
		{Heading: "Производитель", Width: 1701, Field: "manufacturer"},
		{Heading: "Кол-во", Width: 737, Field: "qty", Align: "center"},
		{Heading: "Год выпуска", Width: 850, Field: "year", Align: "center"},
		{Heading: "Примечание", Width: TextWidth - 397 - 2835 - 1701 - 737 - 850, Field: "note"},
	}))

	d.Add(Heading("5. Текущие поставщики и конкуренты"))
	d.AddTable(ItemTable("competitors", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Компания", Width: 1928, Field: "name"},
		{Heading: "Что поставляет", Width: 2268, Field: "products"},
		{Heading: "Сильные стороны", Width: 2381, Field: "strengths"},
		{Heading: "Слабые стороны", Width: TextWidth - 397 - 1928 - 2268 - 2381, Field: "weaknesses"},
	}))

	d.Add(Heading("6. Потребности и проекты"))
	d.AddTable(ItemTable("needs", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Потребность", Width: 4082, Field: "description"},
		{Heading: "Проект", Width: 2835, Field: "project"},
		{Heading: "Срок", Width: TextWidth - 397 - 4082 - 2835, Field: "timeframe", Align: "center"},
	}))

	d.Add(Heading("7. Бюджет и порядок закупок"))
	d.AddTable(KVTable(TextWidth, label,
		KV{"Известный бюджет, руб.", Ph("budget.amount")},
		KV{"Месяц формирования бюджета", Ph("budget.budgeting_month_ru")},
		KV{"Цикл закупки", Ph("budget.purchasing_cycle")},
		KV{"Порядок закупок", Ph("procurement.law_ru")},
		KV{"Электронная площадка", Ph("procurement.platform")},
		KV{"Реестр квалифицированных поставщиков", Ph("procurement.vendor_list")},
	))

	d.Add(Heading("8. Центр принятия решений (ЦПР)"))
	d.AddTable(ItemTable("dmu", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Фамилия, имя, отчество, должность", Width: 2268, Field: "name", Detail: "position"},
		{Heading: "Роль", Width: 1304, Field: "role_ru", Align: "center"},
		{Heading: "Отношение", Width: 1134, Field: "attitude_ru", Align: "center"},
		{Heading: "Влияние", Width: 964, Field: "influence_ru", Align: "center"},
		{Heading: "Телефон, e-mail", Width: 2154, Field: "phone", Detail: "email"},
		{Heading: "Последний контакт", Width: TextWidth - 397 - 2268 - 1304 - 1134 - 964 - 2154, Field: "last_contact", Align: "center"},
	}))

	d.Add(Heading("9. История контактов"))
	d.AddTable(ItemTable("contact_history", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Дата", Width: 1020, Field: "date", Align: "center"},
		{Heading: "Вид", Width: 1020, Field: "kind_ru", Align: "center"},
		{Heading: "Содержание", Width: 4649, Field: "summary"},
		{Heading: "Документ", Width: TextWidth - 397 - 1020 - 1020 - 4649, Field: "document"},
	}))

	d.Add(Heading("10. Следующий шаг и риски"))
	d.AddTable(KVTable(TextWidth, label,
		KV{"Следующий шаг", Ph("next_step.action")},
		KV{"Ответственный", Ph("next_step.owner")},
		KV{"Срок", Ph("next_step.due")},
		KV{"Риски", Ph("risks_text")},
	))

	d.Add(
		Gap(SizeBody),
		Para{KeepNext: true, Runs: []Run{B("Ответственный менеджер:")}},
	)
	d.AddTable(SignTable(TextWidth, Sign{Ph("owner.position"), Ph("owner.initials")}))
	d.Add(P())

	return Package{
		Title:  "Карта клиента",
		Body:   d.Body(),
		Footer: Footer("Карта клиента № " + Ph("number") + " от " + Ph("date")),
	}.Build()
}
