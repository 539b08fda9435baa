package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// The auditor's pages, read-only: find any deal; its trail as a timeline — every event with
// its actor, time and hash, every document version with number, hashes, template versions,
// who and when; the result of the chain verification; the evidence bundle to download.
//
// The trail and the verification come from the audit service's API (GET
// /api/v1/deals/{id}/trail and …/verify), called inside the server with the auditor's own
// session, so that the audit package's access rules and its log of who read what apply to the
// pages too. On a server without the audit routes the page shows the events and documents
// straight from the store and says that verification is not available.
//
//	GET /audit              search: deal number, title, client name or INN
//	GET /audit/deals/{id}   the trail, the verification and the downloads
func (w *Web) auditRoutes(g *echo.Group) {
	readers := api.RequireRole(auditReaders...)
	g.GET("/audit", w.handleAuditSearch, readers)
	g.GET("/audit/deals/:id", w.handleAuditDeal, readers)
}

// auditRow is a deal in the search result.
type auditRow struct {
	Deal    workflow.Deal
	Company string
	Owner   string
}

type auditSearchPage struct {
	Query string
	Rows  []auditRow
	Total int
}

func (w *Web) handleAuditSearch(c echo.Context) error {
	ctx := c.Request().Context()
	q := strings.TrimSpace(c.QueryParam("q"))
	page := auditSearchPage{Query: q}
	if id, err := strconv.ParseInt(strings.TrimPrefix(q, "№"), 10, 64); err == nil && id > 0 && len(q) < 10 {
		if _, err := w.store.FindDealByID(ctx, id); err == nil {
			return c.Redirect(http.StatusSeeOther, "/audit/deals/"+strconv.FormatInt(id, 10))
		}
	}
	deals, _, err := w.store.FindDeals(ctx, storage.DealFilter{Limit: 1000})
	if err != nil {
		return err
	}
	companies := map[int64]storage.Company{}
	owners := map[int64]string{}
	needle := strings.ToLower(q)
	for _, d := range deals {
		co, ok := companies[d.CompanyID]
		if !ok {
			co, _ = w.store.FindCompanyByID(ctx, d.CompanyID)
			companies[d.CompanyID] = co
		}
		if needle != "" && !strings.Contains(strings.ToLower(d.Title), needle) && !strings.Contains(strings.ToLower(co.Name), needle) && !strings.Contains(co.INN, needle) {
			continue
		}
		page.Total++
		if len(page.Rows) >= 200 {
			continue
		}
		if _, ok := owners[d.OwnerID]; !ok {
			if u, err := w.store.FindUserByID(ctx, d.OwnerID); err == nil {
				owners[d.OwnerID] = firstNonEmpty(u.Name, u.Email)
			}
		}
		page.Rows = append(page.Rows, auditRow{Deal: d, Company: co.Name, Owner: owners[d.OwnerID]})
	}
	return w.render(c, http.StatusOK, "audit", translate(w.uiLang(c), "audit.title"), page)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// trailJSON is the part of the audit API's trail the page shows.
type trailJSON struct {
	Events []struct {
		Seq        int64           `json:"seq"`
		Kind       string          `json:"kind"`
		Action     string          `json:"action"`
		From       string          `json:"from"`
		To         string          `json:"to"`
		ActorID    int64           `json:"actor_id"`
		Actor      string          `json:"actor"`
		Reason     string          `json:"reason"`
		At         string          `json:"at"`
		Payload    json.RawMessage `json:"payload"`
		PrevHash   string          `json:"prev_hash"`
		Hash       string          `json:"hash"`
		DocumentID int64           `json:"document_id"`
	} `json:"events"`
	Documents []struct {
		ID            int64                 `json:"id"`
		Kind          string                `json:"kind"`
		Number        string                `json:"number"`
		Version       int                   `json:"version"`
		Status        string                `json:"status"`
		SupersedesID  *int64                `json:"supersedes_id"`
		SupersededBy  *int64                `json:"superseded_by"`
		DataSHA256    string                `json:"data_sha256"`
		PDFSHA256     string                `json:"pdf_sha256"`
		DOCXSHA256    string                `json:"docx_sha256"`
		Templates     []storage.TemplateRef `json:"templates"`
		CreatedByName string                `json:"created_by_name"`
		CreatedAt     time.Time             `json:"created_at"`
		FinalisedAt   *time.Time            `json:"finalised_at"`
		EventSeq      int64                 `json:"event_seq"`
		SignedCopies  []struct {
			ID       int64  `json:"id"`
			Filename string `json:"filename"`
			SHA256   string `json:"sha256"`
		} `json:"signed_copies"`
	} `json:"documents"`
	Logged *struct {
		CheckpointSize uint64 `json:"checkpoint_size"`
		Seq            int64  `json:"seq"`
	} `json:"logged"`
}

// verifyJSON is the part of the audit API's verification report the page shows.
type verifyJSON struct {
	OK          bool           `json:"ok"`
	CheckedAt   string         `json:"checked_at"`
	Events      int            `json:"events"`
	Documents   int            `json:"documents"`
	Files       int            `json:"files_checked"`
	Rerender    string         `json:"rerender"`
	FirstBroken *auditProblem  `json:"first_broken"`
	Problems    []auditProblem `json:"problems"`
	Notes       []string       `json:"notes"`
	Checkpoint  *struct {
		Size      uint64 `json:"size"`
		Covered   int    `json:"covered_events"`
		Uncovered int    `json:"uncovered_events"`
	} `json:"checkpoint"`
}

type auditProblem struct {
	Code       string `json:"code"`
	EventSeq   int64  `json:"event_seq"`
	DocumentID int64  `json:"document_id"`
	File       string `json:"file"`
	Expected   string `json:"expected"`
	Found      string `json:"found"`
	Message    string `json:"message"`
}

// auditEvent is a timeline entry.
type auditEvent struct {
	Seq               int64
	Kind, Action      string
	From, To          string
	Actor, Reason, At string
	Hash, PrevHash    string
	DocumentID        int64
	DocLabel          string
	Note              string
}

// auditDoc is a document version of the trail.
type auditDoc struct {
	ID                       int64
	Kind                     workflow.DocumentKind
	Number, Status           string
	Version                  int
	DataSHA, PDFSHA, DOCXSHA string
	Templates                []storage.TemplateRef
	By                       string
	CreatedAt                time.Time
	FinalisedAt              *time.Time
	EventSeq                 int64
	SupersededBy             *int64
	Signed                   int
}

type auditDealPage struct {
	Deal       workflow.Deal
	Company    storage.Company
	Owner      string
	Stages     map[string]workflow.Names
	Events     []auditEvent
	Docs       []auditDoc
	FromAPI    bool // the trail came from the audit service
	Verify     *verifyJSON
	VerifyNote string // why there is no verification
	Logged     string
}

func (w *Web) handleAuditDeal(c echo.Context) error {
	deal, err := w.pageDeal(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	lang := w.uiLang(c)
	page := auditDealPage{Deal: deal, Stages: map[string]workflow.Names{}}
	if page.Company, err = w.store.FindCompanyByID(ctx, deal.CompanyID); err != nil {
		return err
	}
	if u, err := w.store.FindUserByID(ctx, deal.OwnerID); err == nil {
		page.Owner = firstNonEmpty(u.Name, u.Email)
	}
	if p, err := w.store.PipelineByID(ctx, deal.PipelineID); err == nil {
		for _, st := range p.Stages {
			page.Stages[st.Key] = st.Name
		}
	}
	base := "/api/v1/deals/" + strconv.FormatInt(deal.ID, 10)
	var trail trailJSON
	status, err := w.apiGet(c, base+"/trail", &trail)
	if err != nil {
		return err
	}
	switch status {
	case http.StatusOK:
		page.FromAPI = true
		numbers := map[int64]string{}
		for _, d := range trail.Documents {
			page.Docs = append(page.Docs, auditDoc{ID: d.ID, Kind: workflow.DocumentKind(d.Kind), Number: d.Number, Status: d.Status, Version: d.Version,
				DataSHA: d.DataSHA256, PDFSHA: d.PDFSHA256, DOCXSHA: d.DOCXSHA256, Templates: d.Templates, By: d.CreatedByName, CreatedAt: d.CreatedAt,
				FinalisedAt: d.FinalisedAt, EventSeq: d.EventSeq, SupersededBy: d.SupersededBy, Signed: len(d.SignedCopies)})
			numbers[d.ID] = docName(lang, workflow.DocumentKind(d.Kind)) + " № " + d.Number + " v" + strconv.Itoa(d.Version)
		}
		for _, e := range trail.Events {
			page.Events = append(page.Events, auditEvent{Seq: e.Seq, Kind: e.Kind, Action: e.Action, From: e.From, To: e.To, Actor: e.Actor,
				Reason: e.Reason, At: e.At, Hash: e.Hash, PrevHash: e.PrevHash, DocumentID: e.DocumentID, DocLabel: numbers[e.DocumentID], Note: payloadNote(e.Kind, e.Payload)})
		}
		if trail.Logged != nil {
			page.Logged = strconv.FormatUint(trail.Logged.CheckpointSize, 10) + "/" + strconv.FormatInt(trail.Logged.Seq, 10)
		}
	case http.StatusNotFound:
		// No audit routes on this server: the trail from the store.
		if err := w.trailFromStore(c, &page); err != nil {
			return err
		}
	default:
		return &workflow.Error{Code: workflow.EUNAVAILABLE, Message: "the audit trail is not available"}
	}
	if page.FromAPI {
		var rep verifyJSON
		status, err := w.apiGet(c, base+"/verify", &rep)
		if err != nil {
			return err
		}
		if status == http.StatusOK {
			page.Verify = &rep
		} else {
			page.VerifyNote = pickLang(lang, "проверка цепочки не выполнена (ответ "+strconv.Itoa(status)+")", "the chain check did not run (status "+strconv.Itoa(status)+")")
		}
	} else {
		page.VerifyNote = pickLang(lang, "на этом сервере нет службы аудита: проверка цепочки и пакет доказательств недоступны", "this server runs without the audit service: no chain check and no evidence bundle")
	}
	return w.render(c, http.StatusOK, "audit_deal", translate(lang, "audit.trail")+" — "+deal.Title, page)
}

// trailFromStore fills the timeline from the store (servers without the audit service).
func (w *Web) trailFromStore(c echo.Context, page *auditDealPage) error {
	ctx := c.Request().Context()
	lang := w.uiLang(c)
	events, err := w.store.FindEvents(ctx, page.Deal.ID)
	if err != nil {
		return err
	}
	docs, err := w.store.FindDocuments(ctx, storage.DocumentFilter{DealID: &page.Deal.ID})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	name := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		if u, err := w.store.FindUserByID(ctx, id); err == nil {
			names[id] = firstNonEmpty(u.Name, u.Email)
		}
		return names[id]
	}
	labels := map[int64]string{}
	for _, d := range docs {
		if d.Status == storage.DocDraft {
			continue
		}
		page.Docs = append(page.Docs, auditDoc{ID: d.ID, Kind: d.Kind, Number: d.Number, Status: string(d.Status), Version: d.Version, DataSHA: d.DataSHA256,
			PDFSHA: d.PDFSHA256, DOCXSHA: d.DOCXSHA256, Templates: d.Templates, By: name(d.CreatedBy), CreatedAt: d.CreatedAt, FinalisedAt: d.FinalisedAt})
		labels[d.ID] = docName(lang, d.Kind) + " № " + d.Number + " v" + strconv.Itoa(d.Version)
	}
	for _, e := range events {
		ae := auditEvent{Seq: e.Seq, Kind: string(e.Kind), Action: string(e.Action), From: e.FromStage, To: e.ToStage, Actor: name(e.ActorID), Reason: e.Reason,
			At: e.At.UTC().Format(time.RFC3339), Hash: e.Hash, PrevHash: e.PrevHash, Note: payloadNote(string(e.Kind), e.Payload)}
		var p struct {
			DocumentID int64 `json:"document_id"`
		}
		if json.Unmarshal(e.Payload, &p) == nil && p.DocumentID != 0 {
			ae.DocumentID, ae.DocLabel = p.DocumentID, labels[p.DocumentID]
		}
		page.Events = append(page.Events, ae)
	}
	sort.Slice(page.Events, func(i, j int) bool { return page.Events[i].Seq < page.Events[j].Seq })
	return nil
}

// payloadNote is a short human reading of an event's payload (an activity's note, a fact's
// amount or text).
func payloadNote(kind string, payload json.RawMessage) string {
	if len(payload) == 0 {
		return ""
	}
	var p map[string]any
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	var parts []string
	for _, k := range []string{"note", "text", "amount", "date", "outcome", "filename"} {
		if v, ok := p[k].(string); ok && v != "" {
			parts = append(parts, v)
		}
	}
	if d, ok := p["data"].(map[string]any); ok {
		for _, k := range []string{"text", "amount", "date", "outcome"} {
			if v, ok := d[k].(string); ok && v != "" {
				parts = append(parts, v)
			}
		}
	}
	return strings.Join(parts, " · ")
}

// apiGet runs a GET of the server's own API with the caller's credentials and decodes a 200
// answer into v. It returns the status.
func (w *Web) apiGet(c echo.Context, path string, v any) (int, error) {
	req, err := http.NewRequestWithContext(c.Request().Context(), http.MethodGet, path, nil)
	if err != nil {
		return 0, err
	}
	req.RemoteAddr = c.Request().RemoteAddr
	req.Header.Set("Accept", "application/json")
	for _, h := range []string{"Cookie", echo.HeaderAuthorization} {
		if x := c.Request().Header.Get(h); x != "" {
			req.Header.Set(h, x)
		}
	}
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	w.srv.Handler().ServeHTTP(rec, req)
	if rec.status == http.StatusOK && v != nil {
		if err := json.Unmarshal(rec.body.Bytes(), v); err != nil {
			return 0, err
		}
	}
	return rec.status, nil
}

// bufferedResponse collects a response in memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *bufferedResponse) Header() http.Header { return r.header }
func (r *bufferedResponse) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}
func (r *bufferedResponse) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
