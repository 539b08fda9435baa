package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

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

	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals", Summary: "Create a deal at the first stage", Tag: "deals", Request: "DealRequest", Response: "Deal", Success: 201}, s.handleDealCreate, cw, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals", Summary: "List deals with filters (stage, status, owner_id, company_id) and pagination", Tag: "deals", Response: "DealList"}, s.handleDealList)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id", Summary: "One deal with what its current stage still needs", Tag: "deals", Response: "Deal"}, s.handleDealGet)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/transitions", Summary: "Advance, skip, lose or win; 409 on a stale expected_version, 422 listing missing evidence", Tag: "deals", Request: "TransitionRequest", Response: "Deal"}, s.handleTransition, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/activities", Summary: "Log a call, meeting, email or other activity", Tag: "deals", Request: "ActivityRequest", Response: "Activity", Success: 201}, s.handleActivityCreate, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/activities", Summary: "A deal's activities", Tag: "deals", Response: "ActivityList"}, s.handleActivityList)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/deals/:id/facts", Summary: "Record a fact: needs, decision_makers, tender, payment, shipment, feedback", Tag: "deals", Request: "FactRequest", Response: "Fact", Success: 201}, s.handleFactCreate, w, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/facts", Summary: "A deal's facts", Tag: "deals", Response: "FactList"}, s.handleFactList)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/deals/:id/events", Summary: "A deal's hash-chained events", Tag: "audit", Response: "EventList"}, s.handleEventList)

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
