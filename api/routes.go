package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/workflow"
)

// routeDoc describes one API route for the OpenAPI document.
type routeDoc struct {
	Method   string
	Path     string // echo syntax, e.g. /api/v1/deals/:id
	Summary  string
	Tag      string
	Request  string // component schema of the JSON body, if any
	Response string // component schema of the success body, if any
	Success  int
	Public   bool
	Produces string // non-JSON success content type
}

// api registers a route under the group and records its documentation.
func (s *Server) api(g *echo.Group, prefix string, d routeDoc, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	d.Path = prefix + d.Path
	if d.Success == 0 {
		d.Success = http.StatusOK
	}
	s.routes = append(s.routes, d)
	g.Add(d.Method, d.Path[len(prefix):], h, mw...)
}

// registerRoutes lists every endpoint of the server. The web pages are added by the web
// package through Echo().
func (s *Server) registerRoutes() {
	e := s.echo
	e.GET("/healthz", s.handleHealth)
	e.HEAD("/healthz", s.handleHealth)
	e.GET("/metrics", s.handleMetrics())

	const p = "/api/v1"
	v1 := e.Group(p)
	v1.GET("/openapi.json", s.handleOpenAPI)
	s.routes = append(s.routes, routeDoc{Method: http.MethodGet, Path: p + "/openapi.json", Summary: "This OpenAPI document", Tag: "meta", Success: 200, Public: true})

	auth := e.Group(p, requireUser)
	w := requireRole(dealWriters...)
	cw := requireRole(companyWriters...)
	admin := requireRole(workflow.RoleAdmin)

	s.api(auth, p, routeDoc{Method: "GET", Path: "/me", Summary: "The authenticated user", Tag: "users", Response: "User"}, s.handleMe)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/users", Summary: "List users (admin)", Tag: "users", Response: "UserList"}, s.handleUserList, admin)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/users", Summary: "Create a user (admin); answers an API token once", Tag: "users", Request: "UserCreate", Response: "UserCreated", Success: 201}, s.handleUserCreate, admin, s.idempotent)

	s.api(auth, p, routeDoc{Method: "GET", Path: "/pipelines/current", Summary: "The current pipeline version new deals start on", Tag: "pipelines", Response: "Pipeline"}, s.handlePipelineCurrent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/pipelines/:id", Summary: "One stored pipeline version", Tag: "pipelines", Response: "Pipeline"}, s.handlePipelineGet)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/pipelines", Summary: "Store a new pipeline version from YAML (admin)", Tag: "pipelines", Request: "PipelineYAML", Response: "Pipeline", Success: 201}, s.handlePipelineCreate, admin)

	s.api(auth, p, routeDoc{Method: "POST", Path: "/companies", Summary: "Create a client company; requisites are checked by checksum", Tag: "companies", Request: "CompanyRequest", Response: "Company", Success: 201}, s.handleCompanyCreate, cw, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/companies", Summary: "List companies (reps: their own)", Tag: "companies", Response: "CompanyList"}, s.handleCompanyList)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/companies/:id", Summary: "One company", Tag: "companies", Response: "Company"}, s.handleCompanyGet)
	s.api(auth, p, routeDoc{Method: "PUT", Path: "/companies/:id", Summary: "Replace a company's name and requisites, made from expected_version (its version when read); 409 when someone changed it since", Tag: "companies", Request: "CompanyUpdate", Response: "Company"}, s.handleCompanyUpdate, cw)

	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals", Summary: "Create a deal at the first stage", Tag: "deals", Request: "DealRequest", Response: "Deal", Success: 201}, s.handleDealCreate, cw, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals", Summary: "List deals with filters (stage, status, owner_id, company_id) and pagination", Tag: "deals", Response: "DealList"}, s.handleDealList)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id", Summary: "One deal with what its current stage still needs", Tag: "deals", Response: "Deal"}, s.handleDealGet)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/transitions", Summary: "Advance, skip, lose or win; 409 on a stale expected_version, 422 listing missing evidence", Tag: "deals", Request: "TransitionRequest", Response: "Deal"}, s.handleTransition, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/activities", Summary: "Log a call, meeting, email or other activity", Tag: "deals", Request: "ActivityRequest", Response: "Activity", Success: 201}, s.handleActivityCreate, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/activities", Summary: "A deal's activities", Tag: "deals", Response: "ActivityList"}, s.handleActivityList)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/facts", Summary: "Record a fact: needs, decision_makers, tender, payment, shipment, feedback", Tag: "deals", Request: "FactRequest", Response: "Fact", Success: 201}, s.handleFactCreate, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/facts", Summary: "A deal's facts", Tag: "deals", Response: "FactList"}, s.handleFactList)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/events", Summary: "A deal's hash-chained events", Tag: "audit", Response: "EventList"}, s.handleEventList)

	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/documents", Summary: "Create a document: a draft, or final (numbered, rendered to PDF and DOCX, hashed, immutable); without data it starts from the prefill", Tag: "documents", Request: "DocumentRequest", Response: "Document", Success: 201}, s.handleDocumentCreate, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/documents", Summary: "A deal's documents, every version", Tag: "documents", Response: "DocumentList"}, s.handleDocumentList)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/documents/prefill", Summary: "New document data prefilled from the deal and its earlier documents (?kind=)", Tag: "documents", Response: "Prefill"}, s.handlePrefill)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/documents/preview", Summary: "Render data as a draft PDF (or ?format=docx) without storing anything", Tag: "documents", Request: "DocumentRequest", Produces: "application/pdf"}, s.handlePreview)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/documents/:id", Summary: "One document version with its data, hashes, template versions and signed copies", Tag: "documents", Response: "DocumentDetail"}, s.handleDocumentGet)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/documents/:id/pdf", Summary: "The stored PDF (drafts are rendered with a ЧЕРНОВИК mark)", Tag: "documents", Produces: "application/pdf"}, s.handleDocumentFile(documents.PDF))
	s.api(auth, p, routeDoc{Method: "GET", Path: "/documents/:id/docx", Summary: "The stored DOCX", Tag: "documents", Produces: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}, s.handleDocumentFile(documents.DOCX))
	s.api(auth, p, routeDoc{Method: "DELETE", Path: "/documents/:id", Summary: "Delete a draft; 409 for a final or superseded document (evidence: corrected by a new version, never deleted)", Tag: "documents", Success: 204}, s.handleDraftDelete, w)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/documents/:id/finalise", Summary: "Finalise a draft: number, render, hash, store", Tag: "documents", Response: "Document"}, s.handleDocumentFinalise, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/documents/:id/corrections", Summary: "A correction: a new version that supersedes this final document (same number)", Tag: "documents", Request: "CorrectionRequest", Response: "Document", Success: 201}, s.handleDocumentCorrection, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/documents/:id/signed-copies", Summary: "Attach a signed scan (PDF, JPEG or PNG) to a final document", Tag: "documents", Response: "SignedCopy", Success: 201}, s.handleSignedCopy, w, middleware.BodyLimit(UploadLimit))
	s.api(auth, p, routeDoc{Method: "GET", Path: "/documents/:id/signed-copies/:aid", Summary: "Download a signed copy", Tag: "documents", Produces: "application/octet-stream"}, s.handleSignedCopyGet)

	s.api(auth, p, routeDoc{Method: "GET", Path: "/catalogue", Summary: "The product catalogue (?all=1 includes retired items)", Tag: "catalogue", Response: "ProductList"}, s.handleCatalogueList)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/catalogue", Summary: "Insert or update products by SKU (admin)", Tag: "catalogue", Request: "ProductList", Response: "Imported"}, s.handleCatalogueUpsert, admin)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/catalogue/import", Summary: "Import a CSV: sku,name,unit,okei,price,cost,vat_rate (admin)", Tag: "catalogue", Response: "Imported", Produces: ""}, s.handleCatalogueImport, admin)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/seller", Summary: "Our company's profile, the seller of every document", Tag: "settings", Response: "Party"}, s.handleSellerGet)
	s.api(auth, p, routeDoc{Method: "PUT", Path: "/seller", Summary: "Set our company's profile (admin)", Tag: "settings", Request: "Party", Response: "Party"}, s.handleSellerPut, admin)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/settings/numbering", Summary: "Number formats per document kind", Tag: "settings", Response: "Numbering"}, s.handleNumberingGet)
	s.api(auth, p, routeDoc{Method: "PUT", Path: "/settings/numbering", Summary: "Set number formats, e.g. {\"invoice\":\"СЧ-{YYYY}-{NNNNNN}\"} (admin)", Tag: "settings", Request: "Numbering", Response: "Numbering"}, s.handleNumberingPut, admin)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/templates", Summary: "Uploaded template versions and the shipped ones", Tag: "templates", Response: "TemplateList"}, s.handleTemplateList)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/templates/:kind/:format", Summary: "Upload a template (PDF layout XML or DOCX) for a kind; checked and versioned (admin)", Tag: "templates", Response: "Template", Success: 201}, s.handleTemplateUpload, admin, middleware.BodyLimit(UploadLimit))
	s.api(auth, p, routeDoc{Method: "POST", Path: "/templates/:kind/:format/activate", Summary: "Choose the active version (0: the shipped one) (admin)", Tag: "templates", Request: "TemplateActivate", Response: "TemplateActive"}, s.handleTemplateActivate, admin)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/templates/:id/file", Summary: "Download an uploaded template version", Tag: "templates", Produces: "application/octet-stream"}, s.handleTemplateFile)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/templates/builtin/:kind/:format", Summary: "Download a shipped template (?variant=torg12: a shipped variant, e.g. upd-torg12.docx)", Tag: "templates", Produces: "application/octet-stream"}, s.handleBuiltinTemplate)

	for _, r := range s.Extra {
		r(s, auth, p)
	}
}

// RouteRegistrar adds routes to the authenticated /api/v1 group (documents, audit,
// statistics, training register themselves this way). Use Server.Register to document them.
type RouteRegistrar func(s *Server, auth *echo.Group, prefix string)

// RouteDoc is the exported form of routeDoc for registrars.
type RouteDoc = routeDoc

// Register adds a documented route to the authenticated API group.
func (s *Server) Register(auth *echo.Group, prefix string, d RouteDoc, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	s.api(auth, prefix, d, h, mw...)
}

// Writers returns the middleware that admits roles who may change deals (not auditors).
func Writers() echo.MiddlewareFunc { return requireRole(dealWriters...) }

// RequireRole returns the middleware that admits only the listed roles.
func RequireRole(roles ...workflow.Role) echo.MiddlewareFunc { return requireRole(roles...) }

// Idempotent returns the Idempotency-Key middleware.
func (s *Server) Idempotent() echo.MiddlewareFunc { return s.idempotent }

func (s *Server) handleHealth(c echo.Context) error {
	if err := s.Store.Ping(ctxOf(c)); err != nil {
		return &workflow.Error{Code: workflow.EUNAVAILABLE, Message: "database unavailable", Err: err}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "database": string(s.Store.Dialect())})
}
