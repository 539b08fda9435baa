package demo

import (
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Product is a catalogue item of the demo seller (DOMAIN.md §5): price excluding VAT and the
// standard cost as a share of it.
type Product struct {
	SKU       string
	Name      string
	Line      string // product line: compressor, dryer, receiver, nitrogen, station, service, parts
	Price     int64  // roubles, excl. VAT
	CostRatio float64
	Unit      string
}

// Catalogue is АО «УралКомпрессорМаш»'s price list.
var Catalogue = []Product{
	{"SC-7.5", "Компрессор винтовой УКМ-7,5, 7,5 кВт", "compressor", 480_000, 0.74, "шт"},
	{"SC-22", "Компрессор винтовой УКМ-22, 22 кВт", "compressor", 1_150_000, 0.72, "шт"},
	{"SC-55", "Компрессор винтовой УКМ-55, 55 кВт", "compressor", 2_600_000, 0.70, "шт"},
	{"SC-110", "Компрессор винтовой УКМ-110, 110 кВт", "compressor", 4_900_000, 0.69, "шт"},
	{"SC-250", "Компрессор винтовой УКМ-250, 250 кВт", "compressor", 9_800_000, 0.68, "шт"},
	{"RD-2", "Осушитель рефрижераторный ОР-2, 2 м³/мин", "dryer", 150_000, 0.72, "шт"},
	{"RD-10", "Осушитель рефрижераторный ОР-10, 10 м³/мин", "dryer", 310_000, 0.70, "шт"},
	{"RD-40", "Осушитель рефрижераторный ОР-40, 40 м³/мин", "dryer", 650_000, 0.68, "шт"},
	{"AD-10", "Осушитель адсорбционный ОА-10, 10 м³/мин", "dryer", 900_000, 0.67, "шт"},
	{"AD-40", "Осушитель адсорбционный ОА-40, 40 м³/мин", "dryer", 2_400_000, 0.65, "шт"},
	{"RV-1000", "Ресивер воздушный РВ-1000, 1000 л", "receiver", 120_000, 0.70, "шт"},
	{"RV-5000", "Ресивер воздушный РВ-5000, 5000 л", "receiver", 420_000, 0.70, "шт"},
	{"NG-M", "Азотная станция мембранная АСМ-50", "nitrogen", 3_500_000, 0.66, "шт"},
	{"NG-PSA-75", "Азотная станция адсорбционная АСА-75 (PSA)", "nitrogen", 7_500_000, 0.66, "шт"},
	{"NG-PSA-120", "Азотная станция адсорбционная АСА-120 (PSA)", "nitrogen", 12_000_000, 0.66, "шт"},
	{"KS-18", "Компрессорная станция блочно-модульная КСБ-400", "station", 18_000_000, 0.75, "компл"},
	{"KS-28", "Компрессорная станция блочно-модульная КСБ-800", "station", 28_000_000, 0.75, "компл"},
	{"KS-45", "Компрессорная станция блочно-модульная КСБ-1600", "station", 45_000_000, 0.75, "компл"},
	{"SRV-PNR", "Пусконаладочные работы", "service", 100_000, 0.50, "усл"},
	{"SRV-Y1", "Сервисный контракт на год, до 2 единиц", "service", 240_000, 0.48, "усл"},
	{"SRV-Y2", "Сервисный контракт на год, до 6 единиц", "service", 600_000, 0.50, "усл"},
	{"SRV-Y3", "Сервисный контракт на год, станция", "service", 1_200_000, 0.52, "усл"},
	{"ZIP-S", "Комплект ЗИП на 4000 моточасов, малый", "parts", 60_000, 0.55, "компл"},
	{"ZIP-M", "Комплект ЗИП на 4000 моточасов, средний", "parts", 150_000, 0.55, "компл"},
	{"ZIP-L", "Комплект ЗИП на 8000 моточасов, большой", "parts", 300_000, 0.54, "компл"},
}

func product(sku string) Product {
	for _, p := range Catalogue {
		if p.SKU == sku {
			return p
		}
	}
	panic("demo: no product " + sku)
}

// Reason is a lost reason with its weight.
type Reason struct {
	Text   string
	Weight float64
}

// StageModel is the demo's base behaviour at one stage (DOMAIN.md §5 «Stage model»).
type StageModel struct {
	// Conv is the team's base conversion to the next stage.
	Conv float64
	// Days is the median time in the stage in calendar days: the table's working days × 1.2,
	// which lands the cycle to shipment at about five and a half months (DOMAIN.md: 4–6).
	Days float64
	// Skip is the share of deals that skip the stage (skippable stages), with its reason.
	Skip       float64
	SkipReason string
	Reasons    []Reason
}

// Stages is the model of the default pipeline's fifteen stages.
var Stages = map[string]StageModel{
	"research": {Conv: 0.90, Days: 2.4, Reasons: []Reason{{"нет потребности", 4}, {"не наш профиль", 3}, {"нет контактов", 2}, {"реорганизация / банкротство", 1}}},
	"cold_call": {Conv: 0.35, Days: 3.6, Skip: 0.05, SkipReason: "входящая заявка с сайта",
		Reasons: []Reason{{"нет потребности", 4}, {"есть поставщик", 3.5}, {"не вышли на ЛПР", 2.5}}},
	"meeting": {Conv: 0.80, Days: 12, Skip: 0.04, SkipReason: "потребность ясна из заявки",
		Reasons: []Reason{{"перенос/отмена", 3.5}, {"нет потребности", 2.5}, {"есть поставщик", 2}, {"не вышли на ЛПР", 2}}},
	"needs":    {Conv: 0.85, Days: 6, Reasons: []Reason{{"нет бюджета", 4}, {"потребность отложена", 3.5}, {"тех. несоответствие", 2.5}}},
	"proposal": {Conv: 0.65, Days: 15.6, Reasons: []Reason{{"цена", 4.5}, {"срок", 2.5}, {"тех. несоответствие", 2}, {"выбрали конкурента", 1}}},
	"dmu": {Conv: 0.95, Days: 12, Skip: 0.15, SkipReason: "ЦПР известен по прошлым поставкам",
		Reasons: []Reason{{"сменился ЛПР", 5}, {"проект заморожен", 5}}},
	"client_card": {Conv: 0.80, Days: 2.4, Reasons: []Reason{{"проект заморожен", 5}, {"нет бюджета", 5}}},
	"negotiation": {Conv: 0.78, Days: 18, Skip: 0.03, SkipReason: "условия согласованы в КП",
		Reasons: []Reason{{"цена", 3.5}, {"конкурент — импорт/Китай", 2.5}, {"отсрочка платежа", 2}, {"отложено", 2}}},
	"tender": {Conv: 0.92, Days: 30, SkipReason: "закупка без тендера",
		Reasons: []Reason{{"проиграли по цене", 6}, {"не прошли квалификацию", 2.5}, {"закупка отменена", 1.5}}},
	"contract":      {Conv: 0.97, Days: 12, Reasons: []Reason{{"не согласовали условия договора", 6}, {"юристы клиента отказали", 4}}},
	"specification": {Conv: 0.95, Days: 6, Reasons: []Reason{{"изменилась комплектация, проект пересмотрен", 6}, {"отказ от поставки", 4}}},
	"payment":       {Conv: 0.99, Days: 12, Reasons: []Reason{{"нет финансирования", 1}}},
	"production": {Conv: 0.98, Days: 54, Skip: 0.35, SkipReason: "оборудование со склада",
		Reasons: []Reason{{"отказ клиента, возврат аванса", 1}}},
	"shipment": {Conv: 0.995, Days: 6, Reasons: []Reason{{"рекламация при приёмке", 1}}},
	"feedback": {Conv: 1, Days: 24},
}

// LetterShare is the share of won deals whose client writes a recommendation letter (the
// others give their feedback in a call): DOMAIN.md's «0.70 (feedback obtained)».
const LetterShare = 0.70

// TenderShare is the share of clients buying through tenders (223-ФЗ platforms).
const TenderShare = 0.38

// RepModel is one demo rep: who they are and how they sell.
type RepModel struct {
	Surname, Name, Patronymic string
	Email                     string
	Profile                   workflow.Names
	// Deals is the rep's share of the deals (DOMAIN.md's counts; scaled to the total).
	Deals float64
	// Joined is the day a newcomer started (zero: before the history begins).
	Joined time.Time
	// Conv multiplies the base conversion per stage.
	Conv map[string]float64
	// Time multiplies the time in every stage.
	Time float64
	// Dials multiplies the calls per deal.
	Dials float64
	// Size multiplies the deal value.
	Size float64
	// Discount is the range of the discount off list price, in percent.
	Discount [2]float64
	// Tender overrides the share of tender deals (0: TenderShare).
	Tender float64
	// Reasons overrides the lost-reason mix at a stage.
	Reasons map[string][]Reason
	// WeakAt is the stage the generator made this rep weakest at ("" for none): the
	// statistics should name them there.
	WeakAt string
	// FailFirst lists the stage tests the rep fails on the first attempt.
	FailFirst []string
}

// FullName is "Surname Name Patronymic".
func (r RepModel) FullName() string { return r.Surname + " " + r.Name + " " + r.Patronymic }

// Reps are the twelve reps of the demo: the ten of DOMAIN.md §5 and two more in the same
// spirit (Фёдоров, who does not close, and Алексеева, who sends a proposal before she has
// understood the need). Each weakness is pronounced enough to show on a year's sample.
var Reps = []RepModel{
	{Surname: "Иванов", Name: "Алексей", Patronymic: "Петрович", Email: "ivanov",
		Profile: workflow.Names{Ru: "охотник: лучший на холодных звонках", En: "top hunter"},
		Deals:   230, Conv: map[string]float64{"cold_call": 1.25}, Time: 1, Dials: 1.3, Size: 1, Discount: [2]float64{0, 8}},
	{Surname: "Петрова", Name: "Ольга", Patronymic: "Игоревна", Email: "petrova",
		Profile: workflow.Names{Ru: "закрывает сделки: сильна на карте клиента и переговорах", En: "closer"},
		Deals:   170, Conv: map[string]float64{"client_card": 1.20, "negotiation": 1.15}, Time: 1, Dials: 0.9, Size: 1.05, Discount: [2]float64{2, 8}},
	{Surname: "Сидоров", Name: "Павел", Patronymic: "Андреевич", Email: "sidorov",
		Profile: workflow.Names{Ru: "универсал", En: "all-round"},
		Deals:   210, Time: 1, Dials: 1, Size: 1, Discount: [2]float64{0, 10}},
	{Surname: "Кузнецова", Name: "Марина", Patronymic: "Сергеевна", Email: "kuznetsova",
		Profile: workflow.Names{Ru: "универсал, чуть выше среднего", En: "all-round+"},
		Deals:   200, Conv: map[string]float64{"cold_call": 1.05, "proposal": 1.05}, Time: 1, Dials: 1, Size: 1, Discount: [2]float64{0, 9}},
	{Surname: "Смирнов", Name: "Дмитрий", Patronymic: "Олегович", Email: "smirnov",
		Profile: workflow.Names{Ru: "«дисконтёр»: берёт крупные сделки скидкой 12–18 %", En: "discounter: wins big deals with 12–18 % off"},
		Deals:   190, Conv: map[string]float64{"negotiation": 1.20}, Time: 1, Dials: 1, Size: 1.35, Discount: [2]float64{12, 18}},
	{Surname: "Попов", Name: "Игорь", Patronymic: "Викторович", Email: "popov",
		Profile: workflow.Names{Ru: "рассылает КП всем подряд: из КП мало что доходит до ЦПР", En: "proposal spammer"},
		Deals:   240, Conv: map[string]float64{"needs": 1.10, "proposal": 0.45}, Time: 0.9, Dials: 1, Size: 0.95, Discount: [2]float64{0, 10},
		WeakAt: "proposal", FailFirst: []string{"proposal"}},
	{Surname: "Волкова", Name: "Елена", Patronymic: "Николаевна", Email: "volkova",
		Profile: workflow.Names{Ru: "медленно, но верно: высокая маржа, сроки на 30 % длиннее", En: "slow but solid"},
		Deals:   150, Conv: map[string]float64{"proposal": 1.10, "client_card": 1.10}, Time: 1.3, Dials: 0.8, Size: 1.1, Discount: [2]float64{0, 5}},
	{Surname: "Новиков", Name: "Артём", Patronymic: "Денисович", Email: "novikov",
		Profile: workflow.Names{Ru: "новичок с сентября 2025: много звонит, редко выходит на встречу", En: "newcomer since September 2025"},
		Deals:   220, Joined: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
		Conv: map[string]float64{"cold_call": 0.55, "meeting": 0.90, "proposal": 0.85}, Time: 1.1, Dials: 1.2, Size: 0.9, Discount: [2]float64{0, 10},
		WeakAt: "cold_call", FailFirst: []string{"cold_call", "meeting"}},
	{Surname: "Морозов", Name: "Сергей", Patronymic: "Валерьевич", Email: "morozov",
		Profile: workflow.Names{Ru: "слаб на встречах: клиенты переносят и отменяют", En: "weak at meetings"},
		Deals:   200, Conv: map[string]float64{"cold_call": 0.85, "meeting": 0.55}, Time: 1, Dials: 1, Size: 1, Discount: [2]float64{0, 10},
		Reasons: map[string][]Reason{"meeting": {{"перенос/отмена", 7}, {"нет потребности", 1.5}, {"есть поставщик", 1.5}}},
		WeakAt:  "meeting", FailFirst: []string{"meeting"}},
	{Surname: "Лебедева", Name: "Анна", Patronymic: "Михайловна", Email: "lebedeva",
		Profile: workflow.Names{Ru: "специалист по тендерам", En: "tender specialist"},
		Deals:   190, Conv: map[string]float64{"negotiation": 1.25, "tender": 1.25, "cold_call": 0.9}, Time: 1, Dials: 1, Size: 1.1, Discount: [2]float64{0, 8},
		Tender: 0.6},
	{Surname: "Фёдоров", Name: "Никита", Patronymic: "Романович", Email: "fedorov",
		Profile: workflow.Names{Ru: "хорошо проводит встречи, но не дожимает переговоры", En: "good at meetings, does not close"},
		Deals:   180, Conv: map[string]float64{"meeting": 1.10, "negotiation": 0.45}, Time: 1.05, Dials: 1, Size: 1, Discount: [2]float64{0, 10},
		Reasons: map[string][]Reason{"negotiation": {{"отложено", 4}, {"цена", 3}, {"конкурент — импорт/Китай", 2}, {"отсрочка платежа", 1}}},
		WeakAt:  "negotiation", FailFirst: []string{"negotiation"}},
	{Surname: "Алексеева", Name: "Ирина", Patronymic: "Юрьевна", Email: "alekseeva",
		Profile: workflow.Names{Ru: "спешит с КП, не выяснив потребность", En: "rushes to a proposal before the need is clear"},
		Deals:   170, Conv: map[string]float64{"needs": 0.60, "proposal": 0.95, "cold_call": 1.10}, Time: 0.9, Dials: 1.1, Size: 1, Discount: [2]float64{0, 10},
		Reasons: map[string][]Reason{"needs": {{"потребность не подтвердилась", 4}, {"нет бюджета", 3}, {"тех. несоответствие", 3}}},
		WeakAt:  "needs", FailFirst: []string{"needs"}},
}

// Month weights of new deals (DOMAIN.md §5 seasonality): a slow January (budgets not yet
// released), dips around the May and New-Year holidays, a high fourth quarter.
var monthWeight = map[time.Month]float64{
	time.January: 0.55, time.February: 0.85, time.March: 1.0, time.April: 1.05, time.May: 0.8, time.June: 1.0,
	time.July: 0.9, time.August: 0.9, time.September: 1.1, time.October: 1.2, time.November: 1.2, time.December: 0.95,
}

// Region is a Russian region with its code (the first two digits of an ИНН).
type Region struct {
	Code, Name, City string
}

// Regions are the thirty regions the demo clients are in.
var Regions = []Region{
	{"66", "Свердловская область", "Екатеринбург"}, {"74", "Челябинская область", "Челябинск"}, {"59", "Пермский край", "Пермь"},
	{"72", "Тюменская область", "Тюмень"}, {"45", "Курганская область", "Курган"}, {"02", "Республика Башкортостан", "Уфа"},
	{"16", "Республика Татарстан", "Казань"}, {"18", "Удмуртская Республика", "Ижевск"}, {"43", "Кировская область", "Киров"},
	{"56", "Оренбургская область", "Оренбург"}, {"55", "Омская область", "Омск"}, {"54", "Новосибирская область", "Новосибирск"},
	{"42", "Кемеровская область", "Кемерово"}, {"24", "Красноярский край", "Красноярск"}, {"38", "Иркутская область", "Иркутск"},
	{"63", "Самарская область", "Самара"}, {"64", "Саратовская область", "Саратов"}, {"52", "Нижегородская область", "Нижний Новгород"},
	{"77", "г. Москва", "Москва"}, {"50", "Московская область", "Подольск"}, {"78", "г. Санкт-Петербург", "Санкт-Петербург"},
	{"47", "Ленинградская область", "Гатчина"}, {"61", "Ростовская область", "Ростов-на-Дону"}, {"23", "Краснодарский край", "Краснодар"},
	{"36", "Воронежская область", "Воронеж"}, {"31", "Белгородская область", "Белгород"}, {"48", "Липецкая область", "Липецк"},
	{"76", "Ярославская область", "Ярославль"}, {"86", "Ханты-Мансийский АО — Югра", "Сургут"}, {"89", "Ямало-Ненецкий АО", "Новый Уренгой"},
}

// Industries of the demo clients, with the kinds of plant they run.
var Industries = []struct {
	Key    string
	Plants []string
}{
	{"metallurgy", []string{"металлургический завод", "литейный завод", "трубный завод", "завод металлоконструкций"}},
	{"food", []string{"молочный комбинат", "мясокомбинат", "хлебозавод", "пивоваренный завод", "кондитерская фабрика"}},
	{"chemicals", []string{"химический завод", "завод полимеров", "лакокрасочный завод"}},
	{"mining", []string{"горно-обогатительный комбинат", "рудник", "угольный разрез"}},
	{"woodworking", []string{"деревообрабатывающий комбинат", "фанерный комбинат", "мебельная фабрика"}},
	{"pharma", []string{"фармацевтическая фабрика", "завод медицинских изделий"}},
	{"machinery", []string{"машиностроительный завод", "завод станков", "механический завод", "завод спецтехники"}},
}

// Name parts of the demo clients.
var (
	companyForms = []string{"ООО", "ООО", "ООО", "АО", "АО", "ПАО"}
	companyWords = []string{"Уральский", "Северный", "Восточный", "Южный", "Центральный", "Приволжский", "Сибирский", "Камский",
		"Волжский", "Невский", "Донской", "Окский", "Исетский", "Тобольский", "Верхнеисетский", "Новоуральский", "Среднеуральский",
		"Западный", "Обской", "Енисейский", "Байкальский", "Балтийский", "Кубанский", "Печорский", "Вятский", "Шатурский"}
)

// Banks are real banks' BIKs (with their correspondent accounts' structure) for the demo
// clients' settlement accounts; the account numbers themselves are synthetic.
var Banks = []struct{ BIK, Name string }{
	{"044525225", "ПАО Сбербанк"},
	{"046577674", "Уральский банк ПАО Сбербанк"},
	{"044525187", "Банк ВТБ (ПАО)"},
	{"044525593", "АО «Альфа-Банк»"},
	{"045004641", "Сибирский банк ПАО Сбербанк"},
}
