package docxgen

// ProductionSchedule builds production_schedule.docx, the график производства
// (DOMAIN.md §1.6), on a landscape page: references to the contract and specification,
// the item and its serial number, the trigger date (advance received), the responsible
// person, and the milestones with planned and actual dates, days from the trigger,
// status, deviation, owner and comment; a summary line and signatures. Keys are those of
// the production_schedule view in documents/VIEW.md; milestones is a loop row.
func ProductionSchedule() ([]byte, error) {
	w := LandscapeTextWidth
	var d Doc
	d.Add(
		Para{Size: SizeSmall, Bold: true, Runs: []Run{T(Ph("seller.name"))}},
		Para{Size: SizeTiny, BorderBottom: true, Runs: []Run{T(Ph("seller.requisites_line"))}},
	)
	d.Add(DocTitle("ГРАФИК ПРОИЗВОДСТВА № "+Ph("number"), "от "+Ph("date_words"))...)

	// References in two label–value pairs per row, to keep the schedule on one page.
	lab := func(s string) Cell {
		return Cell{Shade: ShadeLabel, Paras: []Para{{Size: SizeSmall, Runs: []Run{T(s)}}}}
	}
	val := func(s string) Cell { return C(Para{Size: SizeSmall, Runs: []Run{T(s)}}) }
	lw, vw := 2268, w/2-2268
	d.AddTable(Table{Borders: true, Widths: []int{lw, vw, lw, w - 2*lw - vw}, Rows: []Row{
		{CantSplit: true, Cells: []Cell{lab("Покупатель"), val(Ph("buyer.name")), lab("Изделие"), val(Ph("item"))}},
		{CantSplit: true, Cells: []Cell{lab("Договор поставки"), val(Ph("contract.text")), lab("Заводской номер"), val(Ph("serial_number"))}},
		{CantSplit: true, Cells: []Cell{lab("Спецификация"), val(Ph("specification.text")), lab("Начало отсчёта (аванс)"), val(Ph("trigger_date"))}},
		{CantSplit: true, Cells: []Cell{lab("Ответственный"), {Span: 3, Paras: []Para{{Size: SizeSmall, Runs: []Run{T(
			Ph("manager.name") + ", " + Ph("manager.position") + ", тел. " + Ph("manager.phone") + ", e-mail: " + Ph("manager.email"))}}}}}},
	}})
	d.Add(
		Heading("Этапы производства и поставки"),
	)
	d.AddTable(HeadingSize(ItemTable("milestones", []Column{
		{Heading: "№", Width: 397, Field: "no", Align: "center"},
		{Heading: "Этап", Width: 3402, Field: "name"},
		{Heading: "Плановая дата", Width: 1134, Field: "planned", Align: "center"},
		{Heading: "Фактическая дата", Width: 1247, Field: "actual", Align: "center"},
		{Heading: "Дней от начала отсчёта", Width: 1020, Field: "days_from_trigger", Align: "center"},
		{Heading: "Статус", Width: 1304, Field: "status_ru", Align: "center"},
		{Heading: "Отклонение", Width: 1191, Field: "deviation", Align: "center"},
		{Heading: "Ответственный", Width: 1701, Field: "owner"},
		{Heading: "Комментарий", Width: w - 397 - 3402 - 1134 - 1247 - 1020 - 1304 - 1191 - 1701, Field: "comment"},
	}), 16))
	d.Add(
		Para{SpaceBefore: 120, Size: SizeSmall, Runs: []Run{
			T("Всего этапов: " + Ph("milestones_total") + "; выполнено: " + Ph("milestones_done") +
				"; с отставанием от плана: " + Ph("milestones_late") + "; наибольшее отклонение, дн.: " + Ph("max_deviation_days") + ".")}},
		Para{Size: SizeTiny, SpaceBefore: 60, Runs: []Run{I(
			"Сроки исчисляются в календарных днях от даты начала отсчёта. Отклонение — разница между фактической и плановой датой; " +
				"для незавершённого этапа — число дней, на которое просрочена плановая дата. " +
				"Об изменении сроков Поставщик уведомляет Покупателя не позднее следующего рабочего дня.")}},
		Gap(SizeBody),
	)

	half := w / 2
	sign := func(title string, paras ...Para) Cell {
		return Cell{Paras: append([]Para{{Size: SizeSmall, Bold: true, KeepNext: true, Runs: []Run{T(title)}}}, paras...)}
	}
	d.AddTable(Table{
		Widths: []int{half, w - half},
		Rows: []Row{{CantSplit: true, Cells: []Cell{
			sign("От Поставщика:",
				Para{Size: SizeSmall, KeepNext: true, Runs: []Run{T(Ph("manager.position"))}},
				Para{Size: SizeSmall, SpaceBefore: 360, Runs: []Run{T("_______________ / " + Ph("manager.initials") + " /")}},
			),
			sign("С графиком ознакомлен (Покупатель):",
				Para{Size: SizeSmall, KeepNext: true, Runs: []Run{T(Ph("buyer.name"))}},
				Para{Size: SizeSmall, SpaceBefore: 360, Runs: []Run{T("_______________ / _______________ /")}},
			),
		}}},
	})
	d.Add(P())

	return Package{
		Title:     "График производства",
		Body:      d.Body(),
		Landscape: true,
		Footer:    Footer("График производства № " + Ph("number") + " от " + Ph("date")),
	}.Build()
}
