package workflow

import "time"

// Role is what a user may do in dealgate.
type Role string

// Roles of DESIGN.md, "Who uses it".
const (
	// RoleAdmin manages users, pipelines, templates and the catalogue; may do everything.
	RoleAdmin Role = "admin"
	// RoleManager reads every deal and the statistics; may move any deal.
	RoleManager Role = "manager"
	// RoleRep owns deals and sees only their own.
	RoleRep Role = "rep"
	// RoleBackoffice makes specifications, invoices and shipment documents on any deal.
	RoleBackoffice Role = "backoffice"
	// RoleAuditor reads everything and changes nothing.
	RoleAuditor Role = "auditor"
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleAdmin, RoleManager, RoleRep, RoleBackoffice, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Actor is the person (or token) acting.
type Actor struct {
	ID   int64
	Role Role
}

// DocumentKind is a standard document kind; the keys are part of the API.
type DocumentKind string

// Document kinds of DESIGN.md.
const (
	DocMeetingReport        DocumentKind = "meeting_report"
	DocProposal             DocumentKind = "proposal"
	DocClientCard           DocumentKind = "client_card"
	DocContract             DocumentKind = "contract"
	DocSpecification        DocumentKind = "specification"
	DocProductionSchedule   DocumentKind = "production_schedule"
	DocInvoice              DocumentKind = "invoice"
	DocUPD                  DocumentKind = "upd"
	DocRecommendationLetter DocumentKind = "recommendation_letter"
)

// DocumentKinds lists every document kind in pipeline order.
var DocumentKinds = []DocumentKind{DocMeetingReport, DocProposal, DocClientCard, DocContract,
	DocSpecification, DocProductionSchedule, DocInvoice, DocUPD, DocRecommendationLetter}

// Valid reports whether k is a known document kind.
func (k DocumentKind) Valid() bool {
	for _, x := range DocumentKinds {
		if x == k {
			return true
		}
	}
	return false
}

// DocumentNames holds the Russian and English names of each document kind.
var DocumentNames = map[DocumentKind][2]string{
	DocMeetingReport:        {"Отчёт о встрече", "Meeting report"},
	DocProposal:             {"Коммерческое предложение", "Commercial proposal"},
	DocClientCard:           {"Карта клиента", "Client card"},
	DocContract:             {"Договор поставки", "Supply contract"},
	DocSpecification:        {"Спецификация", "Specification"},
	DocProductionSchedule:   {"График производства", "Production schedule"},
	DocInvoice:              {"Счёт на оплату", "Invoice"},
	DocUPD:                  {"УПД (счёт-фактура и передаточный документ)", "UPD (VAT invoice and delivery note)"},
	DocRecommendationLetter: {"Рекомендательное письмо", "Recommendation letter"},
}

// ActivityKind is a counted action of a rep.
type ActivityKind string

// Activity kinds; the keys are part of the API.
const (
	ActivityCall    ActivityKind = "call"
	ActivityMeeting ActivityKind = "meeting"
	ActivityEmail   ActivityKind = "email"
	ActivityOther   ActivityKind = "other"
)

// ActivityKinds lists every activity kind.
var ActivityKinds = []ActivityKind{ActivityCall, ActivityMeeting, ActivityEmail, ActivityOther}

// Valid reports whether k is a known activity kind.
func (k ActivityKind) Valid() bool {
	for _, x := range ActivityKinds {
		if x == k {
			return true
		}
	}
	return false
}

// ActivityNames holds the Russian and English names of each activity kind.
var ActivityNames = map[ActivityKind][2]string{
	ActivityCall:    {"звонок", "call"},
	ActivityMeeting: {"встреча", "meeting"},
	ActivityEmail:   {"письмо", "email"},
	ActivityOther:   {"другое действие", "other activity"},
}

// FactKind is something the deal has learned.
type FactKind string

// Fact kinds; the keys are part of the API.
const (
	FactNeeds          FactKind = "needs"
	FactDecisionMakers FactKind = "decision_makers"
	FactTender         FactKind = "tender"
	FactPayment        FactKind = "payment"
	FactShipment       FactKind = "shipment"
	FactFeedback       FactKind = "feedback"
)

// FactKinds lists every fact kind.
var FactKinds = []FactKind{FactNeeds, FactDecisionMakers, FactTender, FactPayment, FactShipment, FactFeedback}

// Valid reports whether k is a known fact kind.
func (k FactKind) Valid() bool {
	for _, x := range FactKinds {
		if x == k {
			return true
		}
	}
	return false
}

// FactNames holds the Russian and English names of each fact kind.
var FactNames = map[FactKind][2]string{
	FactNeeds:          {"потребности клиента", "client needs"},
	FactDecisionMakers: {"лица, принимающие решение (ЦПР)", "decision makers"},
	FactTender:         {"итог тендера", "tender outcome"},
	FactPayment:        {"поступление оплаты", "payment received"},
	FactShipment:       {"отгрузка", "shipment"},
	FactFeedback:       {"обратная связь клиента", "client feedback"},
}

// Status is the life state of a deal.
type Status string

// Deal statuses. A deal is created open; win (last stage) and lose (any stage) close it.
const (
	StatusOpen Status = "open"
	StatusWon  Status = "won"
	StatusLost Status = "lost"
)

// Deal is one sale moving through a pipeline.
type Deal struct {
	ID             int64
	CompanyID      int64
	OwnerID        int64
	Title          string
	Amount         Money // turnover, excl. VAT
	Cost           Money // cost of goods and direct costs, so profit = Amount - Cost
	Currency       string
	PipelineID     int64 // the pipeline version the deal started on
	Stage          string
	Status         Status
	LostReason     string
	Version        int64 // optimistic lock: every change increments it
	StageEnteredAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       *time.Time
}

// Validate checks the fields a caller sets when creating a deal.
func (d *Deal) Validate() error {
	switch {
	case d.CompanyID <= 0:
		return Invalid("company_id", "company_id is required")
	case len([]rune(d.Title)) == 0:
		return Invalid("title", "title is required")
	case len([]rune(d.Title)) > 300:
		return Invalid("title", "title is longer than 300 characters")
	case d.Amount < 0 || d.Amount > MaxMoney:
		return Invalid("amount", "amount must be between 0 and %s", MaxMoney)
	case d.Cost < 0 || d.Cost > MaxMoney:
		return Invalid("cost", "cost must be between 0 and %s", MaxMoney)
	}
	switch d.Currency {
	case "RUB", "USD", "EUR", "CNY":
	default:
		return Invalid("currency", "currency must be one of RUB, USD, EUR, CNY")
	}
	return nil
}
