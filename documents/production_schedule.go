package documents

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Milestone statuses.
const (
	MilestonePlanned    = "planned"
	MilestoneInProgress = "in_progress"
	MilestoneDone       = "done"
	MilestoneLate       = "late"
)

var milestoneStatuses = map[string][2]string{
	MilestonePlanned:    {"запланировано", "planned"},
	MilestoneInProgress: {"в работе", "in progress"},
	MilestoneDone:       {"выполнено", "done"},
	MilestoneLate:       {"с отставанием", "late"},
}

// ProductionSchedule is the график производства (DOMAIN.md §1.6): milestones of one
// made-to-order item, from the trigger (advance received) to commissioning.
type ProductionSchedule struct {
	Number string `json:"number,omitempty"`
	// Date is the as-of date of the schedule: deviations of open milestones count to it.
	Date          Date   `json:"date"`
	Contract      DocRef `json:"contract"`
	Specification DocRef `json:"specification,omitzero"`
	Seller        Party  `json:"seller"`
	Buyer         Party  `json:"buyer"`
	// Item is the equipment made («Компрессор винтовой ВК-55»); SerialNumber its number.
	Item         string `json:"item"`
	SerialNumber string `json:"serial_number,omitempty"`
	// TriggerDate starts the schedule: the date the advance was received.
	TriggerDate Date        `json:"trigger_date"`
	Milestones  []Milestone `json:"milestones"`
	// Manager is the person responsible on the seller's side.
	Manager Contact `json:"manager,omitzero"`
}

// Milestone is one step of production.
type Milestone struct {
	Name    string `json:"name"`
	Planned Date   `json:"planned"`
	// Actual is the date the milestone was done; set exactly when Status is done.
	Actual Date `json:"actual,omitzero"`
	// Status: planned, in_progress, done, late.
	Status  string `json:"status"`
	Owner   string `json:"owner,omitempty"`
	Comment string `json:"comment,omitempty"`
	// DeviationDays is derived: Actual − Planned for a done milestone; for an open one the
	// days by which the schedule's Date is past Planned (0 when not yet due). Positive means
	// late.
	DeviationDays *int `json:"deviation_days,omitempty"`
}

func init() {
	RegisterKind(workflow.DocProductionSchedule, func() Data { return &ProductionSchedule{} })
}

// Kind returns production_schedule.
func (d *ProductionSchedule) Kind() workflow.DocumentKind { return workflow.DocProductionSchedule }

// Header returns the number and date.
func (d *ProductionSchedule) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *ProductionSchedule) SetNumber(n string, date time.Time) {
	d.Number = n
	setDate(&d.Date, date)
}

// deviation computes a milestone's deviation in days as of the schedule date.
func (m Milestone) deviation(asOf Date) int {
	if !m.Actual.IsZero() {
		return daysBetween(m.Planned, m.Actual)
	}
	if n := daysBetween(m.Planned, asOf); n > 0 {
		return n
	}
	return 0
}

// Validate checks the schedule and computes the deviations.
func (d *ProductionSchedule) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	d.Contract.check(&p, "contract", true)
	d.Specification.check(&p, "specification", false)
	d.Seller.check(&p, "seller", partyNamed, false)
	d.Buyer.check(&p, "buyer", partyNamed, false)
	p.Required("item", d.Item)
	p.para("item", d.Item, maxAddress)
	p.line("serial_number", d.SerialNumber, maxShort)
	p.requiredDate("trigger_date", d.TriggerDate)
	d.Manager.check(&p, "manager", false, false)
	if p.count("milestones", len(d.Milestones), 1, MaxListItems) {
		for i := range d.Milestones {
			m := &d.Milestones[i]
			path := fmt.Sprintf("milestones[%d]", i)
			p.Required(path+".name", m.Name)
			p.para(path+".name", m.Name, maxName)
			p.requiredDate(path+".planned", m.Planned)
			p.notBefore(path+".planned", m.Planned, d.TriggerDate, "trigger_date")
			p.date(path+".actual", m.Actual)
			p.notBefore(path+".actual", m.Actual, d.TriggerDate, "trigger_date")
			p.enum(path+".status", m.Status, true, MilestonePlanned, MilestoneInProgress, MilestoneDone, MilestoneLate)
			switch {
			case m.Status == MilestoneDone && m.Actual.IsZero():
				p.Add(path+".actual", "required when the status is done", "обязательно для статуса done (выполнено)")
			case m.Status != MilestoneDone && m.Status != "" && !m.Actual.IsZero():
				p.Add(path+".status", "must be done when the actual date is set", "при указанной фактической дате статус должен быть done")
			}
			if !m.Actual.IsZero() && !d.Date.IsZero() && m.Actual.After(d.Date.Time) {
				p.Add(path+".actual", "later than the schedule's date", "позже даты графика")
			}
			p.line(path+".owner", m.Owner, maxName)
			p.para(path+".comment", m.Comment, maxText)
			if m.Planned.IsZero() {
				continue
			}
			dev := m.deviation(d.Date)
			if m.DeviationDays != nil && *m.DeviationDays != dev {
				p.Add(path+".deviation_days", fmt.Sprintf("is derived and must equal %d (or be left out)", dev),
					fmt.Sprintf("вычисляется автоматически и должно быть равно %d (или не указываться)", dev))
			}
			m.DeviationDays = &dev
		}
	}
	return p.Err(d.Kind())
}

// View returns the values the production schedule templates read (VIEW.md,
// "production_schedule").
func (d *ProductionSchedule) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["contract"] = d.Contract.view()
	v["specification"] = d.Specification.view()
	v["seller"] = d.Seller.view()
	v["buyer"] = d.Buyer.view()
	v["item"] = d.Item
	v["serial_number"] = d.SerialNumber
	putDate(v, "trigger_date", d.TriggerDate)
	v["manager"] = d.Manager.view()
	ms := make([]map[string]any, 0, len(d.Milestones))
	done, late, maxDev := 0, 0, 0
	for i, m := range d.Milestones {
		dev := m.deviation(d.Date)
		overdue := m.Status != MilestoneDone && dev > 0
		mv := map[string]any{
			"no": strconv.Itoa(i + 1), "name": m.Name, "status": m.Status,
			"status_ru": milestoneStatuses[m.Status][0], "status_en": milestoneStatuses[m.Status][1],
			"owner": m.Owner, "comment": m.Comment,
			"deviation_days": strconv.Itoa(dev), "deviation": deviationText(dev), "overdue": overdue,
			"days_from_trigger": strconv.Itoa(daysBetween(d.TriggerDate, m.Planned)),
		}
		putDate(mv, "planned", m.Planned)
		putDate(mv, "actual", m.Actual)
		ms = append(ms, mv)
		if m.Status == MilestoneDone {
			done++
		}
		if dev > 0 {
			late++
		}
		maxDev = max(maxDev, dev)
	}
	v["milestones"] = ms
	v["milestones_done"] = strconv.Itoa(done)
	v["milestones_total"] = strconv.Itoa(len(d.Milestones))
	v["milestones_late"] = strconv.Itoa(late)
	v["max_deviation_days"] = strconv.Itoa(maxDev)
	v["on_schedule"] = late == 0
	return v
}

// deviationText prints «+3 дн.», «–2 дн.» or «0». The minus is an en dash, as Russian typesetting
// allows: it is in the PDF fast path's single-byte font, U+2212 is not.
func deviationText(n int) string {
	switch {
	case n > 0:
		return "+" + strconv.Itoa(n) + " дн."
	case n < 0:
		return "–" + strconv.Itoa(-n) + " дн."
	}
	return "0"
}
