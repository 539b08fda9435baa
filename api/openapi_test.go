package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
)

// TestOpenAPIMatchesRoutes: every route under /api/v1 is documented with its method, and every
// documented operation is a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	// The document is public: no token needed.
	r := e.do(t, "GET", "/api/v1/openapi.json", "", nil).want(t, http.StatusOK)
	r.decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) == 0 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}

	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses", method, path)
			}
		}
	}
	served := map[string]bool{}
	for _, rt := range e.srv.Echo().Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || strings.HasSuffix(rt.Path, "/*") || rt.Method == "echo_route_not_found" {
			continue
		}
		served[rt.Method+" "+api.OpenAPIPath(rt.Path)] = true
	}
	if len(served) < 15 {
		t.Fatalf("only %d routes: %v", len(served), served)
	}
	for op := range served {
		if !documented[op] {
			t.Errorf("route %s is not in openapi.json", op)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("openapi.json documents %s, which is not a route", op)
		}
	}
	// The DESIGN.md contract routes are all there.
	for _, op := range []string{
		"POST /api/v1/companies", "GET /api/v1/companies/{id}", "POST /api/v1/deals", "GET /api/v1/deals", "GET /api/v1/deals/{id}",
		"POST /api/v1/deals/{id}/activities", "POST /api/v1/deals/{id}/facts", "POST /api/v1/deals/{id}/transitions",
	} {
		if !documented[op] || !served[op] {
			t.Errorf("contract operation %s: documented %v, served %v", op, documented[op], served[op])
		}
	}
	// The same document comes from Server.OpenAPI.
	paths, _ := e.srv.OpenAPI()["paths"].(map[string]map[string]any)
	var fromMethod []string
	for p, ops := range paths {
		for m := range ops {
			fromMethod = append(fromMethod, strings.ToUpper(m)+" "+p)
		}
	}
	var fromHTTP []string
	for op := range documented {
		fromHTTP = append(fromHTTP, op)
	}
	slices.Sort(fromMethod)
	slices.Sort(fromHTTP)
	if !slices.Equal(fromMethod, fromHTTP) {
		t.Fatalf("Server.OpenAPI and /api/v1/openapi.json differ:\n%v\n%v", fromMethod, fromHTTP)
	}
}
