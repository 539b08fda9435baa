package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// dealSim is one deal being simulated.
type dealSim struct {
	g      *generator
	idx    int
	dry    bool
	r      *rand.Rand // the simulation's draws: identical in the dry and the real pass
	rep    *repState
	client *client
	deal   workflow.Deal
	lines  []line
	ev     workflow.Evidence
	events []workflow.Event
	docs   *docBuilder
	ctx    context.Context
	err    error
}

// simulate runs deal i of the plan. In the dry pass it only records when each document is
// finalised; otherwise it adds the deal's rows and sealed events to the batch.
func (g *generator) simulate(ctx context.Context, i int, dry bool) error {
	pd := g.plan[i]
	s := &dealSim{g: g, idx: i, dry: dry, r: rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)+1)), rep: pd.rep, ctx: ctx}
	s.client = pd.rep.Portfolio[s.r.IntN(len(pd.rep.Portfolio))]
	s.lines = drawLines(s.r, pd.rep.Model)
	var amount, cost int64
	for _, l := range s.lines {
		amount += l.net()
		cost += l.cost()
	}
	created := pd.created
	s.deal = workflow.Deal{ID: g.ids.Deal + int64(i), CompanyID: s.client.Co.ID, OwnerID: pd.rep.User.ID, Title: title(s.lines),
		Amount: workflow.Money(amount * 100), Cost: workflow.Money(cost * 100), Currency: "RUB", PipelineID: g.p.ID,
		Stage: g.p.First().Key, Status: workflow.StatusOpen, Version: 1, StageEnteredAt: created, CreatedAt: created, UpdatedAt: created}
	s.ev = workflow.Evidence{CompanyValid: true, Documents: map[workflow.DocumentKind]int{}, Facts: map[workflow.FactKind]int{},
		Fields: map[string]bool{"amount": amount > 0, "cost": cost > 0}, TrainingPassed: map[string]bool{}}
	s.docs = &docBuilder{g: g, r: rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)+1<<40)), deal: &s.deal, client: s.client, rep: pd.rep,
		lines: s.lines, prev: map[workflow.DocumentKind]documents.Data{}}
	p := g.p
	s.event(workflow.Event{Kind: workflow.EventCreated, Action: workflow.ActionCreate, ToStage: s.deal.Stage, ActorID: pd.rep.User.ID, At: created,
		Payload: canon(map[string]any{"title": s.deal.Title, "company_id": s.deal.CompanyID, "owner_id": s.deal.OwnerID,
			"amount": s.deal.Amount.String(), "cost": s.deal.Cost.String(), "currency": s.deal.Currency,
			"pipeline_id": p.ID, "pipeline_version": p.Version, "pipeline_sha256": p.SHA256})})
	s.run()
	if s.err != nil {
		return s.err
	}
	if dry {
		return nil
	}
	return s.store()
}

// conv is the chance that a worked visit of stage key passes.
func (s *dealSim) conv(key string) float64 {
	m := Stages[key]
	c := m.Conv
	if k, ok := s.rep.Model.Conv[key]; ok {
		c *= k
	}
	if m.Conv < 1 {
		c = math.Min(c, 0.99)
	}
	return c
}

func (s *dealSim) reason(key string) string {
	rs := Stages[key].Reasons
	if o, ok := s.rep.Model.Reasons[key]; ok {
		rs = o
	}
	var sum float64
	for _, r := range rs {
		sum += r.Weight
	}
	x := s.r.Float64() * sum
	for _, r := range rs {
		if x < r.Weight {
			return r.Text
		}
		x -= r.Weight
	}
	return rs[len(rs)-1].Text
}

// run walks the deal through the pipeline until it is won, lost, or the year ends.
func (s *dealSim) run() {
	p := s.g.p
	end := s.g.end
	t := s.deal.CreatedAt
	for i := p.StageIndex(s.deal.Stage); i < len(p.Stages) && s.err == nil; {
		st := p.Stages[i]
		m := Stages[st.Key]
		if st.Skippable {
			skip := m.Skip
			if st.Key == "tender" {
				skip = 1
				if s.client.Tender {
					skip = 0
				}
			}
			if s.r.Float64() < skip {
				at := t.Add(time.Duration(1+s.r.IntN(20)) * time.Minute)
				if !at.Before(end) {
					return
				}
				s.decide(workflow.ActionSkip, m.SkipReason, at)
				t = at
				i++
				continue
			}
		}
		pass := s.r.Float64() < s.conv(st.Key)
		reason := ""
		dur := lognormalDays(s.r, m.Days*s.rep.Model.Time, 0.5)
		if !pass {
			reason = s.reason(st.Key)
			dur = time.Duration(float64(dur) * (0.4 + 0.8*s.r.Float64()))
		}
		exit := atWork(t.Add(dur), s.r)
		if !exit.After(t) {
			exit = t.Add(time.Minute)
		}
		if !exit.Before(end) {
			s.work(st.Key, t, end, outcomeOpen, "")
			return
		}
		out := outcomePass
		if !pass {
			out = outcomeLose
		}
		s.work(st.Key, t, exit, out, reason)
		switch {
		case !pass:
			s.decide(workflow.ActionLose, reason, exit)
			return
		case i == len(p.Stages)-1:
			s.decide(workflow.ActionWin, "", exit)
			return
		default:
			s.decide(workflow.ActionAdvance, "", exit)
			t = exit
			i++
		}
	}
}

// decide moves the deal with the real state machine, which checks the stage's evidence.
func (s *dealSim) decide(a workflow.Action, reason string, at time.Time) {
	if s.err != nil {
		return
	}
	out, err := s.g.p.Decide(s.deal, s.ev, workflow.Transition{Action: a, Reason: reason}, s.rep.User.Actor(), at)
	if err != nil {
		s.err = fmt.Errorf("demo: deal %d at %s: %s refused: %w", s.deal.ID, s.deal.Stage, a, err)
		return
	}
	s.deal = out.Deal
	for _, e := range out.Events {
		s.event(e)
	}
}

type outcome int

const (
	outcomePass outcome = iota
	outcomeLose
	outcomeOpen
)

func (s *dealSim) event(e workflow.Event) {
	e.DealID = s.deal.ID
	s.events = append(s.events, e)
}

// activity logs a call, meeting or e-mail at the deal's current stage.
func (s *dealSim) activity(kind workflow.ActivityKind, at time.Time, dm bool, note string) {
	if s.dry {
		s.ev.Activities = append(s.ev.Activities, workflow.ActivityEvidence{Kind: kind, DecisionMaker: dm})
		return
	}
	a := storage.Activity{ID: s.g.ids.Activity, DealID: s.deal.ID, Kind: kind, Stage: s.deal.Stage, Note: note, DecisionMaker: dm,
		ActorID: s.rep.User.ID, At: at}
	s.g.ids.Activity++
	s.g.batch.Activities = append(s.g.batch.Activities, a)
	s.g.res.Activities++
	s.ev.Activities = append(s.ev.Activities, workflow.ActivityEvidence{Kind: kind, DecisionMaker: dm})
	s.event(workflow.Event{Kind: workflow.EventActivity, Action: workflow.Action(kind), FromStage: s.deal.Stage, ActorID: a.ActorID, At: at,
		Payload: canon(map[string]any{"activity_id": a.ID, "kind": a.Kind, "note": a.Note, "decision_maker": a.DecisionMaker})})
}

// fact records what the deal learned.
func (s *dealSim) fact(kind workflow.FactKind, at time.Time, actor storage.User, data map[string]any) {
	s.ev.Facts[kind]++
	if s.dry {
		return
	}
	c := canon(data)
	f := storage.Fact{ID: s.g.ids.Fact, DealID: s.deal.ID, Kind: kind, Stage: s.deal.Stage, Data: c, ActorID: actor.ID, At: at}
	s.g.ids.Fact++
	s.g.batch.Facts = append(s.g.batch.Facts, f)
	s.g.res.Facts++
	s.event(workflow.Event{Kind: workflow.EventFact, Action: workflow.Action(kind), FromStage: s.deal.Stage, ActorID: actor.ID, At: at,
		Payload: canon(map[string]any{"fact_id": f.ID, "kind": kind, "data": json.RawMessage(c)})})
}

// document finalises a document of kind: numbered in date order, its data built from the
// deal's earlier documents, its files rendered by the DocumentFunc when there is one.
func (s *dealSim) document(kind workflow.DocumentKind, at time.Time, actor storage.User) {
	if s.err != nil {
		return
	}
	s.ev.Documents[kind]++
	key := docKey{s.idx, kind}
	if s.dry {
		s.g.dryDocs[key] = at
		return
	}
	num, ok := s.g.numbers[key]
	if !ok {
		s.err = fmt.Errorf("demo: deal %d: %s at %s was not numbered in the first pass", s.deal.ID, kind, at)
		return
	}
	data, err := s.docs.build(kind, at, num.number)
	if err != nil {
		s.err = err
		return
	}
	s.docs.prev[kind] = data
	c := canon(data)
	doc := storage.Document{ID: s.g.ids.Document, DealID: s.deal.ID, Kind: kind, Number: num.number, Seq: num.seq, NumberScope: num.scope,
		NumberYear: num.year, Version: 1, Status: storage.DocFinal, Data: c, DataSHA256: storage.SHA256Hex(c), CreatedBy: actor.ID, CreatedAt: at, FinalisedAt: &at}
	s.g.ids.Document++
	if f := s.g.cfg.Documents; f != nil {
		files, err := f(s.ctx, DocumentRequest{DealID: s.deal.ID, Kind: kind, Data: data, At: at, Actor: actor.Actor()})
		if err != nil {
			s.err = fmt.Errorf("demo: render %s of deal %d: %w", kind, s.deal.ID, err)
			return
		}
		if len(files.PDF) > 0 {
			if doc.PDFSHA256, err = s.g.st.Blobs().Put(s.ctx, files.PDF); err != nil {
				s.err = err
				return
			}
		}
		if len(files.DOCX) > 0 {
			if doc.DOCXSHA256, err = s.g.st.Blobs().Put(s.ctx, files.DOCX); err != nil {
				s.err = err
				return
			}
		}
		doc.Templates = files.Templates
	}
	tpl, _ := json.Marshal(doc.Templates)
	if doc.Templates == nil {
		tpl = []byte("null")
	}
	s.g.batch.Documents = append(s.g.batch.Documents, storage.DemoDocument{Document: doc, TemplatesJSON: string(tpl)})
	s.g.res.Documents++
	s.event(workflow.Event{Kind: workflow.EventDocumentFinalised, Action: workflow.Action(kind), FromStage: s.deal.Stage, ActorID: actor.ID, At: at,
		Payload: canon(storage.DocumentEventPayload(doc))})
}

// times draws n sorted times in [a, b), in working hours where they fit.
func (s *dealSim) times(n int, a, b time.Time) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = during(s.r, a, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// before is a moment shortly before t (but not before a).
func (s *dealSim) before(a, t time.Time) time.Time {
	x := t.Add(-time.Duration(10+s.r.IntN(110)) * time.Minute)
	if x.Before(a) {
		x = a.Add((t.Sub(a)) / 2)
	}
	return x
}

// early is a moment soon after a (within the first days of the stage, before b).
func (s *dealSim) early(a, b time.Time, days int) time.Time {
	x := atWork(a.Add(time.Duration(s.r.IntN(days*24*60+1))*time.Minute), s.r)
	if !x.Before(b) {
		x = a.Add(b.Sub(a) / 3)
	}
	return x
}

func (s *dealSim) pick(list []string) string { return list[s.r.IntN(len(list))] }

// work is what the rep (and the back office) do while the deal is at a stage, from its
// entry a to its exit b: the calls, meetings and e-mails, and on a pass the stage's
// evidence — documents and facts — just before b.
func (s *dealSim) work(key string, a, b time.Time, out outcome, reason string) {
	rep, bo := s.rep.User, s.g.backoffice
	pass := out == outcomePass
	call := func(at time.Time, dm bool, note string) { s.activity(workflow.ActivityCall, at, dm, note) }
	switch key {
	case "research":
		if s.r.Float64() < 0.3 {
			call(during(s.r, a, b), false, "уточнили контакты главного механика")
		}
	case "cold_call":
		// Dials until the decision maker answers: about a dozen (DOMAIN.md: 40–80 a week).
		n := 2 + int(math.Round(float64(geometric(s.r, 1.0/11))*s.rep.Model.Dials))
		if n > 40 {
			n = 40
		}
		for _, t := range s.times(n, a, b) {
			call(t, false, s.pick(dialNotes))
		}
		switch out {
		case outcomePass:
			call(s.before(a, b), true, "дозвонились до ЛПР, договорились о встрече")
		case outcomeLose:
			call(s.before(a, b), false, "итог: "+reason)
		}
	case "meeting":
		for _, t := range s.times(1+s.r.IntN(2), a, b) {
			call(t, false, "подтвердили встречу")
		}
		s.activity(workflow.ActivityEmail, during(s.r, a, b), false, "повестка встречи")
		if out == outcomeOpen {
			return
		}
		if pass || reason != "перенос/отмена" {
			met := s.before(a, b)
			s.activity(workflow.ActivityMeeting, met.Add(-2*time.Hour), true, "встреча на площадке клиента")
			s.docs.meetingAt = met
			s.document(workflow.DocMeetingReport, met, rep)
		} else {
			call(s.before(a, b), false, "клиент перенёс встречу")
		}
	case "needs":
		for _, t := range s.times(1+s.r.IntN(2), a, b) {
			call(t, false, s.pick(followNotes))
		}
		s.activity(workflow.ActivityEmail, during(s.r, a, b), false, "опросный лист по потреблению воздуха")
		if s.r.Float64() < 0.6 {
			s.activity(workflow.ActivityMeeting, during(s.r, a, b), false, "техническое обследование компрессорной")
		}
		if pass {
			s.fact(workflow.FactNeeds, s.before(a, b), rep, map[string]any{"summary": fmt.Sprintf("%s; давление 7–8 бар; %d смены", s.lines[0].P.Name, 1+s.r.IntN(3))})
		}
	case "proposal":
		sent := s.early(a, b, 3)
		s.document(workflow.DocProposal, sent, rep)
		s.activity(workflow.ActivityEmail, sent.Add(10*time.Minute), false, "КП отправлено ЛПР")
		if s.r.Float64() < 0.3 {
			s.activity(workflow.ActivityMeeting, during(s.r, sent, b), true, "презентация КП")
		}
		for _, t := range s.times(1+s.r.IntN(3), sent.Add(time.Hour), b) {
			call(t, s.r.Float64() < 0.5, "напомнил о КП")
		}
	case "dmu":
		for _, t := range s.times(1+s.r.IntN(2), a, b) {
			call(t, false, "уточнили состав ЦПР")
		}
		if pass {
			var names []string
			for _, p := range s.client.People {
				names = append(names, p.Name)
			}
			s.fact(workflow.FactDecisionMakers, s.before(a, b), rep, map[string]any{"names": names})
		}
	case "client_card":
		if s.r.Float64() < 0.5 {
			call(during(s.r, a, b), false, "уточнили бюджет и сроки закупки")
		}
		if pass {
			s.document(workflow.DocClientCard, s.before(a, b), rep)
		}
	case "negotiation":
		n := 1 + s.r.IntN(3)
		for i, t := range s.times(n, a, b) {
			note := "переговоры с ЛПР: цена и условия"
			if i > 0 {
				note = "повторная встреча с ЛПР"
			}
			s.activity(workflow.ActivityMeeting, t, true, note)
		}
		for _, t := range s.times(1+s.r.IntN(3), a, b) {
			call(t, s.r.Float64() < 0.5, s.pick(followNotes))
		}
	case "tender":
		for _, t := range s.times(1+s.r.IntN(2), a, b) {
			s.activity(workflow.ActivityEmail, t, false, "заявка на электронной площадке")
		}
		switch out {
		case outcomePass:
			s.fact(workflow.FactTender, s.before(a, b), rep, map[string]any{"outcome": "won", "platform": "РТС-тендер (223-ФЗ)"})
		case outcomeLose:
			s.fact(workflow.FactTender, s.before(a, b), rep, map[string]any{"outcome": "lost", "reason": reason, "platform": "РТС-тендер (223-ФЗ)"})
		}
	case "contract":
		for _, t := range s.times(1+s.r.IntN(2), a, b) {
			s.activity(workflow.ActivityEmail, t, false, "согласование договора с юристами клиента")
		}
		call(during(s.r, a, b), false, "протокол разногласий")
		if pass {
			s.document(workflow.DocContract, s.before(a, b), rep)
		}
	case "specification":
		s.activity(workflow.ActivityEmail, during(s.r, a, b), false, "спецификация на подпись")
		if pass {
			s.document(workflow.DocSpecification, s.before(a, b), bo)
		}
	case "payment":
		s.document(workflow.DocInvoice, s.early(a, b, 1), bo)
		for _, t := range s.times(s.r.IntN(3), a, b) {
			call(t, false, "напоминание об оплате аванса")
		}
		if pass {
			paid := s.before(a, b)
			s.docs.paidAt = paid
			s.fact(workflow.FactPayment, paid, bo, map[string]any{"amount": (s.deal.Amount / 2).String(), "date": paid.Format(time.DateOnly), "kind": "advance_50"})
		}
	case "production":
		s.docs.productionFrom = a
		if s.docs.paidAt.IsZero() {
			s.docs.paidAt = a
		}
		s.document(workflow.DocProductionSchedule, s.early(a, b, 2), bo)
		for _, t := range s.times(1+s.r.IntN(2), a, b) {
			call(t, false, "статус производства")
		}
	case "shipment":
		if pass {
			shipped := s.before(a, b)
			s.docs.shippedAt = shipped
			s.document(workflow.DocUPD, shipped.Add(-30*time.Minute), bo)
			s.fact(workflow.FactShipment, shipped, bo, map[string]any{"date": shipped.Format(time.DateOnly), "transport": "автотранспорт перевозчика"})
		}
	case "feedback":
		call(during(s.r, a, b), true, "обратная связь после запуска")
		if pass {
			if s.r.Float64() < LetterShare {
				s.document(workflow.DocRecommendationLetter, s.before(a, b), rep)
			} else {
				s.fact(workflow.FactFeedback, s.before(a, b), rep, map[string]any{"summary": "оборудование работает, замечаний нет"})
			}
		}
	}
}

// geometric draws the number of failures before a success of chance p.
func geometric(r *rand.Rand, p float64) int {
	return int(math.Floor(math.Log(1-r.Float64()) / math.Log(1-p)))
}

// store seals the deal's events into its chain and adds the deal and its events to the batch.
func (s *dealSim) store() error {
	sort.SliceStable(s.events, func(i, j int) bool { return s.events[i].At.Before(s.events[j].At) })
	var prev *workflow.Event
	for i := range s.events {
		s.events[i].Seal(prev)
		prev = &s.events[i]
	}
	if err := workflow.VerifyChain(s.events); err != nil {
		return fmt.Errorf("demo: deal %d: %w", s.deal.ID, err)
	}
	g := s.g
	g.batch.Events = append(g.batch.Events, s.events...)
	g.batch.Deals = append(g.batch.Deals, s.deal)
	g.res.Events += len(s.events)
	g.res.Deals++
	inYear := func(t *time.Time) bool { return t != nil && !t.Before(g.from) && t.Before(g.end) }
	created := s.deal.CreatedAt
	if inYear(&created) {
		g.res.YearCreated++
	}
	switch s.deal.Status {
	case workflow.StatusWon:
		g.res.Won++
		if inYear(s.deal.ClosedAt) {
			g.res.YearWon++
			g.res.YearTurnover += s.deal.Amount
			g.res.YearProfit += s.deal.Amount - s.deal.Cost
		}
	case workflow.StatusLost:
		g.res.Lost++
	default:
		g.res.Open++
	}
	return nil
}

// drawLines draws a deal's line items (DOMAIN.md §5): a target value from a log-normal
// (median 2.4 M, mean 3.8 M, P90 ≈ 9 M, at most 45 M roubles), a main item that fits it, and
// the usual companions — dryer, receiver, commissioning, a parts kit, a service contract —
// at the rep's discount.
func drawLines(r *rand.Rand, m RepModel) []line {
	target := 2_400_000 * m.Size * math.Exp(0.96*r.NormFloat64())
	target = math.Max(120_000, math.Min(45_000_000, target))
	disc := m.Discount[0] + r.Float64()*(m.Discount[1]-m.Discount[0])
	disc = math.Round(disc*2) / 2
	var ls []line
	add := func(sku string, qty int) {
		ls = append(ls, line{P: product(sku), Qty: qty, Price: product(sku).Price, Discount: disc})
	}
	qtyFor := func(price int64) int { return max(1, min(4, int(math.Round(target/float64(price))))) }
	equipment := true
	switch {
	case target < 350_000:
		equipment = false
		add([]string{"ZIP-S", "ZIP-M", "ZIP-L"}[r.IntN(3)], 1)
		if r.Float64() < 0.5 {
			add("SRV-Y1", 1)
		}
	case target < 900_000:
		add("SC-7.5", 1)
		if r.Float64() < 0.6 {
			add("RD-2", 1)
		}
	case target < 2_000_000:
		if r.Float64() < 0.8 {
			add("SC-22", qtyFor(1_150_000))
			if r.Float64() < 0.6 {
				add("RD-10", 1)
			}
		} else {
			add("AD-10", qtyFor(900_000))
		}
	case target < 4_000_000:
		if r.Float64() < 0.75 {
			add("SC-55", qtyFor(2_600_000))
			if r.Float64() < 0.6 {
				add([]string{"RD-40", "AD-10"}[r.IntN(2)], 1)
			}
		} else {
			add("NG-M", 1)
		}
	case target < 8_500_000:
		if r.Float64() < 0.7 {
			add("SC-110", qtyFor(4_900_000))
			if r.Float64() < 0.6 {
				add([]string{"RD-40", "AD-40"}[r.IntN(2)], 1)
			}
		} else {
			add("NG-PSA-75", 1)
		}
	case target < 16_000_000:
		if r.Float64() < 0.7 {
			add("SC-250", qtyFor(9_800_000))
			if r.Float64() < 0.6 {
				add("AD-40", 1)
			}
		} else {
			add("NG-PSA-120", 1)
		}
	default:
		switch {
		case target < 23_000_000:
			add("KS-18", 1)
		case target < 36_000_000:
			add("KS-28", 1)
		default:
			add("KS-45", 1)
		}
	}
	if equipment {
		if r.Float64() < 0.5 {
			add([]string{"RV-1000", "RV-5000"}[r.IntN(2)], 1)
		}
		if r.Float64() < 0.7 {
			var eq int64
			for _, l := range ls {
				eq += l.Price * int64(l.Qty)
			}
			pnr := int64(math.Round(float64(eq)*(0.03+0.02*r.Float64())/1000)) * 1000
			ls = append(ls, line{P: product("SRV-PNR"), Qty: 1, Price: max(60_000, pnr), Discount: disc})
		}
		if r.Float64() < 0.4 {
			add([]string{"ZIP-S", "ZIP-M", "ZIP-L"}[r.IntN(3)], 1)
		}
		if r.Float64() < 0.15 {
			add([]string{"SRV-Y1", "SRV-Y2", "SRV-Y3"}[r.IntN(3)], 1)
		}
	}
	if len(ls) > 6 {
		ls = ls[:6]
	}
	return ls
}

// title names a deal after its main item.
func title(ls []line) string {
	main := ls[0].P
	name := main.Name
	if i := strings.Index(name, ","); i > 0 {
		name = name[:i]
	}
	switch main.Line {
	case "station":
		return "Компрессорная станция под ключ: " + strings.TrimPrefix(name, "Компрессорная станция ")
	case "parts", "service":
		return "ЗИП и сервисное обслуживание компрессоров"
	}
	if ls[0].Qty > 1 {
		return fmt.Sprintf("Поставка: %s × %d", name, ls[0].Qty)
	}
	return "Поставка: " + name
}
