package docxgen

// Shared blocks for sales documents. Every block takes the placeholder prefix of the
// party or list it shows, so one block serves seller, buyer, consignee and so on.

// Ph returns the placeholder literal for key: Ph("seller.inn") is "{seller.inn}".
func Ph(key string) string { return "{" + key + "}" }

// Letterhead is the seller's heading: name, address, registration numbers, contacts and
// bank, with a rule underneath. Keys under prefix (a party of documents/VIEW.md): name,
// address, requisites_line, phone, email, bank_line.
func Letterhead(prefix string) []Para {
	k := func(f string) string { return Ph(prefix + "." + f) }
	small := func(runs ...Run) Para { return Para{Align: "center", Size: SizeTiny, Runs: runs} }
	return []Para{
		{Align: "center", Size: SizeTitle, Bold: true, Runs: []Run{T(k("name"))}},
		small(T(k("address"))),
		small(T(k("requisites_line"))),
		small(T("Тел.: " + k("phone") + ", e-mail: " + k("email"))),
		{Align: "center", Size: SizeTiny, BorderBottom: true, SpaceAfter: 240, Runs: []Run{T(k("bank_line"))}},
	}
}

// Requisites is the full requisites block of a party (contracts, invoices, the
// requisites card): a title and one labelled line per requisite. Keys under prefix:
// name, address, inn_kpp, ogrn_label, ogrn, account, bank_name, bik, corr_account,
// phone, email.
func Requisites(prefix, title string) []Para {
	k := func(f string) string { return Ph(prefix + "." + f) }
	line := func(label, value string) Para {
		return Para{Size: SizeSmall, Runs: []Run{T(label + " "), T(value)}}
	}
	return []Para{
		{Size: SizeSmall, Bold: true, KeepNext: true, Runs: []Run{T(title)}},
		{Size: SizeSmall, Bold: true, Runs: []Run{T(k("name"))}},
		line("Адрес:", k("address")),
		line("ИНН/КПП:", k("inn_kpp")),
		line(k("ogrn_label")+":", k("ogrn")),
		line("Р/с:", k("account")),
		line("Банк:", k("bank_name")),
		line("БИК:", k("bik")),
		line("К/с:", k("corr_account")),
		line("Тел.:", k("phone")),
		line("E-mail:", k("email")),
	}
}

// Column is one column of an item table: heading, width in twips, loop field and
// alignment of the values.
type Column struct {
	Heading string
	Width   int
	Field   string // field of the list item ("no" is the line number in the views)
	Align   string
	// Detail is a second field printed under Field in small italics ("description").
	Detail string
}

// ItemTable builds a bordered table with a repeated heading row and one loop row over
// list (placeholders {list.field}), followed by extra rows (totals). Cells use 9 pt, so
// that sums like "27 450 244,87" fit a 2.4 cm column. docxfill repeats the
// loop row once per item and removes it for an empty list.
func ItemTable(list string, cols []Column, extra ...Row) Table {
	t := Table{Borders: true}
	head := Row{Header: true}
	loop := Row{CantSplit: true}
	for _, c := range cols {
		t.Widths = append(t.Widths, c.Width)
		head.Cells = append(head.Cells, C(Para{Align: "center", Size: SizeTiny, Bold: true, Runs: []Run{T(c.Heading)}}))
		cell := C(Para{Align: c.Align, Size: SizeTiny, Runs: []Run{T(Ph(list + "." + c.Field))}})
		if c.Detail != "" {
			cell.Paras = append(cell.Paras, Para{Align: c.Align, Size: 16, Runs: []Run{I(Ph(list + "." + c.Detail))}})
		}
		loop.Cells = append(loop.Cells, cell)
	}
	t.Rows = append(t.Rows, head, loop)
	t.Rows = append(t.Rows, extra...)
	return t
}

// TotalRow is a table row with a right-aligned bold label spanning the first span
// columns and one bold value per remaining column (an empty string leaves a cell blank).
func TotalRow(label string, span int, values ...string) Row {
	r := Row{CantSplit: true}
	r.Cells = append(r.Cells, Cell{Span: span, Paras: []Para{{Align: "right", Size: SizeTiny, Bold: true, Runs: []Run{T(label)}}}})
	for _, v := range values {
		r.Cells = append(r.Cells, C(Para{Align: "right", Size: SizeTiny, Bold: true, Runs: []Run{T(v)}}))
	}
	return r
}

// SignatureTable is a borderless line "position ____ initials" for the signer under
// prefix (a contact of documents/VIEW.md: keys position and initials).
func SignatureTable(prefix string) Table {
	k := func(f string) string { return Ph(prefix + "." + f) }
	return Table{
		Widths: []int{TextWidth * 4 / 10, TextWidth * 3 / 10, TextWidth - TextWidth*4/10 - TextWidth*3/10},
		Rows: []Row{{CantSplit: true, Cells: []Cell{
			C(Para{Runs: []Run{T(k("position"))}}),
			C(Para{Align: "center", Runs: []Run{T("____________________")}}),
			C(Para{Align: "right", Runs: []Run{T(k("initials"))}}),
		}}},
	}
}

// Labelled is a paragraph "Label: value" with the label in bold.
func Labelled(label, value string) Para {
	return Para{Align: "both", Runs: []Run{B(label + " "), T(value)}}
}
