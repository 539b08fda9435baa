package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// Settings keys.
const (
	SettingSeller    = "seller"
	SettingNumbering = "numbering"
)

// Who prepares which documents: reps the sales documents, the back office the
// accounting and shipping ones; managers and admins all of them.
var (
	repKinds = []workflow.DocumentKind{workflow.DocMeetingReport, workflow.DocProposal, workflow.DocClientCard,
		workflow.DocContract, workflow.DocRecommendationLetter}
	backofficeKinds = []workflow.DocumentKind{workflow.DocSpecification, workflow.DocProductionSchedule,
		workflow.DocInvoice, workflow.DocUPD}
)

// DocumentKindsFor lists the kinds a role may prepare.
func DocumentKindsFor(r workflow.Role) []workflow.DocumentKind {
	switch r {
	case workflow.RoleRep:
		return repKinds
	case workflow.RoleBackoffice:
		return backofficeKinds
	case workflow.RoleAdmin, workflow.RoleManager:
		return workflow.DocumentKinds
	}
	return nil
}

func mayPrepare(r workflow.Role, k workflow.DocumentKind) bool {
	for _, x := range DocumentKindsFor(r) {
		if x == k {
			return true
		}
	}
	return false
}

// DocumentService prepares, finalises and serves documents. It is what the API and the web
// pages share.
type DocumentService struct {
	Store    *storage.Store
	Renderer *documents.Renderer
	// Now is the clock (documents are dated today unless their data says otherwise).
	Now func() time.Time
}

// NewDocumentService returns a service rendering with templates from the store (the active
// uploaded version of each kind, else the shipped one).
func NewDocumentService(st *storage.Store) (*DocumentService, error) {
	r, err := documents.NewRenderer(StoreTemplates{Store: st})
	if err != nil {
		return nil, err
	}
	return &DocumentService{Store: st, Renderer: r, Now: time.Now}, nil
}

// StoreTemplates is the storage-backed template source.
type StoreTemplates struct{ Store *storage.Store }

// Active returns the active uploaded template of kind and format, or the shipped one.
func (s StoreTemplates) Active(ctx context.Context, k workflow.DocumentKind, f documents.Format) (documents.TemplateFile, error) {
	t, err := s.Store.ActiveTemplate(ctx, k, string(f))
	if err != nil {
		if workflow.Code(err) == workflow.ENOTFOUND {
			return documents.Builtin(k, f)
		}
		return documents.TemplateFile{}, err
	}
	return s.load(ctx, t)
}

// ByID returns a stored template version (0: the shipped one).
func (s StoreTemplates) ByID(ctx context.Context, k workflow.DocumentKind, f documents.Format, id int64) (documents.TemplateFile, error) {
	if id == 0 {
		return documents.Builtin(k, f)
	}
	t, err := s.Store.FindTemplateByID(ctx, id)
	if err != nil {
		return documents.TemplateFile{}, err
	}
	return s.load(ctx, t)
}

func (s StoreTemplates) load(ctx context.Context, t storage.StoredTemplate) (documents.TemplateFile, error) {
	b, err := s.Store.Blobs().Get(ctx, t.SHA256)
	if err != nil {
		return documents.TemplateFile{}, err
	}
	return documents.TemplateFile{Kind: t.Kind, Format: documents.Format(t.Format), ID: t.ID, Version: t.Version, SHA256: t.SHA256,
		Name: fmt.Sprintf("%s v%d (%s)", t.Kind, t.Version, t.Filename), Bytes: b}, nil
}

// Seller returns our company's profile (the seller in every document).
func (ds *DocumentService) Seller(ctx context.Context) (documents.Party, error) {
	var p documents.Party
	_, err := ds.Store.GetSetting(ctx, SettingSeller, &p)
	return p, err
}

// NumberFormat returns the number format of kind (custom or default).
func (ds *DocumentService) NumberFormat(ctx context.Context, k workflow.DocumentKind) (documents.NumberFormat, error) {
	custom := map[string]string{}
	if _, err := ds.Store.GetSetting(ctx, SettingNumbering, &custom); err != nil {
		return documents.NumberFormat{}, err
	}
	if s, ok := custom[string(k)]; ok && s != "" {
		return documents.ParseNumberFormat(s)
	}
	f, ok := documents.DefaultNumberFormat(k)
	if !ok {
		return documents.NumberFormat{}, fmt.Errorf("no number format for %s", k)
	}
	return f, nil
}

// Prefill returns new data for kind, started from what the deal already knows.
func (ds *DocumentService) Prefill(ctx context.Context, d workflow.Deal, k workflow.DocumentKind) (documents.Data, error) {
	seller, err := ds.Seller(ctx)
	if err != nil {
		return nil, err
	}
	co, err := ds.Store.FindCompanyByID(ctx, d.CompanyID)
	if err != nil {
		return nil, err
	}
	in := documents.PrefillInput{Seller: seller, DealTitle: d.Title, Amount: d.Amount, Currency: d.Currency, Today: ds.Now(),
		Previous: map[workflow.DocumentKind]documents.Data{}}
	in.Buyer.Name, in.Buyer.INN, in.Buyer.KPP, in.Buyer.OGRN, in.Buyer.Address = co.Name, co.INN, co.KPP, co.OGRN, co.Address
	in.Buyer.BankName, in.Buyer.BIK, in.Buyer.CorrAccount, in.Buyer.Account = co.BankName, co.BIK, co.CorrAccount, co.Account
	if owner, err := ds.Store.FindUserByID(ctx, d.OwnerID); err == nil {
		in.Rep.Name, in.Rep.Email = owner.Name, owner.Email
	}
	latest, err := ds.Store.LatestFinal(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	for kind, doc := range latest {
		data, err := documents.Decode(kind, doc.Data)
		if err == nil {
			in.Previous[kind] = data
		}
	}
	return documents.Prefill(k, in), nil
}

// Decode validates document data; final documents of kinds with stricter rules (the client
// card must be complete) are checked by those rules.
func decodeDocument(k workflow.DocumentKind, raw []byte, final bool) (documents.Data, error) {
	d, err := documents.Decode(k, raw)
	if err != nil {
		return nil, err
	}
	if fv, ok := d.(documents.FinalValidator); ok && final {
		if err := fv.ValidateFinal(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Finalise stores d as a final document of the deal (a new one, a finalised draft, or a
// correction superseding a final one), allocating its number, rendering its PDF and DOCX and
// appending its event, all in one transaction.
func (ds *DocumentService) Finalise(ctx context.Context, dealID int64, d documents.Data, draftID, supersedesID int64, actor workflow.Actor) (storage.Document, error) {
	k := d.Kind()
	return ds.Store.Finalise(ctx, storage.FinaliseRequest{DealID: dealID, Kind: k, DraftID: draftID, SupersedesID: supersedesID, Actor: actor,
		Settings: []string{SettingNumbering},
		Prepare: func(ctx context.Context, num *storage.Numbering, previous *storage.Document) (storage.Rendered, error) {
			var r storage.Rendered
			nf, err := ds.NumberFormat(ctx, k)
			if err != nil {
				return r, err
			}
			_, date := d.Header()
			if date.IsZero() {
				date = ds.Now()
			}
			scope, year := documents.ScopeOf(d), date.Year()
			if previous == nil && documents.CounterScope(k) == documents.ScopeContract {
				if scope == "" {
					return r, workflow.Invalid("contract.number", "a specification is numbered within its contract: the contract number is required")
				}
				year = 0
			}
			// The lookups read the database, which one transaction cannot do from two
			// goroutines, so they come before the renders. They see the data: a УПД of the
			// ТОРГ-12 profile takes the shipped ТОРГ-12 DOCX (Renderer.TemplateFor).
			formats := []documents.Format{documents.PDF, documents.DOCX}
			tfs := make([]documents.TemplateFile, len(formats))
			for i, f := range formats {
				var err error
				if tfs[i], err = ds.Renderer.TemplateFor(ctx, d, f); err != nil {
					return r, fmt.Errorf("render %s: %w", f, err)
				}
			}
			// From the allocation of the number to the commit, every other document of the
			// sequence waits on its counter row. So the files are rendered before, with the
			// number the sequence will most likely give (num.Guess), and again after the
			// allocation only if it gave another one.
			number := func(seq int64) {
				r.Number, r.Seq, r.Scope, r.Year = nf.Format(seq, date.Year(), scope), seq, scope, year
			}
			rendered := false
			switch {
			case previous != nil:
				r.Number, r.Seq, r.Scope, r.Year = previous.Number, previous.Seq, previous.NumberScope, previous.NumberYear
			default:
				if guess, ok := num.Guess(scope, year); ok {
					number(guess)
					if err := ds.renderAll(&r, d, date, tfs); err != nil {
						return r, err
					}
					rendered = true
				}
				seq, err := num.Next(scope, year)
				if err != nil {
					return r, err
				}
				if rendered && seq != r.Seq {
					rendered = false
				}
				number(seq)
			}
			if !rendered {
				if err := ds.renderAll(&r, d, date, tfs); err != nil {
					return r, err
				}
			}
			return r, nil
		}})
}

// renderAll sets r's number in d and renders d's files with the templates tfs (PDF then DOCX),
// the two files and the canonical data at once (all three only read d), into r.
func (ds *DocumentService) renderAll(r *storage.Rendered, d documents.Data, date time.Time, tfs []documents.TemplateFile) error {
	d.SetNumber(r.Number, date)
	var (
		outs      [][]byte
		renderErr error
		wg        sync.WaitGroup
	)
	wg.Go(func() { outs, renderErr = ds.Renderer.RenderEach(d, tfs, documents.RenderOptions{}) })
	data, canonErr := workflow.CanonicalJSON(d)
	wg.Wait()
	if renderErr != nil {
		return renderErr
	}
	if canonErr != nil {
		return canonErr
	}
	r.Templates = r.Templates[:0]
	for _, tf := range tfs {
		r.Templates = append(r.Templates, storage.TemplateRef{Format: string(tf.Format), ID: tf.ID, Version: tf.Version, SHA256: tf.SHA256, Name: tf.Name})
	}
	r.Data, r.PDF, r.DOCX = data, outs[0], outs[1]
	return nil
}

// Rerender renders a stored document again from its recorded data and template versions, for
// verification. It returns the PDF and DOCX bytes.
func (ds *DocumentService) Rerender(ctx context.Context, doc storage.Document) (pdf, docx []byte, err error) {
	d, err := documents.Decode(doc.Kind, doc.Data)
	if err != nil {
		return nil, nil, err
	}
	for _, ref := range doc.Templates {
		src := StoreTemplates{Store: ds.Store}
		var tf documents.TemplateFile
		if ref.ID == 0 {
			// A shipped template: the very file the record names (upd.docx, or upd-torg12.docx
			// for a УПД of the ТОРГ-12 profile).
			tf, err = documents.BuiltinNamed(doc.Kind, documents.Format(ref.Format), ref.Name)
		} else {
			tf, err = src.ByID(ctx, doc.Kind, documents.Format(ref.Format), ref.ID)
		}
		if err != nil {
			return nil, nil, err
		}
		out, err := ds.Renderer.RenderWith(d, tf, documents.RenderOptions{})
		if err != nil {
			return nil, nil, err
		}
		if ref.Format == string(documents.PDF) {
			pdf = out
		} else {
			docx = out
		}
	}
	return pdf, docx, nil
}

// DocumentJSON is a document as the API answers it.
type DocumentJSON struct {
	ID           int64                 `json:"id"`
	DealID       int64                 `json:"deal_id"`
	Kind         string                `json:"kind"`
	Title        workflow.Names        `json:"title"`
	Number       string                `json:"number"`
	Version      int                   `json:"version"`
	Status       string                `json:"status"`
	Data         json.RawMessage       `json:"data,omitempty"`
	DataSHA256   string                `json:"data_sha256"`
	Templates    []storage.TemplateRef `json:"templates"`
	SupersedesID *int64                `json:"supersedes_id,omitempty"`
	Files        map[string]FileJSON   `json:"files"`
	CreatedBy    int64                 `json:"created_by"`
	CreatedAt    time.Time             `json:"created_at"`
	FinalisedAt  *time.Time            `json:"finalised_at,omitempty"`
}

// FileJSON is a stored file of a document.
type FileJSON struct {
	SHA256 string `json:"sha256"`
	URL    string `json:"url"`
}

// DocumentToJSON converts a document for the API.
func DocumentToJSON(d storage.Document, withData bool) DocumentJSON {
	n := workflow.DocumentNames[d.Kind]
	out := DocumentJSON{ID: d.ID, DealID: d.DealID, Kind: string(d.Kind), Title: workflow.Names{Ru: n[0], En: n[1]}, Number: d.Number, Version: d.Version,
		Status: string(d.Status), DataSHA256: d.DataSHA256, Templates: d.Templates, SupersedesID: d.SupersedesID, Files: map[string]FileJSON{},
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt, FinalisedAt: d.FinalisedAt}
	if out.Templates == nil {
		out.Templates = []storage.TemplateRef{}
	}
	if withData {
		out.Data = d.Data
	}
	base := "/api/v1/documents/" + strconv.FormatInt(d.ID, 10)
	if d.PDFSHA256 != "" {
		out.Files["pdf"] = FileJSON{SHA256: d.PDFSHA256, URL: base + "/pdf"}
	}
	if d.DOCXSHA256 != "" {
		out.Files["docx"] = FileJSON{SHA256: d.DOCXSHA256, URL: base + "/docx"}
	}
	return out
}

// DocumentRequest is the body of POST /api/v1/deals/{id}/documents.
type DocumentRequest struct {
	Kind  string          `json:"kind"`
	Data  json.RawMessage `json:"data"`
	Final bool            `json:"final"`
	// DraftID finalises or updates an existing draft instead of creating a new document.
	DraftID json.Number `json:"draft_id"`
}

func (s *Server) handleDocumentCreate(c echo.Context) error {
	dealID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req DocumentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k := workflow.DocumentKind(req.Kind)
	if !k.Valid() {
		return workflow.Invalid("kind", "unknown document kind %q", req.Kind)
	}
	u := currentUser(c)
	deal, err := s.LoadDeal(c, dealID)
	if err != nil {
		return err
	}
	if !mayPrepare(u.Role, k) {
		return &workflow.Error{Code: workflow.EFORBIDDEN, Field: "kind", Message: fmt.Sprintf("role %s does not prepare %s documents", u.Role, k)}
	}
	draftID, err := parseID("draft_id", req.DraftID, false)
	if err != nil {
		return err
	}
	raw := []byte(req.Data)
	if len(raw) == 0 || string(raw) == "null" {
		// No data: start from the prefill.
		d, err := s.Documents.Prefill(ctxOf(c), deal, k)
		if err != nil {
			return err
		}
		raw, _ = json.Marshal(d)
	}
	d, err := decodeDocument(k, raw, req.Final)
	if err != nil {
		return err
	}
	var doc storage.Document
	if req.Final {
		doc, err = s.Documents.Finalise(ctxOf(c), deal.ID, d, draftID, 0, u.Actor())
	} else {
		canon, cerr := workflow.CanonicalJSON(d)
		if cerr != nil {
			return cerr
		}
		doc, err = s.Store.SaveDraft(ctxOf(c), deal.ID, draftID, k, canon, u.Actor())
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/documents/"+itoa(doc.ID))
	return c.JSON(http.StatusCreated, DocumentToJSON(doc, true))
}

func (s *Server) handleDocumentList(c echo.Context) error {
	dealID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.LoadDeal(c, dealID); err != nil {
		return err
	}
	docs, err := s.Store.FindDocuments(ctxOf(c), storage.DocumentFilter{DealID: &dealID, Kind: workflow.DocumentKind(c.QueryParam("kind"))})
	if err != nil {
		return err
	}
	out := make([]DocumentJSON, len(docs))
	for i, d := range docs {
		out[i] = DocumentToJSON(d, false)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (s *Server) handlePrefill(c echo.Context) error {
	dealID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	deal, err := s.LoadDeal(c, dealID)
	if err != nil {
		return err
	}
	k := workflow.DocumentKind(c.QueryParam("kind"))
	if !k.Valid() {
		return workflow.Invalid("kind", "kind must be one of the document kinds, e.g. proposal")
	}
	d, err := s.Documents.Prefill(ctxOf(c), deal, k)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"kind": k, "data": d})
}

// handlePreview renders data without storing anything: a PDF (default) or DOCX marked as a draft.
func (s *Server) handlePreview(c echo.Context) error {
	dealID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.LoadDeal(c, dealID); err != nil {
		return err
	}
	var req DocumentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k := workflow.DocumentKind(req.Kind)
	if !k.Valid() {
		return workflow.Invalid("kind", "unknown document kind %q", req.Kind)
	}
	d, err := decodeDocument(k, req.Data, false)
	if err != nil {
		return err
	}
	f := documents.Format(c.QueryParam("format"))
	if f == "" {
		f = documents.PDF
	}
	if f != documents.PDF && f != documents.DOCX {
		return workflow.Invalid("format", "format must be pdf or docx")
	}
	out, _, err := s.Documents.Renderer.Render(ctxOf(c), d, f, documents.RenderOptions{Draft: true})
	if err != nil {
		return err
	}
	return sendFile(c, f, out, string(k)+"-preview", true)
}

// LoadDocument returns the document when the user may see its deal.
func (s *Server) LoadDocument(c echo.Context, id int64) (storage.Document, error) {
	doc, err := s.Store.FindDocumentByID(ctxOf(c), id)
	if err != nil {
		return doc, err
	}
	if _, err := s.LoadDeal(c, doc.DealID); err != nil {
		return storage.Document{}, err
	}
	return doc, nil
}

func (s *Server) handleDocumentGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	doc, err := s.LoadDocument(c, id)
	if err != nil {
		return err
	}
	out := DocumentToJSON(doc, true)
	atts, err := s.Store.FindAttachments(ctxOf(c), doc.ID)
	if err != nil {
		return err
	}
	type attJSON struct {
		ID          int64     `json:"id"`
		Filename    string    `json:"filename"`
		ContentType string    `json:"content_type"`
		SHA256      string    `json:"sha256"`
		Size        int64     `json:"size"`
		URL         string    `json:"url"`
		CreatedAt   time.Time `json:"created_at"`
	}
	list := []attJSON{}
	for _, a := range atts {
		list = append(list, attJSON{a.ID, a.Filename, a.ContentType, a.SHA256, a.Size, fmt.Sprintf("/api/v1/documents/%d/signed-copies/%d", doc.ID, a.ID), a.CreatedAt})
	}
	return c.JSON(http.StatusOK, map[string]any{"document": out, "signed_copies": list})
}

// handleDocumentFile serves the stored PDF or DOCX of a final document, or renders a draft
// on the fly with the ЧЕРНОВИК mark.
func (s *Server) handleDocumentFile(f documents.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		doc, err := s.LoadDocument(c, id)
		if err != nil {
			return err
		}
		name := fileBase(doc)
		if doc.Status == storage.DocDraft {
			d, err := documents.Decode(doc.Kind, doc.Data)
			if err != nil {
				return err
			}
			out, _, err := s.Documents.Renderer.Render(ctxOf(c), d, f, documents.RenderOptions{Draft: true})
			if err != nil {
				return err
			}
			return sendFile(c, f, out, name, false)
		}
		sha := doc.PDFSHA256
		if f == documents.DOCX {
			sha = doc.DOCXSHA256
		}
		if sha == "" {
			return workflow.ErrNotFound
		}
		b, err := s.Store.Blobs().Get(ctxOf(c), sha)
		if err != nil {
			return err
		}
		c.Response().Header().Set("ETag", `"`+sha+`"`)
		c.Response().Header().Set("X-Content-SHA256", sha)
		return sendFile(c, f, b, name, false)
	}
}

func fileBase(doc storage.Document) string {
	name := workflow.DocumentNames[doc.Kind][0]
	if doc.Number != "" {
		name += " № " + doc.Number
	} else {
		name += " (черновик " + strconv.FormatInt(doc.ID, 10) + ")"
	}
	if doc.Version > 1 {
		name += " (версия " + strconv.Itoa(doc.Version) + ")"
	}
	return name
}

// sendFile answers a file with a Content-Disposition naming it per RFC 6266 / RFC 5987 (an
// ASCII fallback and the UTF-8 name), inline for previews.
func sendFile(c echo.Context, f documents.Format, b []byte, name string, inline bool) error {
	ct := "application/pdf"
	if f == documents.DOCX {
		ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	file := strings.NewReplacer("/", "-", "\\", "-", "\"", "'", "\n", " ", "\r", " ").Replace(name) + "." + string(f)
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	ascii := asciiFallback(file)
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": ascii})+"; filename*=UTF-8''"+rfc5987(file))
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, ct, b)
}

// rfc5987 percent-encodes the UTF-8 bytes of s for an RFC 5987 ext-value (the filename*
// parameter in UTF-8): only the attr-char set stays as it is. url.PathEscape is not enough,
// as it leaves ':', '=' and '@' unencoded.
func rfc5987(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// cleanFilename makes a file name sent by a client safe to store and to send back: valid
// UTF-8 (PostgreSQL refuses anything else in a text column), no path separators or control
// characters, and at most max bytes, cut at a character boundary and keeping the extension.
func cleanFilename(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '_'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "_"))
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	ext := path.Ext(s)
	if len(ext) > 16 {
		ext = ""
	}
	cut := max - len(ext)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + ext
}

func asciiFallback(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			b.WriteRune(r)
		} else if r == ' ' {
			b.WriteByte(' ')
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func (s *Server) handleDocumentFinalise(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	doc, err := s.LoadDocument(c, id)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if !mayPrepare(u.Role, doc.Kind) {
		return &workflow.Error{Code: workflow.EFORBIDDEN, Message: fmt.Sprintf("role %s does not prepare %s documents", u.Role, doc.Kind)}
	}
	if doc.Status != storage.DocDraft {
		return workflow.Invalid("status", "document %d is already %s", doc.ID, doc.Status)
	}
	d, err := decodeDocument(doc.Kind, doc.Data, true)
	if err != nil {
		return err
	}
	out, err := s.Documents.Finalise(ctxOf(c), doc.DealID, d, doc.ID, 0, u.Actor())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DocumentToJSON(out, true))
}

// CorrectionRequest is the body of POST /api/v1/documents/{id}/corrections.
type CorrectionRequest struct {
	Data json.RawMessage `json:"data"`
}

func (s *Server) handleDocumentCorrection(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	doc, err := s.LoadDocument(c, id)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if !mayPrepare(u.Role, doc.Kind) {
		return &workflow.Error{Code: workflow.EFORBIDDEN, Message: fmt.Sprintf("role %s does not prepare %s documents", u.Role, doc.Kind)}
	}
	var req CorrectionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := decodeDocument(doc.Kind, req.Data, true)
	if err != nil {
		return err
	}
	out, err := s.Documents.Finalise(ctxOf(c), doc.DealID, d, 0, doc.ID, u.Actor())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, DocumentToJSON(out, true))
}

// MaxSignedCopy bounds an uploaded signed scan.
const MaxSignedCopy = 20 << 20

var signedCopyTypes = map[string]string{"application/pdf": "%PDF-", "image/jpeg": "\xff\xd8\xff", "image/png": "\x89PNG\r\n\x1a\n"}

// handleSignedCopy attaches a signed scan (PDF, JPEG or PNG) to a final document. The body is
// the file itself with its Content-Type, or a multipart form with a "file" field.
func (s *Server) handleSignedCopy(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	doc, err := s.LoadDocument(c, id)
	if err != nil {
		return err
	}
	var (
		content  []byte
		ct       = c.Request().Header.Get(echo.HeaderContentType)
		filename = c.QueryParam("filename")
	)
	if strings.HasPrefix(ct, "multipart/") {
		fh, err := c.FormFile("file")
		if err != nil {
			return workflow.Invalid("file", "a multipart form with a file field is expected")
		}
		if fh.Size > MaxSignedCopy {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		content, err = io.ReadAll(io.LimitReader(f, MaxSignedCopy+1))
		if err != nil {
			return err
		}
		ct, filename = fh.Header.Get(echo.HeaderContentType), fh.Filename
	} else {
		content, err = io.ReadAll(io.LimitReader(c.Request().Body, MaxSignedCopy+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
			}
			return err
		}
	}
	if len(content) > MaxSignedCopy {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	ct, _, _ = mime.ParseMediaType(ct)
	magic, ok := signedCopyTypes[ct]
	if !ok {
		return workflow.Invalid("content_type", "a signed copy is a PDF, JPEG or PNG file")
	}
	if !strings.HasPrefix(string(content), magic) {
		return workflow.Invalid("file", "the file content is not a %s", ct)
	}
	filename = cleanFilename(filename, 200)
	if filename == "" {
		filename = "signed-copy"
	}
	a, err := s.Store.AttachSignedCopy(ctxOf(c), doc.ID, filename, ct, content, currentUser(c).Actor())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": a.ID, "document_id": a.DocumentID, "filename": a.Filename, "content_type": a.ContentType, "sha256": a.SHA256, "size": a.Size})
}

func (s *Server) handleSignedCopyGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(c, "aid")
	if err != nil {
		return err
	}
	doc, err := s.LoadDocument(c, id)
	if err != nil {
		return err
	}
	atts, err := s.Store.FindAttachments(ctxOf(c), doc.ID)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if a.ID == aid {
			b, err := s.Store.Blobs().Get(ctxOf(c), a.SHA256)
			if err != nil {
				return err
			}
			c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": asciiFallback(a.Filename)})+"; filename*=UTF-8''"+rfc5987(a.Filename))
			return c.Blob(http.StatusOK, a.ContentType, b)
		}
	}
	return workflow.ErrNotFound
}

// handleDraftDelete deletes a draft (DELETE /api/v1/documents/{id}) and answers 204. The rules
// are those of the web page's deletion: the document's deal visible to the user (404
// otherwise, as for a document that does not exist), their role preparing the document's kind
// (403), the deal open (422). A final or superseded document is evidence and is never deleted:
// 409, saying that a correction is a new version. storage.DeleteDraft checks the status again
// under the deal's lock, so a draft finalised meanwhile is refused the same way. A draft is
// not in the deal's event chain, so no event is appended. Retrying a deletion that succeeded
// answers 404: the draft is gone (the Idempotency-Key middleware records POSTs only).
func (s *Server) handleDraftDelete(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	doc, err := s.LoadDocument(c, id)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if !mayPrepare(u.Role, doc.Kind) {
		return &workflow.Error{Code: workflow.EFORBIDDEN, Message: fmt.Sprintf("role %s does not prepare %s documents", u.Role, doc.Kind)}
	}
	if _, err := s.Store.DeleteDraft(ctxOf(c), doc.ID); err != nil {
		return err
	}
	s.log.Info("draft deleted", "document_id", doc.ID, "kind", doc.Kind, "deal_id", doc.DealID, "user_id", u.ID)
	return c.NoContent(http.StatusNoContent)
}
