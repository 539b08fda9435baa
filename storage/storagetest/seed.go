package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// User is a stored user with an API token of its own.
type User struct {
	storage.User
	Token string
}

// Fixture is a seeded database: the default pipeline, one user of every role (two reps) and a
// valid client company owned by Rep1.
type Fixture struct {
	Store      *storage.Store
	Pipeline   *workflow.Pipeline
	Admin      User
	Manager    User
	Rep1       User
	Rep2       User
	Backoffice User
	Auditor    User
	Company    storage.Company // owned by Rep1, requisites valid
}

// Seed stores the default pipeline, the users and Rep1's company.
func Seed(tb testing.TB, st *storage.Store) *Fixture {
	tb.Helper()
	f := &Fixture{Store: st, Pipeline: SavePipeline(tb, st, templates.DefaultPipeline())}
	f.Admin = CreateUser(tb, st, "admin@example.ru", workflow.RoleAdmin)
	f.Manager = CreateUser(tb, st, "manager@example.ru", workflow.RoleManager)
	f.Rep1 = CreateUser(tb, st, "rep1@example.ru", workflow.RoleRep)
	f.Rep2 = CreateUser(tb, st, "rep2@example.ru", workflow.RoleRep)
	f.Backoffice = CreateUser(tb, st, "backoffice@example.ru", workflow.RoleBackoffice)
	f.Auditor = CreateUser(tb, st, "auditor@example.ru", workflow.RoleAuditor)
	f.Company = CreateCompany(tb, st, f.Rep1.ID)
	return f
}

// SavePipeline stores a pipeline document (templates.DefaultPipeline() for the default).
func SavePipeline(tb testing.TB, st *storage.Store, src []byte) *workflow.Pipeline {
	tb.Helper()
	p, err := st.SavePipeline(context.Background(), src, nil)
	if err != nil {
		tb.Fatalf("storagetest: save pipeline: %v", err)
	}
	return p
}

// CreateUser stores a user of the role and issues an API token for it.
func CreateUser(tb testing.TB, st *storage.Store, email string, role workflow.Role) User {
	tb.Helper()
	ctx := context.Background()
	u, err := st.CreateUser(ctx, storage.User{Email: email, Name: string(role) + " " + email, Role: role})
	if err != nil {
		tb.Fatalf("storagetest: create user %s: %v", email, err)
	}
	token, _, err := st.CreateToken(ctx, u.ID, "test")
	if err != nil {
		tb.Fatalf("storagetest: create token for %s: %v", email, err)
	}
	return User{User: u, Token: token}
}

// Requisites of a real-looking client (the checksum-valid numbers of DESIGN.md and the
// contract smoke test).
const (
	INN         = "7707083893"
	KPP         = "773601001"
	OGRN        = "1027700132195"
	BIK         = "044525225"
	CorrAccount = "30101810400000000225"
	Account     = "40702810938000012345"
)

// CompanyRequisites is a client company with valid requisites, as the API receives it.
func CompanyRequisites() requisites.Company {
	return requisites.Company{Name: "ООО «Ромашка»", INN: INN, KPP: KPP, OGRN: OGRN,
		Address: "г. Москва, ул. Вавилова, д. 19", BankName: "ПАО Сбербанк", BIK: BIK, CorrAccount: CorrAccount, Account: Account}
}

// ValidCompany returns the company of CompanyRequisites owned by ownerID, with Valid set
// after checking the requisites with documents/requisites (so the numbers above cannot rot
// silently).
func ValidCompany(tb testing.TB, ownerID int64) storage.Company {
	tb.Helper()
	rq := CompanyRequisites()
	if errs := rq.Validate(); len(errs) > 0 {
		tb.Fatalf("storagetest: the seed requisites are invalid: %v", errs)
	}
	return storage.Company{OwnerID: ownerID, Name: rq.Name, INN: rq.INN, KPP: rq.KPP, OGRN: rq.OGRN, Address: rq.Address,
		BankName: rq.BankName, BIK: rq.BIK, CorrAccount: rq.CorrAccount, Account: rq.Account, Valid: true}
}

// CreateCompany stores ValidCompany for the owner.
func CreateCompany(tb testing.TB, st *storage.Store, ownerID int64) storage.Company {
	tb.Helper()
	c, err := st.CreateCompany(context.Background(), ValidCompany(tb, ownerID))
	if err != nil {
		tb.Fatalf("storagetest: create company: %v", err)
	}
	return c
}

// CreateDeal stores a deal on the company for owner, at the pipeline's first stage.
func CreateDeal(tb testing.TB, st *storage.Store, p *workflow.Pipeline, companyID int64, owner User, title string) workflow.Deal {
	tb.Helper()
	d, err := st.CreateDeal(context.Background(), p, workflow.Deal{CompanyID: companyID, OwnerID: owner.ID, Title: title,
		Amount: 1_500_000_00, Cost: 1_100_000_00, Currency: "RUB"}, owner.Actor())
	if err != nil {
		tb.Fatalf("storagetest: create deal %q: %v", title, err)
	}
	return d
}

// CreateDeals stores n deals like CreateDeal in one transaction (fast set-up for benchmarks).
func CreateDeals(tb testing.TB, st *storage.Store, p *workflow.Pipeline, companyID int64, owner User, n int) []workflow.Deal {
	tb.Helper()
	out := make([]workflow.Deal, 0, n)
	err := st.InTx(context.Background(), func(ctx context.Context) error {
		for i := range n {
			d, err := st.CreateDeal(ctx, p, workflow.Deal{CompanyID: companyID, OwnerID: owner.ID, Title: fmt.Sprintf("Сделка %d", i+1),
				Amount: 1_500_000_00, Cost: 1_100_000_00, Currency: "RUB"}, owner.Actor())
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("storagetest: create %d deals: %v", n, err)
	}
	return out
}

// InsertFinalDocument inserts a final document of the kind on the deal straight into the
// documents table (the document service is not part of these tests) and returns its id.
func InsertFinalDocument(tb testing.TB, st *storage.Store, dealID int64, kind workflow.DocumentKind, createdBy int64) int64 {
	tb.Helper()
	now := st.Now().UTC()
	var id int64
	err := st.DB().Raw(`INSERT INTO documents (deal_id, kind, status, data, created_by, created_at, finalised_at)
		VALUES (?, ?, 'final', '{}', ?, ?, ?) RETURNING id`, dealID, string(kind), createdBy, now, now).Scan(&id).Error
	if err != nil || id == 0 {
		tb.Fatalf("storagetest: insert %s document: id %d, %v", kind, id, err)
	}
	return id
}

// ProvideEvidence stores what the default pipeline's stage asks for before a deal may leave
// it: documents (inserted as final), activities and facts. For "research" the seeded company
// is already valid and nothing is added. It returns how many events the additions appended
// (documents inserted directly append none).
func ProvideEvidence(tb testing.TB, st *storage.Store, dealID int64, stage string, actor workflow.Actor) int {
	tb.Helper()
	ctx := context.Background()
	events := 0
	doc := func(k workflow.DocumentKind) { InsertFinalDocument(tb, st, dealID, k, actor.ID) }
	act := func(k workflow.ActivityKind, dm bool) {
		if _, err := st.AddActivity(ctx, storage.Activity{DealID: dealID, Kind: k, Note: "для этапа " + stage, DecisionMaker: dm}, actor); err != nil {
			tb.Fatalf("storagetest: add %s activity at %s: %v", k, stage, err)
		}
		events++
	}
	fact := func(k workflow.FactKind, data string) {
		if _, err := st.AddFact(ctx, storage.Fact{DealID: dealID, Kind: k, Data: json.RawMessage(data)}, actor); err != nil {
			tb.Fatalf("storagetest: add %s fact at %s: %v", k, stage, err)
		}
		events++
	}
	switch stage {
	case "research":
	case "cold_call":
		act(workflow.ActivityCall, false)
	case "meeting":
		doc(workflow.DocMeetingReport)
	case "needs":
		fact(workflow.FactNeeds, `{"summary":"компрессоры 3 шт."}`)
	case "proposal":
		doc(workflow.DocProposal)
	case "dmu":
		fact(workflow.FactDecisionMakers, `{"names":["Иванов И. И."]}`)
	case "client_card":
		doc(workflow.DocClientCard)
	case "negotiation":
		act(workflow.ActivityMeeting, true)
	case "tender":
		fact(workflow.FactTender, `{"outcome":"won"}`)
	case "contract":
		doc(workflow.DocContract)
	case "specification":
		doc(workflow.DocSpecification)
	case "payment":
		doc(workflow.DocInvoice)
		fact(workflow.FactPayment, `{"amount":"1500000.00","date":"2026-03-01"}`)
	case "production":
		doc(workflow.DocProductionSchedule)
	case "shipment":
		doc(workflow.DocUPD)
		fact(workflow.FactShipment, `{"date":"2026-04-01"}`)
	case "feedback":
		doc(workflow.DocRecommendationLetter)
	default:
		tb.Fatalf("storagetest: no evidence recipe for stage %q", stage)
	}
	return events
}
