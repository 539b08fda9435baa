package api

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

var echoParamRE = regexp.MustCompile(`:([a-zA-Z_]+)`)

// OpenAPIPath converts an echo route path to OpenAPI syntax (/deals/:id → /deals/{id}).
func OpenAPIPath(p string) string { return echoParamRE.ReplaceAllString(p, "{$1}") }

// OpenAPI builds the OpenAPI 3.1 document from the registered routes, so the document and
// the routes cannot drift apart.
func (s *Server) OpenAPI() map[string]any {
	s.once.Do(s.registerRoutes)
	paths := map[string]map[string]any{}
	problem := map[string]any{"description": "A problem (RFC 9457)", "content": map[string]any{"application/problem+json": map[string]any{"schema": ref("Problem")}}}
	for _, r := range s.routes {
		path := OpenAPIPath(r.Path)
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		op := map[string]any{"summary": r.Summary, "tags": []string{r.Tag}, "operationId": operationID(r)}
		var params []map[string]any
		for _, m := range echoParamRE.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if r.Method == http.MethodPost {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
				"description": "Makes a retried request return the first answer instead of acting twice.", "schema": map[string]any{"type": "string", "maxLength": 200}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if r.Request != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(r.Request)}}}
		}
		success := map[string]any{"description": http.StatusText(r.Success)}
		switch {
		case r.Produces != "":
			success["content"] = map[string]any{r.Produces: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		case r.Response != "":
			success["content"] = map[string]any{"application/json": map[string]any{"schema": ref(r.Response)}}
		}
		responses := map[string]any{itoa(int64(r.Success)): success, "default": problem}
		if !r.Public {
			op["security"] = []map[string][]string{{"bearer": {}}, {"session": {}}}
			responses["401"] = problem
		}
		op["responses"] = responses
		paths[path][strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "dealgate API", "version": "1",
			"description": "Runs B2B sales as stages with evidence gates, generates and keeps the standard documents. Amounts are decimal strings; errors are application/problem+json."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "dealgate_session"},
			},
			"schemas": schemas(),
		},
	}
}

func operationID(r routeDoc) string {
	p := strings.NewReplacer("/api/v1/", "", "/:", "_by_", "/", "_", ".", "_").Replace(r.Path)
	return strings.ToLower(r.Method) + "_" + p
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func obj(required []string, props map[string]any) map[string]any {
	sort.Strings(required)
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var (
	str   = map[string]any{"type": "string"}
	integ = map[string]any{"type": "integer", "format": "int64"}
	boo   = map[string]any{"type": "boolean"}
	money = map[string]any{"type": "string", "pattern": `^-?\d+(\.\d{1,2})?$`, "description": "decimal amount, e.g. \"1234.56\""}
	tstmp = map[string]any{"type": "string", "format": "date-time"}
)

func list(item string) map[string]any {
	return obj([]string{"items"}, map[string]any{"items": map[string]any{"type": "array", "items": ref(item)}, "total": integ, "offset": integ, "limit": integ})
}

func schemas() map[string]any {
	names := obj([]string{"ru", "en"}, map[string]any{"ru": str, "en": str})
	missing := obj([]string{"type", "ru", "en"}, map[string]any{"type": str, "kinds": map[string]any{"type": "array", "items": str}, "ru": str, "en": str})
	company := map[string]any{"name": str, "inn": str, "kpp": str, "ogrn": str, "address": str, "bank_name": str, "bik": str, "corr_account": str, "account": str}
	companyOut := map[string]any{"id": integ, "owner_id": integ, "requisites_complete": boo, "version": integ, "created_at": tstmp}
	companyUpdate := map[string]any{"expected_version": map[string]any{"type": "integer", "format": "int64", "minimum": 1,
		"description": "the company's version the change was made from; 409 when it has changed since"}}
	for k, v := range company {
		companyOut[k] = v
		companyUpdate[k] = v
	}
	out := map[string]any{
		"Problem": obj([]string{"type", "title", "status"}, map[string]any{"type": str, "title": str, "status": integ, "detail": str, "field": str,
			"errors":     map[string]any{"type": "array", "items": obj([]string{"field", "message"}, map[string]any{"field": str, "code": str, "message": str, "message_ru": str})},
			"stage":      str,
			"missing":    map[string]any{"type": "array", "items": missing},
			"request_id": str}),
		"Names":          names,
		"Missing":        missing,
		"User":           obj([]string{"id", "email", "role"}, map[string]any{"id": integ, "email": str, "name": str, "role": str, "disabled": boo, "created_at": tstmp}),
		"UserList":       obj([]string{"items"}, map[string]any{"items": map[string]any{"type": "array", "items": ref("User")}}),
		"UserCreate":     obj([]string{"email", "role"}, map[string]any{"email": str, "name": str, "role": map[string]any{"type": "string", "enum": []string{"admin", "manager", "rep", "backoffice", "auditor"}}, "password": str}),
		"UserCreated":    obj([]string{"user", "token"}, map[string]any{"user": ref("User"), "token": str}),
		"PipelineYAML":   obj([]string{"yaml"}, map[string]any{"yaml": str}),
		"Pipeline":       obj([]string{"id", "key", "version", "stages"}, map[string]any{"id": integ, "key": str, "version": integ, "sha256": str, "name": ref("Names"), "yaml": str, "stages": map[string]any{"type": "array", "items": obj(nil, map[string]any{"key": str, "name": ref("Names"), "skippable": boo, "training_gate": boo, "exit_roles": map[string]any{"type": "array", "items": str}, "requires": map[string]any{"type": "array", "items": ref("Missing")}})}}),
		"CompanyRequest": obj([]string{"name", "inn", "address"}, company),
		"CompanyUpdate":  obj([]string{"name", "inn", "address", "expected_version"}, companyUpdate),
		"Company":        obj([]string{"id", "name", "inn", "version"}, companyOut),
		"CompanyList":    list("Company"),
		"DealRequest":    obj([]string{"company_id", "title"}, map[string]any{"company_id": integ, "title": str, "amount": money, "cost": money, "currency": map[string]any{"type": "string", "enum": []string{"RUB", "USD", "EUR", "CNY"}}, "owner_id": integ}),
		"Deal": obj([]string{"id", "company_id", "owner_id", "stage", "status", "version"}, map[string]any{"id": integ, "company_id": integ, "owner_id": integ, "title": str,
			"amount": money, "cost": money, "profit": money, "currency": str, "pipeline_id": integ, "stage": str, "stage_name": ref("Names"),
			"status": map[string]any{"type": "string", "enum": []string{"open", "won", "lost"}}, "lost_reason": str, "version": integ,
			"stage_entered_at": tstmp, "created_at": tstmp, "updated_at": tstmp, "closed_at": tstmp, "missing": map[string]any{"type": "array", "items": ref("Missing")}}),
		"DealList":          list("Deal"),
		"TransitionRequest": obj([]string{"action"}, map[string]any{"action": map[string]any{"type": "string", "enum": []string{"advance", "skip", "lose", "win"}}, "to": str, "reason": str, "expected_version": integ}),
		"ActivityRequest":   obj([]string{"kind"}, map[string]any{"kind": map[string]any{"type": "string", "enum": []string{"call", "meeting", "email", "other"}}, "note": str, "decision_maker": boo}),
		"Activity":          obj([]string{"id", "kind"}, map[string]any{"id": integ, "deal_id": integ, "kind": str, "stage": str, "note": str, "decision_maker": boo, "actor_id": integ, "at": tstmp}),
		"ActivityList":      list("Activity"),
		"FactRequest":       map[string]any{"type": "object", "required": []string{"kind"}, "properties": map[string]any{"kind": map[string]any{"type": "string", "enum": []string{"needs", "decision_makers", "tender", "payment", "shipment", "feedback"}}}, "additionalProperties": true},
		"Fact":              obj([]string{"id", "kind"}, map[string]any{"id": integ, "deal_id": integ, "kind": str, "stage": str, "data": map[string]any{"type": "object"}, "actor_id": integ, "at": tstmp}),
		"FactList":          list("Fact"),
		"Event": obj([]string{"seq", "kind", "at", "hash"}, map[string]any{"seq": integ, "kind": str, "action": str, "from": str, "to": str, "actor_id": integ, "reason": str,
			"at": str, "payload": map[string]any{}, "prev_hash": str, "hash": str}),
		"EventList": list("Event"),
		"DocumentRequest": obj([]string{"kind"}, map[string]any{"kind": map[string]any{"type": "string", "enum": []string{"meeting_report", "proposal", "client_card", "contract", "specification", "production_schedule", "invoice", "upd", "recommendation_letter"}},
			"data": map[string]any{"type": "object", "description": "the kind's data (see templates/examples/KIND.json); omitted: the prefill"}, "final": boo, "draft_id": integ}),
		"Document": obj([]string{"id", "kind", "status", "version"}, map[string]any{"id": integ, "deal_id": integ, "kind": str, "title": ref("Names"), "number": str, "version": integ,
			"status": map[string]any{"type": "string", "enum": []string{"draft", "final", "superseded"}}, "data": map[string]any{"type": "object"}, "data_sha256": str,
			"templates":     map[string]any{"type": "array", "items": obj(nil, map[string]any{"format": str, "id": integ, "version": integ, "sha256": str, "name": str})},
			"supersedes_id": integ, "files": map[string]any{"type": "object", "additionalProperties": obj(nil, map[string]any{"sha256": str, "url": str})},
			"created_by": integ, "created_at": tstmp, "finalised_at": tstmp}),
		"DocumentList":      list("Document"),
		"DocumentDetail":    obj([]string{"document"}, map[string]any{"document": ref("Document"), "signed_copies": map[string]any{"type": "array", "items": ref("SignedCopy")}}),
		"SignedCopy":        obj([]string{"id", "sha256"}, map[string]any{"id": integ, "document_id": integ, "filename": str, "content_type": str, "sha256": str, "size": integ, "url": str}),
		"Prefill":           obj([]string{"kind", "data"}, map[string]any{"kind": str, "data": map[string]any{"type": "object"}}),
		"CorrectionRequest": obj([]string{"data"}, map[string]any{"data": map[string]any{"type": "object"}}),
		"Product":           obj([]string{"sku", "name", "price"}, map[string]any{"sku": str, "name": str, "unit": str, "okei": str, "price": money, "cost": money, "vat_rate": str, "active": boo}),
		"ProductList":       list("Product"),
		"Imported":          obj([]string{"imported"}, map[string]any{"imported": integ}),
		"Party":             map[string]any{"type": "object", "description": "requisites (name, inn, kpp, ogrn, address, bank_name, bik, corr_account, account) and signatory (director_name, director_title, basis, chief_accountant, phone, email)"},
		"Numbering":         map[string]any{"type": "object", "additionalProperties": str},
		"Template":          obj([]string{"id", "kind", "format", "version"}, map[string]any{"id": integ, "kind": str, "format": str, "version": integ, "sha256": str, "filename": str, "active": boo, "created_at": tstmp, "url": str}),
		"TemplateList":      list("Template"),
		"TemplateActivate":  obj([]string{"version"}, map[string]any{"version": integ}),
		"TemplateActive":    obj(nil, map[string]any{"kind": str, "format": str, "active_version": integ}),
	}
	for k, v := range ExtraSchemas {
		out[k] = v
	}
	return out
}

// ExtraSchemas lets other packages add component schemas their routes name.
var ExtraSchemas = map[string]any{}

func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, s.OpenAPI())
}
