package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// DocumentRequest is a final document the generator is about to store: its data is complete,
// numbered and valid (documents.Decode accepts its JSON).
type DocumentRequest struct {
	DealID int64
	Kind   workflow.DocumentKind
	Data   documents.Data
	At     time.Time
	Actor  workflow.Actor
}

// DocumentFiles is what a DocumentFunc renders for a document.
type DocumentFiles struct {
	PDF, DOCX []byte
	Templates []storage.TemplateRef
}

// DocumentFunc renders a demo document's files. It runs inside the generator's transaction;
// the files are stored as blobs and their hashes enter the document's event. With no
// DocumentFunc the documents are stored with their data and no files.
type DocumentFunc func(ctx context.Context, req DocumentRequest) (DocumentFiles, error)

// line is one line item of a deal, in roubles.
type line struct {
	P        Product
	Qty      int
	Price    int64   // per unit, list
	Discount float64 // percent
}

func (l line) net() int64 {
	return roundRub(float64(l.Price) * float64(l.Qty) * (1 - l.Discount/100))
}

func (l line) cost() int64 {
	return roundRub(float64(l.Price) * float64(l.Qty) * l.P.CostRatio)
}

func roundRub(v float64) int64 { return int64(v + 0.5) }

// docLine is the line as a document states it.
func (l line) docLine() documents.Line {
	dl := documents.Line{SKU: l.P.SKU, Name: l.P.Name, Unit: l.P.Unit, OKEI: okei(l.P.Unit), Qty: fmt.Sprint(l.Qty), Price: fmt.Sprintf("%d.00", l.Price)}
	if l.Discount > 0 {
		dl.DiscountPercent = strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", l.Discount), "0"), ".0")
	}
	return dl
}

// seller is the demo's own company: АО «УралКомпрессорМаш», Екатеринбург (DOMAIN.md §5), with
// synthetic but checksum-valid requisites.
func seller(r *rand.Rand) documents.Party {
	inn := requisites.SyntheticINN10(r, "66")
	for !strings.HasPrefix(inn, "6658") { // the tax office 6658: КПП 665801001
		inn = requisites.SyntheticINN10(r, "66")
	}
	bik := "046577674"
	p := documents.Party{
		Company: requisites.Company{Name: "АО «УралКомпрессорМаш»", INN: inn, KPP: requisites.SyntheticKPP(inn),
			OGRN:     requisites.SyntheticOGRN(r, 2003, "66"),
			Address:  "620100, Свердловская обл., г. Екатеринбург, ул. Машиностроителей, д. 12",
			BankName: "Уральский банк ПАО Сбербанк", BIK: bik, CorrAccount: requisites.SyntheticCorrAccount(bik),
			Account: requisites.SyntheticAccount(r, bik, "40702")},
		Phone: "+7 (343) 310-45-00", Email: "sales@ukm-demo.ru",
		DirectorName: "Гордеев Николай Степанович", DirectorTitle: "Генеральный директор",
		DirectorNameGenitive: "Гордеева Николая Степановича", DirectorTitleGenitive: "Генерального директора",
		ChiefAccountant: "Лаптева Галина Ивановна",
	}
	return p
}

// Seller returns the demo seller's profile as the generator with seed makes it.
func Seller(seed uint64) documents.Party {
	return seller(rand.New(rand.NewPCG(seed, 0x5e11e4)))
}

// docBuilder makes the data of one deal's documents, each from the previous ones
// (documents.Prefill) plus what the simulation knows: the lines, the people, the dates.
type docBuilder struct {
	g      *generator
	r      *rand.Rand
	deal   *workflow.Deal
	client *client
	rep    *repState
	lines  []line
	prev   map[workflow.DocumentKind]documents.Data
	// dates the simulation fixes for later documents
	meetingAt, paidAt, shippedAt, productionFrom time.Time
}

func (b *docBuilder) party(c *client) documents.Party {
	dm := c.People[0]
	return documents.Party{Company: requisites.Company{Name: c.Co.Name, INN: c.Co.INN, KPP: c.Co.KPP, OGRN: c.Co.OGRN, Address: c.Co.Address,
		BankName: c.Co.BankName, BIK: c.Co.BIK, CorrAccount: c.Co.CorrAccount, Account: c.Co.Account},
		Phone: dm.Phone, Email: dm.Email, DirectorName: c.Director.Name, DirectorTitle: "Генеральный директор",
		DirectorNameGenitive: c.Director.NameGen, DirectorTitleGenitive: "Генерального директора", ChiefAccountant: c.Accountant}
}

func (b *docBuilder) repContact() documents.Contact {
	return documents.Contact{Name: b.rep.Model.FullName(), Position: "Менеджер по продажам", Phone: b.rep.Phone, Email: b.rep.User.Email}
}

func ddate(t time.Time) documents.Date {
	return documents.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// build returns the complete data of kind dated at, numbered number.
func (b *docBuilder) build(kind workflow.DocumentKind, at time.Time, number string) (documents.Data, error) {
	in := documents.PrefillInput{Seller: b.g.seller, Buyer: b.party(b.client), DealTitle: b.deal.Title, Amount: b.deal.Amount,
		Currency: "RUB", Rep: b.repContact(), Previous: b.prev, Today: at}
	d := documents.Prefill(kind, in)
	if d == nil {
		return nil, fmt.Errorf("demo: no prefill for %s", kind)
	}
	var dl []documents.Line
	for _, l := range b.lines {
		dl = append(dl, l.docLine())
	}
	day := ddate(at)
	c := b.client
	switch x := d.(type) {
	case *documents.MeetingReport:
		x.Time = fmt.Sprintf("%02d:00", at.Hour()+5)
		x.Place = c.Site
		x.Participants = nil
		for _, p := range c.People[:2] {
			x.Participants = append(x.Participants, documents.Participant{Name: p.Name, Side: documents.SideClient, Position: p.Position, Role: p.Role, Phone: p.Phone, Email: p.Email})
		}
		x.Participants = append(x.Participants, documents.Participant{Name: b.rep.Model.FullName(), Side: documents.SideSeller, Position: "Менеджер по продажам"})
		x.Reason = "Холодный звонок: договорённость о встрече"
		x.Goal = "Выявить потребность в сжатом воздухе и договориться о техническом обследовании"
		x.Topics = []string{"текущая компрессорная", "потребление воздуха по цехам", "планы модернизации"}
		x.Situation = documents.Situation{CurrentEquipment: c.Installed, Problems: "частые остановы, перерасход электроэнергии",
			DesiredResult: "стабильное давление 7 бар и снижение затрат на электроэнергию"}
		x.Needs = []string{b.lines[0].P.Name}
		x.Agreements = []string{"клиент передаст данные о потреблении воздуха"}
		x.NextSteps = []documents.Step{{Action: "Подготовить технико-коммерческое предложение", Owner: b.rep.Model.Surname, Due: ddate(at.AddDate(0, 0, 10))}}
		x.Assessment.Probability = 30 + b.r.IntN(40)
		x.Author = b.repContact()
	case *documents.Proposal:
		x.Lines = dl
		x.Subject = b.deal.Title
		x.Addressee = documents.Contact{Name: c.People[0].Name, Position: c.People[0].Position, Phone: c.People[0].Phone, Email: c.People[0].Email}
		x.Solution = "Поставка оборудования УралКомпрессорМаш с пусконаладкой и обучением персонала"
		x.Benefits = []string{"энергоэффективность класса IE4", "сервис в регионе за 24 часа", "гарантия 24 месяца на винтовой блок"}
	case *documents.ClientCard:
		x.Industry = c.Industry
		x.Headcount = c.Headcount
		x.Sites = []documents.Site{{Name: "Производственная площадка", Address: c.Co.Address}}
		x.InstalledBase = []documents.Equipment{{Equipment: c.Installed, Qty: 1 + b.r.IntN(3), Year: 2005 + b.r.IntN(12)}}
		x.Needs = []documents.Need{{Description: b.lines[0].P.Name, Timeframe: "в течение года"}}
		x.OKVED = okved[c.Industry]
		x.Budget = documents.Budget{Amount: b.deal.Amount.String(), BudgetingMonth: 10 + b.r.IntN(3), PurchasingCycle: "бюджет на год утверждается в декабре, закупки — ежеквартально"}
		x.Procurement = documents.Procurement{Law: "commercial"}
		if c.Tender {
			x.Procurement = documents.Procurement{Law: "223-fz", Platform: "РТС-тендер"}
		}
		x.Stage = "Переговоры с ЛПР"
		x.DMU = nil
		attitude := []string{"supporter", "neutral", "neutral"}
		influence := []string{"high", "medium", "low"}
		for i, p := range c.People {
			x.DMU = append(x.DMU, documents.DMUMember{Name: p.Name, Position: p.Position, Role: p.Role, Attitude: attitude[i%3], Influence: influence[i%3],
				Phone: p.Phone, Email: p.Email, LastContact: day})
		}
		x.NextStep = documents.Step{Action: "Переговоры с ЛПР о цене и сроках", Owner: b.rep.Model.Surname, Due: ddate(at.AddDate(0, 0, 7))}
		x.Priority = "A"
		if len(x.ContactHistory) == 0 {
			x.ContactHistory = []documents.ContactEvent{{Date: ddate(at.AddDate(0, 0, -3)), Kind: "call", Summary: "звонок ЛПР: потребность и сроки"}}
		}
	case *documents.Contract:
		if len(x.Lines) == 0 {
			x.Lines = dl
		}
		x.ArbitrationCourt = "Арбитражный суд Свердловской области"
	case *documents.Specification:
		if len(x.Lines) == 0 {
			x.Lines = dl
		}
		x.AppendixNumber = "1"
	case *documents.Invoice:
		x.PaymentDue = ddate(at.AddDate(0, 0, 5))
	case *documents.ProductionSchedule:
		x.TriggerDate = ddate(b.paidAt)
		x.Item = b.lines[0].P.Name
		x.SerialNumber = fmt.Sprintf("УКМ-%d-%05d", at.Year()%100, b.deal.ID)
		x.Manager = b.repContact()
		ms := []string{"Закупка комплектующих", "Сборка", "Испытания", "Приёмка ОТК", "Готовность к отгрузке"}
		x.Milestones = nil
		for i, m := range ms {
			x.Milestones = append(x.Milestones, documents.Milestone{Name: m, Planned: ddate(b.paidAt.AddDate(0, 0, 10*(i+1))), Status: "planned"})
		}
	case *documents.UPD:
		x.ShipmentDate = day
	case *documents.RecommendationLetter:
		x.Recommendation = fmt.Sprintf("%s рекомендует АО «УралКомпрессорМаш» как надёжного поставщика компрессорного оборудования.", c.Co.Name)
		x.Assessment = "Оборудование поставлено в срок, пусконаладка выполнена качественно."
		x.Signatory = documents.Contact{Name: c.Director.Name, Position: "Генеральный директор"}
		x.Status, x.ReceivedOn = documents.LetterReceived, day
		if len(x.Supplied.Equipment) == 0 {
			x.Supplied.Equipment = []string{b.lines[0].P.Name}
		}
	}
	d.SetNumber(number, at)
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("demo: %s data of deal %d: %w", kind, b.deal.ID, err)
	}
	if fv, ok := d.(documents.FinalValidator); ok {
		if err := fv.ValidateFinal(); err != nil {
			return nil, fmt.Errorf("demo: %s data of deal %d: %w", kind, b.deal.ID, err)
		}
	}
	return d, nil
}

// okved is a typical main activity code (ОКВЭД 2) of each industry.
var okved = map[string]string{"металлургия": "24.10", "пищевая промышленность": "10.51", "химическая промышленность": "20.16",
	"добыча полезных ископаемых": "07.29", "деревообработка": "16.21", "фармацевтика": "21.20", "машиностроение": "28.41"}

// numbers allocates document numbers the way the document service does: one counter per
// (scope, kind, year), specifications numbered within their contract (year 0).
type numbers struct {
	next map[counterKey]int64
}

type counterKey struct {
	Scope, Kind string
	Year        int
}

func (n *numbers) allocate(kind workflow.DocumentKind, scope string, at time.Time) assigned {
	f, ok := documents.DefaultNumberFormat(kind)
	if !ok {
		panic("demo: no number format for " + string(kind))
	}
	year := at.Year()
	if documents.CounterScope(kind) != documents.ScopeContract {
		scope = ""
	} else {
		year = 0
	}
	k := counterKey{scope, string(kind), year}
	n.next[k]++
	seq := n.next[k]
	return assigned{number: f.Format(seq, at.Year(), scope), seq: seq, scope: scope, year: year}
}
