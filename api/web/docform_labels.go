package web

import (
	"reflect"

	"github.com/dealgate/dealgate/workflow"
)

// fieldLabels names the fields of the document forms: "Type.json_name" where the same JSON
// name means different things in different structs, else the JSON name alone.
var fieldLabels = map[string][2]string{
	// Common
	"date":        {"Дата", "Date"},
	"currency":    {"Валюта", "Currency"},
	"seller":      {"Поставщик (мы)", "Seller (us)"},
	"buyer":       {"Покупатель", "Buyer"},
	"client":      {"Клиент", "Client"},
	"consignee":   {"Грузополучатель", "Consignee"},
	"consignor":   {"Грузоотправитель", "Consignor"},
	"author":      {"Автор", "Author"},
	"manager":     {"Менеджер", "Manager"},
	"contract":    {"Договор", "Contract"},
	"lines":       {"Позиции", "Line items"},
	"basis":       {"Основание", "Basis"},
	"subject":     {"Предмет", "Subject"},
	"status":      {"Статус", "Status"},
	"stage":       {"Этап сделки", "Deal stage"},
	"needs":       {"Потребности", "Needs"},
	"place":       {"Место", "Place"},
	"phone":       {"Телефон", "Phone"},
	"email":       {"Эл. почта", "E-mail"},
	"position":    {"Должность", "Position"},
	"note":        {"Примечание", "Note"},
	"comment":     {"Комментарий", "Comment"},
	"owner":       {"Ответственный", "Owner"},
	"potential":   {"Потенциал, руб. без НДС", "Potential, RUB excl. VAT"},
	"valid_until": {"Действует до", "Valid until"},
	"documents":   {"Документы, передаваемые с товаром (по одному в строке)", "Documents supplied with the goods (one per line)"},

	// Party (requisites.Company fields are promoted into it)
	"Company.name":                  {"Наименование", "Name"},
	"Company.inn":                   {"ИНН", "INN"},
	"Company.kpp":                   {"КПП", "KPP"},
	"Company.ogrn":                  {"ОГРН / ОГРНИП", "OGRN"},
	"Company.address":               {"Юридический адрес", "Legal address"},
	"Company.bank_name":             {"Банк", "Bank"},
	"Company.bik":                   {"БИК", "BIK"},
	"Company.corr_account":          {"Корр. счёт", "Correspondent account"},
	"Company.account":               {"Расчётный счёт", "Settlement account"},
	"Party.name":                    {"Наименование", "Name"},
	"Party.inn":                     {"ИНН", "INN"},
	"Party.kpp":                     {"КПП", "KPP"},
	"Party.ogrn":                    {"ОГРН / ОГРНИП", "OGRN"},
	"Party.address":                 {"Юридический адрес", "Legal address"},
	"Party.bank_name":               {"Банк", "Bank"},
	"Party.bik":                     {"БИК", "BIK"},
	"Party.corr_account":            {"Корр. счёт", "Correspondent account"},
	"Party.account":                 {"Расчётный счёт", "Settlement account"},
	"Party.postal_address":          {"Почтовый адрес", "Postal address"},
	"Party.director_name":           {"Подписант: ФИО", "Signatory: full name"},
	"Party.director_title":          {"Подписант: должность", "Signatory: position"},
	"Party.director_name_genitive":  {"ФИО в родительном падеже", "Full name, genitive"},
	"Party.director_title_genitive": {"Должность в родительном падеже", "Position, genitive"},
	"Party.basis":                   {"Действует на основании", "Acting under"},
	"Party.chief_accountant":        {"Главный бухгалтер", "Chief accountant"},

	// Contact, DocRef
	"Contact.name":  {"ФИО", "Full name"},
	"DocRef.number": {"Номер", "Number"},
	"DocRef.date":   {"Дата", "Date"},

	// Line
	"Line.sku":                 {"Артикул", "SKU"},
	"Line.name":                {"Наименование", "Name"},
	"Line.description":         {"Описание", "Description"},
	"Line.unit":                {"Ед.", "Unit"},
	"Line.okei":                {"ОКЕИ", "OKEI"},
	"Line.qty":                 {"Кол-во", "Qty"},
	"Line.price":               {"Цена без НДС", "Price excl. VAT"},
	"Line.discount_percent":    {"Скидка, %", "Discount, %"},
	"Line.vat_rate":            {"НДС", "VAT"},
	"Line.country_code":        {"Код страны", "Country code"},
	"Line.country":             {"Страна происхождения", "Country of origin"},
	"Line.customs_declaration": {"Номер ДТ", "Customs declaration"},
	"optional_lines":           {"Дополнительные позиции (не входят в итог)", "Optional items (not in the total)"},

	// Proposal
	"addressee":        {"Адресат (ЛПР)", "Addressee (decision maker)"},
	"greeting":         {"Обращение", "Greeting"},
	"intro":            {"Вступление", "Introduction"},
	"solution":         {"Предлагаемое решение", "Proposed solution"},
	"benefits":         {"Преимущества (по одному в строке)", "Benefits (one per line)"},
	"delivery_time":    {"Срок поставки", "Delivery time"},
	"delivery_basis":   {"Базис поставки", "Delivery basis"},
	"delivery_address": {"Адрес поставки", "Delivery address"},
	"payment_terms":    {"Условия оплаты", "Payment terms"},
	"warranty":         {"Гарантия", "Warranty"},
	"binding":          {"Оферта (связывающее предложение)", "Binding offer"},
	"signer":           {"Подписант (если не директор)", "Signatory (if not the director)"},

	// Contract, specification
	"city":                {"Город заключения", "City of signing"},
	"Contract.subject":    {"Предмет договора (товар в общем виде)", "Subject (the goods in general)"},
	"total":               {"Цена договора с НДС (если позиции в спецификациях)", "Contract price incl. VAT (when the goods are in specifications)"},
	"total_vat_rate":      {"Ставка НДС цены договора", "VAT rate of the contract price"},
	"advance_percent":     {"Аванс, %", "Advance, %"},
	"advance_days":        {"Аванс: срок, дней", "Advance due in, days"},
	"advance_from":        {"Аванс: срок считается", "Advance period counted"},
	"balance_days":        {"Остаток: срок, дней", "Balance due in, days"},
	"balance_from":        {"Остаток: срок считается", "Balance period counted"},
	"payment_day_type":    {"Дни оплаты", "Payment days"},
	"delivery_days":       {"Срок поставки, дней", "Delivery time, days"},
	"delivery_day_type":   {"Дни поставки", "Delivery days"},
	"delivery_from":       {"Срок поставки считается", "Delivery period counted"},
	"warranty_months":     {"Гарантия, месяцев", "Warranty, months"},
	"warranty_from":       {"Гарантия считается", "Warranty counted"},
	"warranty_max_months": {"Но не более, месяцев с отгрузки", "At most, months from shipment"},
	"penalty_percent":     {"Неустойка, % в день", "Penalty, % per day"},
	"penalty_cap_percent": {"Неустойка не более, %", "Penalty cap, %"},
	"claims_days":         {"Претензионный срок, дней", "Claims period, days"},
	"arbitration_court":   {"Арбитражный суд", "Arbitration court"},
	"vat_change_clause":   {"Оговорка об изменении ставки НДС", "VAT change clause"},
	"edo":                 {"Обмен документами через ЭДО", "Electronic document exchange"},
	"appendix_number":     {"Номер приложения", "Appendix number"},
	"payment_schedule":    {"График платежей", "Payment schedule"},
	"Payment.percent":     {"Доля, %", "Share, %"},
	"Payment.days":        {"Срок, дней", "Due in, days"},
	"Payment.day_type":    {"Дни", "Days"},
	"Payment.from":        {"Считается", "Counted"},

	// Invoice, УПД
	"Invoice.specification":  {"Спецификация", "Specification"},
	"UPD.specification":      {"Спецификация", "Specification"},
	"specification":          {"Спецификация", "Specification"},
	"shipment_date":          {"Дата отгрузки", "Shipment date"},
	"payment_due":            {"Оплатить до", "Pay by"},
	"purpose":                {"Назначение платежа", "Payment purpose"},
	"UPD.status":             {"Статус УПД", "UPD status"},
	"profile":                {"Форма", "Form"},
	"payment_documents":      {"Платёжные документы", "Payment documents"},
	"government_contract_id": {"Идентификатор госконтракта", "Government contract id"},
	"transport":              {"Транспорт и транспортная накладная", "Transport and waybill"},
	"shipped_by":             {"Товар передал", "Handed over by"},
	"received_by":            {"Товар принял", "Received by"},
	"power_of_attorney":      {"Доверенность получателя", "Receiver's power of attorney"},

	// Meeting report
	"time":                            {"Время начала", "Start time"},
	"format":                          {"Формат", "Format"},
	"participants":                    {"Участники", "Participants"},
	"Participant.name":                {"ФИО", "Full name"},
	"Participant.side":                {"Сторона", "Side"},
	"Participant.role":                {"Роль в решении", "Role in the decision"},
	"reason":                          {"Повод встречи", "Reason"},
	"goal":                            {"Цель встречи", "Goal"},
	"topics":                          {"Обсуждённые вопросы (по одному в строке)", "Topics (one per line)"},
	"situation":                       {"Ситуация клиента", "Client's situation"},
	"current_equipment":               {"Текущее оборудование", "Current equipment"},
	"problems":                        {"Проблемы", "Problems"},
	"consequences":                    {"Последствия проблем", "Consequences"},
	"desired_result":                  {"Желаемый результат", "Desired result"},
	"MeetingReport.needs":             {"Выявленные потребности (по одной в строке)", "Needs found (one per line)"},
	"objections":                      {"Возражения", "Objections"},
	"objection":                       {"Возражение", "Objection"},
	"answer":                          {"Ответ", "Answer"},
	"agreements":                      {"Договорённости (по одной в строке)", "Agreements (one per line)"},
	"next_steps":                      {"Следующие шаги", "Next steps"},
	"documents_promised":              {"Обещанные документы", "Documents promised"},
	"Step.action":                     {"Действие", "Action"},
	"Step.owner":                      {"Кто", "Who"},
	"Step.due":                        {"Срок", "Due"},
	"MeetingReport.assessment":        {"Оценка сделки", "Deal assessment"},
	"probability":                     {"Вероятность, %", "Probability, %"},
	"attachments":                     {"Приложения (по одному в строке)", "Attachments (one per line)"},
	"MeetingReport.author":            {"Автор отчёта", "Report author"},
	"RecommendationLetter.assessment": {"Оценка работы поставщика", "Assessment of the supplier"},

	// Client card
	"company":               {"Компания", "Company"},
	"industry":              {"Отрасль", "Industry"},
	"okved":                 {"ОКВЭД", "OKVED"},
	"revenue":               {"Выручка в год, руб.", "Annual revenue, RUB"},
	"headcount":             {"Численность", "Headcount"},
	"group":                 {"Группа компаний", "Group"},
	"sites":                 {"Площадки", "Sites"},
	"Site.name":             {"Площадка", "Site"},
	"Site.address":          {"Адрес", "Address"},
	"installed_base":        {"Установленное оборудование", "Installed base"},
	"equipment":             {"Оборудование", "Equipment"},
	"manufacturer":          {"Производитель", "Manufacturer"},
	"Equipment.qty":         {"Кол-во", "Qty"},
	"year":                  {"Год", "Year"},
	"competitors":           {"Конкуренты", "Competitors"},
	"Competitor.name":       {"Конкурент", "Competitor"},
	"products":              {"Продукты", "Products"},
	"strengths":             {"Сильные стороны", "Strengths"},
	"weaknesses":            {"Слабые стороны", "Weaknesses"},
	"ClientCard.needs":      {"Потребности и проекты", "Needs and projects"},
	"Need.description":      {"Потребность", "Need"},
	"project":               {"Проект", "Project"},
	"timeframe":             {"Сроки", "Timeframe"},
	"budget":                {"Бюджет", "Budget"},
	"Budget.amount":         {"Бюджет, руб.", "Budget, RUB"},
	"budgeting_month":       {"Месяц бюджетирования (1–12)", "Budgeting month (1–12)"},
	"purchasing_cycle":      {"Цикл закупки", "Purchasing cycle"},
	"procurement":           {"Закупки", "Procurement"},
	"law":                   {"Закон", "Law"},
	"platform":              {"Площадка", "Platform"},
	"vendor_list":           {"Реестр поставщиков", "Vendor list"},
	"dmu":                   {"Центр принятия решений (ЦПР)", "Decision-making unit"},
	"DMUMember.name":        {"ФИО", "Full name"},
	"DMUMember.role":        {"Роль", "Role"},
	"attitude":              {"Отношение", "Attitude"},
	"influence":             {"Влияние", "Influence"},
	"last_contact":          {"Последний контакт", "Last contact"},
	"contact_history":       {"История контактов", "Contact history"},
	"ContactEvent.kind":     {"Вид", "Kind"},
	"summary":               {"Содержание", "Summary"},
	"ContactEvent.document": {"Документ", "Document"},
	"next_step":             {"Следующий шаг", "Next step"},
	"risks":                 {"Риски (по одному в строке)", "Risks (one per line)"},
	"priority":              {"Приоритет (ABC)", "Priority (ABC)"},
	"ClientCard.owner":      {"Ответственный менеджер", "Account owner"},
	"ClientCard.stage":      {"Этап сделки", "Deal stage"},
	"Assessment.stage":      {"Этап сделки", "Deal stage"},
	"Assessment.potential":  {"Потенциал, руб. без НДС", "Potential, RUB excl. VAT"},

	// Production schedule
	"item":                       {"Изделие", "Item"},
	"serial_number":              {"Заводской номер", "Serial number"},
	"trigger_date":               {"Дата поступления аванса (начало)", "Advance received (start)"},
	"milestones":                 {"Этапы", "Milestones"},
	"Milestone.name":             {"Этап", "Milestone"},
	"planned":                    {"План", "Planned"},
	"actual":                     {"Факт", "Actual"},
	"Milestone.status":           {"Статус", "Status"},
	"Milestone.owner":            {"Ответственный", "Owner"},
	"ProductionSchedule.manager": {"Ответственный менеджер", "Responsible manager"},

	// Recommendation letter
	"RecommendationLetter.author":    {"Клиент (автор письма)", "Client (author)"},
	"RecommendationLetter.addressee": {"Адресат", "Addressee"},
	"client_description":             {"О клиенте", "About the client"},
	"supplier":                       {"Поставщик", "Supplier"},
	"supplied":                       {"Что поставлено", "What was supplied"},
	"Supplied.equipment":             {"Оборудование (по одному в строке)", "Equipment (one per line)"},
	"period_from":                    {"Период с", "Period from"},
	"period_to":                      {"Период по", "Period to"},
	"volume":                         {"Объём", "Volume"},
	"Supplied.amount":                {"Сумма с НДС", "Amount incl. VAT"},
	"recommendation":                 {"Рекомендация", "Recommendation"},
	"signatory":                      {"Подписант клиента", "Client's signatory"},
	"requested_on":                   {"Запрошено", "Requested on"},
	"received_on":                    {"Получено", "Received on"},
}

// paragraphFields are texts of several lines (a textarea).
var paragraphFields = map[string]bool{
	"intro": true, "solution": true, "goal": true, "reason": true, "comment": true, "assessment": true,
	"recommendation": true, "group": true, "note": true, "problems": true, "consequences": true,
	"desired_result": true, "current_equipment": true, "purpose": true, "client_description": true,
	"objection": true, "answer": true, "strengths": true, "weaknesses": true, "products": true,
	"address": true, "postal_address": true, "summary": true, "delivery_address": true, "subject": true,
}

// fieldLabel returns the label of field name of struct pt (nil when unknown).
func fieldLabel(lang string, pt reflect.Type, name, path string) string {
	if pt != nil {
		if l, ok := fieldLabels[pt.Name()+"."+name]; ok {
			return pickLang(lang, l[0], l[1])
		}
	}
	if l, ok := fieldLabels[name]; ok {
		return pickLang(lang, l[0], l[1])
	}
	return name
}

// fieldHelps are hints under some inputs (by kind:path or path without indices).
var fieldHelps = map[string][2]string{
	"contract.number":          {"Номер договора, к которому относится документ", "The number of the contract this document belongs to"},
	"specification:lines":      {"Позиции перенесены из договора; проверьте количество и цены", "Lines come from the contract; check quantities and prices"},
	"invoice:shipment_date":    {"Ставка НДС по умолчанию определяется датой отгрузки", "The default VAT rate follows the shipment date"},
	"upd:shipment_date":        {"Ставка НДС определяется датой отгрузки", "The VAT rate follows the shipment date"},
	"proposal:valid_until":     {"Обычно 30 дней", "Usually 30 days"},
	"client_card:okved":        {"Например 28.13", "For example 28.13"},
	"contract:advance_percent": {"Например 50", "For example 50"},
}

func fieldHelp(lang string, k workflow.DocumentKind, norm string) string {
	if h, ok := fieldHelps[string(k)+":"+norm]; ok {
		return pickLang(lang, h[0], h[1])
	}
	if h, ok := fieldHelps[norm]; ok {
		return pickLang(lang, h[0], h[1])
	}
	return ""
}

type opt = [3]string // value, Russian, English

var (
	periodEvents = []opt{{"advance", "с даты поступления аванса", "from the advance"}, {"signing", "с подписания спецификации", "from signing the specification"},
		{"contract", "с подписания договора", "from signing the contract"}, {"invoice", "с выставления счёта", "from the invoice"},
		{"readiness", "с уведомления о готовности", "from the readiness notice"}, {"shipment", "с отгрузки", "from shipment"},
		{"delivery", "с поставки", "from delivery"}, {"commissioning", "с ввода в эксплуатацию", "from commissioning"}}
	dayKindOpts = []opt{{"working", "рабочие", "working"}, {"calendar", "календарные", "calendar"}, {"banking", "банковские", "banking"}}
	roleOpts    = []opt{{"decision_maker", "ЛПР", "decision maker"}, {"influencer", "ЛВПР", "influencer"}, {"technical_expert", "технический эксперт", "technical expert"},
		{"user", "пользователь", "user"}, {"gatekeeper", "привратник", "gatekeeper"}, {"blocker", "блокирующий", "blocker"}}
	currencyOpts = []opt{{"RUB", "RUB — российский рубль", "RUB"}, {"USD", "USD — доллар США", "USD"}, {"EUR", "EUR — евро", "EUR"}, {"CNY", "CNY — юань", "CNY"}}
)

// fieldChoices are the choices of enumerated fields, by kind:path, path or last name.
var fieldChoices = map[string]struct {
	opts     []opt
	defaultR string // label of the empty choice; "" means the field is required
	defaultE string
}{
	"currency":                     {currencyOpts, "RUB (по умолчанию)", "RUB (default)"},
	"format":                       {[]opt{{"on_site", "очная встреча", "on site"}, {"video", "видеоконференция", "video call"}, {"phone", "телефонные переговоры", "phone"}}, "", ""},
	"participants[].side":          {[]opt{{"client", "клиент", "client"}, {"seller", "поставщик", "seller"}}, "", ""},
	"participants[].role":          {roleOpts, "—", "—"},
	"dmu[].role":                   {roleOpts, "—", "—"},
	"dmu[].attitude":               {[]opt{{"supporter", "сторонник", "supporter"}, {"neutral", "нейтрален", "neutral"}, {"opponent", "противник", "opponent"}}, "—", "—"},
	"dmu[].influence":              {[]opt{{"high", "высокое", "high"}, {"medium", "среднее", "medium"}, {"low", "низкое", "low"}}, "—", "—"},
	"contact_history[].kind":       {[]opt{{"call", "звонок", "call"}, {"meeting", "встреча", "meeting"}, {"email", "письмо", "e-mail"}, {"other", "другое", "other"}}, "", ""},
	"priority":                     {[]opt{{"A", "A", "A"}, {"B", "B", "B"}, {"C", "C", "C"}}, "—", "—"},
	"procurement.law":              {[]opt{{"223-fz", "223-ФЗ", "223-FZ"}, {"44-fz", "44-ФЗ", "44-FZ"}, {"commercial", "коммерческие закупки", "commercial"}}, "—", "—"},
	"delivery_basis":               {[]opt{{"delivery", "доставка до склада покупателя", "delivery to the buyer"}, {"pickup", "самовывоз со склада поставщика", "pickup from our warehouse"}}, "", ""},
	"proposal:delivery_basis":      {nil, "", ""}, // free text in a proposal
	"delivery_day_type":            {dayKindOpts, "рабочие (по умолчанию)", "working (default)"},
	"payment_day_type":             {dayKindOpts, "банковские (по умолчанию)", "banking (default)"},
	"payment_schedule[].day_type":  {dayKindOpts, "банковские (по умолчанию)", "banking (default)"},
	"advance_from":                 {periodEvents, "с выставления счёта (по умолчанию)", "from the invoice (default)"},
	"balance_from":                 {periodEvents, "с уведомления о готовности (по умолчанию)", "from the readiness notice (default)"},
	"delivery_from":                {periodEvents, "с даты поступления аванса (по умолчанию)", "from the advance (default)"},
	"payment_schedule[].from":      {periodEvents, "", ""},
	"warranty_from":                {[]opt{{"commissioning", "с ввода в эксплуатацию", "from commissioning"}, {"shipment", "с отгрузки", "from shipment"}, {"delivery", "с поставки", "from delivery"}}, "с ввода в эксплуатацию (по умолчанию)", "from commissioning (default)"},
	"total_vat_rate":               {[]opt{{"22", "22 %", "22 %"}, {"20", "20 %", "20 %"}, {"10", "10 %", "10 %"}, {"0", "0 %", "0 %"}, {"без НДС", "без НДС", "VAT exempt"}}, "по дате договора", "by the contract date"},
	"milestones[].status":          {[]opt{{"planned", "запланировано", "planned"}, {"in_progress", "в работе", "in progress"}, {"done", "выполнено", "done"}, {"late", "с отставанием", "late"}}, "", ""},
	"recommendation_letter:status": {[]opt{{"requested", "запрошено у клиента", "requested"}, {"received", "получено", "received"}}, "", ""},
	"upd:status":                   {[]opt{{"1", "1 — счёт-фактура и передаточный документ", "1 — VAT invoice and transfer document"}, {"2", "2 — только передаточный документ", "2 — transfer document only"}}, "1 (по умолчанию)", "1 (default)"},
	"profile":                      {[]opt{{"upd", "УПД", "UPD"}, {"torg12", "ТОРГ-12 и счёт-фактура", "TORG-12 and VAT invoice"}}, "УПД (по умолчанию)", "UPD (default)"},
	"supplied.currency":            {currencyOpts, "RUB (по умолчанию)", "RUB (default)"},
}

// fieldOptions returns the choices of an enumerated field, with the empty choice first.
func fieldOptions(lang string, k workflow.DocumentKind, norm string) ([]formOption, bool) {
	c, ok := fieldChoices[string(k)+":"+norm]
	if !ok {
		c, ok = fieldChoices[norm]
	}
	if !ok || c.opts == nil {
		return nil, false
	}
	empty := pickLang(lang, c.defaultR, c.defaultE)
	if empty == "" {
		empty = pickLang(lang, "— выберите —", "— choose —")
	}
	out := []formOption{{Value: "", Label: empty}}
	for _, o := range c.opts {
		out = append(out, formOption{Value: o[0], Label: pickLang(lang, o[1], o[2])})
	}
	return out, true
}

// vatOptions are the choices of a line's VAT rate.
func vatOptions(lang string) []formOption {
	return []formOption{{Value: "", Label: pickLang(lang, "по дате", "by date")}, {Value: "22", Label: "22 %"}, {Value: "20", Label: "20 %"},
		{Value: "10", Label: "10 %"}, {Value: "0", Label: "0 %"}, {Value: "без НДС", Label: pickLang(lang, "без НДС", "exempt")}}
}
