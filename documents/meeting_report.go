package documents

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Decision roles of a person in the client's decision-making unit (ЦПР), DOMAIN.md §1.1/§1.3.
const (
	RoleDecisionMaker   = "decision_maker"   // ЛПР, the economic buyer
	RoleInfluencer      = "influencer"       // ЛВПР, influences the decision
	RoleTechnicalExpert = "technical_expert" // технический эксперт
	RoleUser            = "user"             // пользователь
	RoleGatekeeper      = "gatekeeper"       // привратник (secretary, purchasing)
	RoleBlocker         = "blocker"          // блокирующий
)

var decisionRoles = []string{RoleDecisionMaker, RoleInfluencer, RoleTechnicalExpert, RoleUser, RoleGatekeeper, RoleBlocker}

var decisionRoleNames = map[string][2]string{
	RoleDecisionMaker:   {"ЛПР", "decision maker"},
	RoleInfluencer:      {"ЛВПР", "influencer"},
	RoleTechnicalExpert: {"технический эксперт", "technical expert"},
	RoleUser:            {"пользователь", "user"},
	RoleGatekeeper:      {"привратник", "gatekeeper"},
	RoleBlocker:         {"блокирующий", "blocker"},
}

// Sides of a meeting participant.
const (
	SideClient = "client"
	SideSeller = "seller"
)

var sideNames = map[string]string{SideClient: "Клиент", SideSeller: "Поставщик"}

// Meeting formats.
var meetingFormats = map[string]string{
	"on_site": "очная встреча",
	"video":   "видеоконференция",
	"phone":   "телефонные переговоры",
}

// MeetingReport is the отчёт о встрече (DOMAIN.md §1.1): the facts and agreements of one
// meeting, which feed the client card and the stage statistics.
type MeetingReport struct {
	Number string `json:"number,omitempty"`
	// Date is the meeting's date; Time its start, "HH:MM".
	Date Date   `json:"date"`
	Time string `json:"time,omitempty"`
	// Format is on_site, video or phone; Place the address or the video link's name.
	Format string `json:"format"`
	Place  string `json:"place,omitempty"`
	// Client is the client company (its name at least); Seller our company.
	Client       Party         `json:"client"`
	Seller       Party         `json:"seller,omitzero"`
	Participants []Participant `json:"participants"`
	// Reason is why the meeting took place; Goal what it was to achieve.
	Reason string   `json:"reason,omitempty"`
	Goal   string   `json:"goal"`
	Topics []string `json:"topics,omitempty"`
	// Situation is what was learned about the client.
	Situation Situation `json:"situation"`
	// Needs are the needs found.
	Needs      []string    `json:"needs,omitempty"`
	Objections []Objection `json:"objections,omitempty"`
	Agreements []string    `json:"agreements,omitempty"`
	NextSteps  []Step      `json:"next_steps"`
	// DocumentsPromised are documents either side promised (a questionnaire for the КП…).
	DocumentsPromised []Step     `json:"documents_promised,omitempty"`
	Assessment        Assessment `json:"assessment"`
	Attachments       []string   `json:"attachments,omitempty"`
	// Author is the rep who writes the report.
	Author Contact `json:"author"`
}

// Participant is a person at a meeting.
type Participant struct {
	Name     string `json:"name"`
	Side     string `json:"side"` // client or seller
	Position string `json:"position,omitempty"`
	// Role is the person's role in the decision (client side): decision_maker (ЛПР),
	// influencer (ЛВПР), technical_expert, user, gatekeeper, blocker.
	Role  string `json:"role,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Situation is the client's situation found at the meeting.
type Situation struct {
	CurrentEquipment string `json:"current_equipment,omitempty"`
	Problems         string `json:"problems,omitempty"`
	Consequences     string `json:"consequences,omitempty"`
	DesiredResult    string `json:"desired_result,omitempty"`
}

// Objection is an objection raised and the answer or position given.
type Objection struct {
	Objection string `json:"objection"`
	Answer    string `json:"answer,omitempty"`
}

// Step is an action (or a promised document) with its owner and deadline.
type Step struct {
	Action string `json:"action"`
	Owner  string `json:"owner"`
	Due    Date   `json:"due"`
}

// Assessment is the rep's view of the deal after the meeting.
type Assessment struct {
	Stage string `json:"stage,omitempty"`
	// Probability of winning, 0–100 %.
	Probability int `json:"probability"`
	// Potential is the deal's potential in RUB excl. VAT, a decimal string.
	Potential string `json:"potential,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

func init() {
	RegisterKind(workflow.DocMeetingReport, func() Data { return &MeetingReport{} })
}

// Kind returns meeting_report.
func (d *MeetingReport) Kind() workflow.DocumentKind { return workflow.DocMeetingReport }

// Header returns the number and date.
func (d *MeetingReport) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *MeetingReport) SetNumber(n string, date time.Time) { d.Number = n; setDate(&d.Date, date) }

// Validate checks the report: date, format, at least one client participant, the goal and at
// least one next step with owner and deadline.
func (d *MeetingReport) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	if d.Time != "" && !validClock(d.Time) {
		p.Add("time", "must be HH:MM", "должно быть в формате ЧЧ:ММ")
	}
	p.enum("format", d.Format, true, "on_site", "video", "phone")
	p.para("place", d.Place, maxAddress)
	d.Client.check(&p, "client", partyNamed, false)
	if !d.Seller.IsZero() {
		d.Seller.check(&p, "seller", partyNamed, false)
	}
	if p.count("participants", len(d.Participants), 1, MaxListItems) {
		clients := 0
		for i := range d.Participants {
			pp := &d.Participants[i]
			path := fmt.Sprintf("participants[%d]", i)
			p.Required(path+".name", pp.Name)
			p.line(path+".name", pp.Name, maxName)
			p.enum(path+".side", pp.Side, true, SideClient, SideSeller)
			p.line(path+".position", pp.Position, maxName)
			p.enum(path+".role", pp.Role, pp.Side == SideClient, decisionRoles...)
			p.phone(path+".phone", pp.Phone)
			p.email(path+".email", pp.Email)
			if pp.Side == SideClient {
				clients++
			}
		}
		if clients == 0 && len(d.Participants) > 0 {
			p.Add("participants", "at least one participant from the client's side is required", "нужен хотя бы один участник со стороны клиента")
		}
	}
	p.para("reason", d.Reason, maxText)
	p.Required("goal", d.Goal)
	p.para("goal", d.Goal, maxText)
	p.texts("topics", d.Topics, 0, MaxListItems, maxText)
	p.para("situation.current_equipment", d.Situation.CurrentEquipment, maxText)
	p.para("situation.problems", d.Situation.Problems, maxText)
	p.para("situation.consequences", d.Situation.Consequences, maxText)
	p.para("situation.desired_result", d.Situation.DesiredResult, maxText)
	p.texts("needs", d.Needs, 0, MaxListItems, maxText)
	if p.count("objections", len(d.Objections), 0, MaxListItems) {
		for i, o := range d.Objections {
			path := fmt.Sprintf("objections[%d]", i)
			p.Required(path+".objection", o.Objection)
			p.para(path+".objection", o.Objection, maxText)
			p.para(path+".answer", o.Answer, maxText)
		}
	}
	p.texts("agreements", d.Agreements, 0, MaxListItems, maxText)
	checkSteps(&p, "next_steps", d.NextSteps, 1, d.Date)
	checkSteps(&p, "documents_promised", d.DocumentsPromised, 0, d.Date)
	p.line("assessment.stage", d.Assessment.Stage, maxName)
	p.intRange("assessment.probability", d.Assessment.Probability, 0, 100)
	p.money("assessment.potential", &d.Assessment.Potential, false)
	p.para("assessment.comment", d.Assessment.Comment, maxText)
	p.texts("attachments", d.Attachments, 0, MaxListItems, maxName)
	d.Author.check(&p, "author", true, false)
	return p.Err(d.Kind())
}

func checkSteps(p *Problems, path string, steps []Step, min int, from Date) {
	if !p.count(path, len(steps), min, MaxListItems) {
		return
	}
	for i, s := range steps {
		s.check(p, fmt.Sprintf("%s[%d]", path, i), from)
	}
}

// check validates a step: action, owner and a deadline not before from.
func (s Step) check(p *Problems, path string, from Date) {
	p.Required(path+".action", s.Action)
	p.para(path+".action", s.Action, maxText)
	p.Required(path+".owner", s.Owner)
	p.line(path+".owner", s.Owner, maxName)
	p.requiredDate(path+".due", s.Due)
	p.notBefore(path+".due", s.Due, from, "date")
}

func stepsView(steps []Step) []map[string]any {
	out := make([]map[string]any, 0, len(steps))
	for i, s := range steps {
		m := map[string]any{"no": strconv.Itoa(i + 1), "action": s.Action, "owner": s.Owner}
		putDate(m, "due", s.Due)
		out = append(out, m)
	}
	return out
}

// validClock reports whether s is HH:MM on a 24-hour clock.
func validClock(s string) bool {
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

// View returns the values the meeting report templates read (VIEW.md, "meeting_report").
func (d *MeetingReport) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["time"] = d.Time
	v["format"] = d.Format
	v["format_ru"] = meetingFormats[d.Format]
	v["place"] = d.Place
	v["client"] = d.Client.view()
	v["seller"] = d.Seller.view()
	parts := make([]map[string]any, 0, len(d.Participants))
	var client, seller []map[string]any
	for i, pp := range d.Participants {
		m := map[string]any{
			"no": strconv.Itoa(i + 1), "name": pp.Name, "side": pp.Side, "side_ru": sideNames[pp.Side],
			"position": pp.Position, "role": pp.Role, "role_ru": decisionRoleNames[pp.Role][0],
			"role_en": decisionRoleNames[pp.Role][1], "phone": pp.Phone, "email": pp.Email,
		}
		parts = append(parts, m)
		if pp.Side == SideClient {
			client = append(client, m)
		} else {
			seller = append(seller, m)
		}
	}
	v["participants"] = parts
	v["client_participants"] = nonNilMaps(client)
	v["seller_participants"] = nonNilMaps(seller)
	v["reason"] = d.Reason
	v["goal"] = d.Goal
	v["topics"] = strs(d.Topics)
	v["topics_text"] = joined(d.Topics)
	v["situation"] = map[string]any{
		"current_equipment": d.Situation.CurrentEquipment, "problems": d.Situation.Problems,
		"consequences": d.Situation.Consequences, "desired_result": d.Situation.DesiredResult,
	}
	v["needs"] = strs(d.Needs)
	v["needs_text"] = joined(d.Needs)
	obj := make([]map[string]any, 0, len(d.Objections))
	for i, o := range d.Objections {
		obj = append(obj, map[string]any{"no": strconv.Itoa(i + 1), "objection": o.Objection, "answer": o.Answer})
	}
	v["objections"] = obj
	v["agreements"] = strs(d.Agreements)
	v["agreements_text"] = joined(d.Agreements)
	v["next_steps"] = stepsView(d.NextSteps)
	v["documents_promised"] = stepsView(d.DocumentsPromised)
	a := map[string]any{
		"stage": d.Assessment.Stage, "probability": strconv.Itoa(d.Assessment.Probability) + " %",
		"probability_raw": strconv.Itoa(d.Assessment.Probability), "comment": d.Assessment.Comment,
	}
	pot, ok := parseMoneyOK(d.Assessment.Potential)
	putOptMoney(a, "potential", pot, ok)
	v["assessment"] = a
	v["attachments"] = strs(d.Attachments)
	v["attachments_text"] = joined(d.Attachments)
	v["author"] = d.Author.view()
	return v
}

func nonNilMaps(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}

// parseMoneyOK parses a validated money string; ok is false when it is empty.
func parseMoneyOK(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	m, err := workflow.ParseMoney(s)
	if err != nil || m < 0 {
		return 0, false
	}
	return m.Minor(), true
}
