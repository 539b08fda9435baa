package audit

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/workflow"
)

// Routes returns the registrar that adds the audit routes to an api.Server (append it to
// Server.Extra before Handler is called):
//
//	GET  /api/v1/deals/{id}/trail                      the deal's events and documents (read logged)
//	GET  /api/v1/deals/{id}/verify                     verification report (read logged)
//	GET  /api/v1/deals/{id}/evidence.zip               evidence bundle (read logged)
//	GET  /api/v1/checkpoints/latest                    newest signed checkpoint (public)
//	POST /api/v1/checkpoints                           make a checkpoint now (admin, auditor)
//	GET  /api/v1/checkpoints/{size}/proof?deal={id}    inclusion proof of the deal's head (read logged)
//	GET  /api/v1/checkpoints/{size}/consistency?from={m} consistency proof between checkpoints
//	GET  /api/v1/audit/public-key                      the server's verifier key (public)
//	GET  /api/v1/audit/verify                          audit of the whole log (admin, auditor)
//	GET  /api/v1/audit/reads                           who read what (admin, auditor)
func (s *Service) Routes() api.RouteRegistrar {
	return func(srv *api.Server, auth *echo.Group, prefix string) {
		h := &handlers{s: s, srv: srv}
		auditors := api.RequireRole(workflow.RoleAdmin, workflow.RoleAuditor)
		pub := srv.Echo().Group(prefix)
		reg := func(d api.RouteDoc, fn echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
			d.Tag = "audit"
			g := auth
			if d.Public {
				g = pub
			}
			srv.Register(g, prefix, d, fn, mw...)
		}
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/deals/:id/trail", Summary: "The deal's audit trail: events with actors, every document version with hashes and template versions, signed copies; the read is logged", Response: "AuditTrail"}, h.trail)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/deals/:id/verify", Summary: "Recompute the chain, compare it with the checkpoint log, re-hash every file, re-render every document; answers the first broken link; the read is logged", Response: "AuditReport"}, h.verify)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/deals/:id/evidence.zip", Summary: "Evidence bundle: every document file (all versions), signed copies, manifest with events, hashes, template versions and checkpoint proof, and a summary; verify it with `dealgate verify`; the read is logged", Produces: "application/zip"}, h.evidence)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/checkpoints/latest", Summary: "The newest signed checkpoint of the audit log (JSON, or the signed note with Accept: text/plain)", Response: "AuditCheckpoint", Public: true}, h.latest)
		reg(api.RouteDoc{Method: http.MethodPost, Path: "/checkpoints", Summary: "Log the heads of every changed deal now and sign a checkpoint (admin, auditor)", Response: "AuditCheckpointRun"}, h.checkpoint, auditors)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/checkpoints/:size/proof", Summary: "Proof that the deal's head (query deal={id}) is included in the checkpoint of this size; the read is logged", Response: "AuditInclusionProof"}, h.proof)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/checkpoints/:size/consistency", Summary: "Proof that the checkpoint of size from={m} is a prefix of this one", Response: "AuditConsistencyProof"}, h.consistency)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/audit/public-key", Summary: "The server's Ed25519 checkpoint key (signed-note verifier key)", Response: "AuditPublicKey", Public: true}, h.publicKey)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/audit/verify", Summary: "Audit the whole checkpoint log: signatures, roots, and every logged deal's head (finds dropped and rolled-back deals) (admin, auditor)", Response: "AuditLogReport"}, h.verifyLog, auditors)
		reg(api.RouteDoc{Method: http.MethodGet, Path: "/audit/reads", Summary: "Who read which deal's trail, verification or evidence, and when; filters deal_id, user_id, offset, limit (admin, auditor)", Response: "AuditReadList"}, h.reads, auditors)
	}
}

type handlers struct {
	s   *Service
	srv *api.Server
}

// dealID reads the deal id of the path and checks the caller may see the deal. A deal that
// is gone from the database may still be looked at by roles that see every deal: its events
// or the checkpoint log may still know it, and that is the point of looking.
func (h *handlers) dealID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, workflow.ErrNotFound
	}
	return id, h.access(c, id)
}

func (h *handlers) access(c echo.Context, id int64) error {
	_, err := h.srv.LoadDeal(c, id)
	if err == nil || workflow.Code(err) != workflow.ENOTFOUND {
		return err
	}
	if u, _ := api.CurrentUser(c); u.Role == workflow.RoleRep {
		return err
	}
	return nil
}

func (h *handlers) logRead(c echo.Context, dealID int64, what string) error {
	u, _ := api.CurrentUser(c)
	return h.s.LogRead(c.Request().Context(), u.ID, dealID, what)
}

func (h *handlers) trail(c echo.Context) error {
	id, err := h.dealID(c)
	if err != nil {
		return err
	}
	t, err := h.s.Trail(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := h.logRead(c, id, ReadTrail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (h *handlers) verify(c echo.Context) error {
	id, err := h.dealID(c)
	if err != nil {
		return err
	}
	rep, err := h.s.VerifyDeal(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := h.logRead(c, id, ReadVerify); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (h *handlers) evidence(c echo.Context) error {
	id, err := h.dealID(c)
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	var buf bytes.Buffer
	if _, err := h.s.WriteBundle(c.Request().Context(), &buf, id, &u); err != nil {
		return err
	}
	if err := h.logRead(c, id, ReadEvidence); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+BundleName(id)+`"`)
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

func (h *handlers) latest(c echo.Context) error {
	cp, err := h.s.LatestCheckpoint(c.Request().Context())
	if err != nil {
		if workflow.Code(err) == workflow.ENOTFOUND {
			return &workflow.Error{Code: workflow.ENOTFOUND, Message: "no checkpoint has been signed yet"}
		}
		return err
	}
	if c.QueryParam("format") == "note" || strings.HasPrefix(c.Request().Header.Get(echo.HeaderAccept), "text/plain") {
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(cp.Note))
	}
	return c.JSON(http.StatusOK, cp)
}

func (h *handlers) checkpoint(c echo.Context) error {
	res, err := h.s.Checkpoint(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func sizeParam(c echo.Context) (uint64, error) {
	n, err := strconv.ParseUint(c.Param("size"), 10, 64)
	if err != nil {
		return 0, &workflow.Error{Code: workflow.ENOTFOUND, Field: "size", Message: "a checkpoint is named by its size, a whole number"}
	}
	return n, nil
}

func (h *handlers) proof(c echo.Context) error {
	size, err := sizeParam(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.QueryParam("deal"), 10, 64)
	if err != nil || id <= 0 {
		return workflow.Invalid("deal", "the query parameter deal must be a deal id")
	}
	if err := h.access(c, id); err != nil {
		return err
	}
	p, err := h.s.Inclusion(c.Request().Context(), size, id)
	if err != nil {
		return err
	}
	if err := h.logRead(c, id, ReadProof); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (h *handlers) consistency(c echo.Context) error {
	size, err := sizeParam(c)
	if err != nil {
		return err
	}
	from, err := strconv.ParseUint(c.QueryParam("from"), 10, 64)
	if err != nil {
		return workflow.Invalid("from", "the query parameter from must be the size of an earlier checkpoint")
	}
	p, err := h.s.Consistency(c.Request().Context(), from, size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (h *handlers) publicKey(c echo.Context) error {
	k, err := h.s.PublicKey(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

func (h *handlers) verifyLog(c echo.Context) error {
	rep, err := h.s.VerifyLog(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (h *handlers) reads(c echo.Context) error {
	var f ReadFilter
	for name, dst := range map[string]*int64{"deal_id": &f.DealID, "user_id": &f.UserID} {
		if v := c.QueryParam(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return workflow.Invalid(name, "%s must be a positive whole number", name)
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*int{"offset": &f.Offset, "limit": &f.Limit} {
		if v := c.QueryParam(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && n > 1000) {
				return workflow.Invalid(name, "%s must be a whole number (limit at most 1000)", name)
			}
			*dst = n
		}
	}
	items, total, err := h.s.FindReads(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total, "offset": f.Offset, "limit": f.Limit})
}

func init() {
	str := map[string]any{"type": "string"}
	integ := map[string]any{"type": "integer", "format": "int64"}
	boo := map[string]any{"type": "boolean"}
	arr := func(item any) map[string]any { return map[string]any{"type": "array", "items": item} }
	obj := func(props map[string]any) map[string]any {
		return map[string]any{"type": "object", "properties": props}
	}
	ref := func(n string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + n} }
	problem := obj(map[string]any{"code": str, "deal_id": integ, "event_seq": integ, "document_id": integ, "attachment_id": integ, "template_id": integ,
		"file": str, "field": str, "expected": str, "found": str, "message": str})
	checkpoint := obj(map[string]any{"origin": str, "size": integ, "root": str, "note": str, "created_at": map[string]any{"type": "string", "format": "date-time"}})
	for k, v := range map[string]any{
		"AuditProblem":    problem,
		"AuditCheckpoint": checkpoint,
		"AuditReport": obj(map[string]any{"deal_id": integ, "ok": boo, "checked_at": str, "events": integ, "head": obj(map[string]any{"deal_id": integ, "seq": integ, "head": str}),
			"documents": integ, "files_checked": integ, "checkpoint": obj(map[string]any{"size": integ, "root": str, "leaf_index": integ, "seq": integ, "head": str,
				"covered_events": integ, "uncovered_events": integ, "key_pinned": boo}), "rerender": str, "first_broken": ref("AuditProblem"),
			"problems": arr(ref("AuditProblem")), "notes": arr(str), "duration_ms": map[string]any{"type": "number"}}),
		"AuditTrail": obj(map[string]any{"deal": obj(nil), "head": obj(nil), "logged": obj(nil), "events": arr(ref("Event")), "documents": arr(obj(nil)),
			"actors": arr(obj(nil)), "retrieved_at": str}),
		"AuditCheckpointRun":    obj(map[string]any{"checkpoint": ref("AuditCheckpoint"), "appended": integ, "refused": arr(obj(map[string]any{"deal_id": integ, "seq": integ, "reason": str}))}),
		"AuditInclusionProof":   obj(map[string]any{"checkpoint": ref("AuditCheckpoint"), "deal_id": integ, "leaf_index": integ, "leaf": str, "leaf_hash": str, "seq": integ, "head": str, "proof": arr(str)}),
		"AuditConsistencyProof": obj(map[string]any{"from": ref("AuditCheckpoint"), "to": ref("AuditCheckpoint"), "proof": arr(str)}),
		"AuditPublicKey":        obj(map[string]any{"name": str, "verifier_key": str, "algorithm": str, "public_key": str}),
		"AuditLogReport":        obj(map[string]any{"ok": boo, "checked_at": str, "size": integ, "checkpoints": integ, "deals": integ, "problems": arr(ref("AuditProblem")), "duration_ms": map[string]any{"type": "number"}}),
		"AuditReadList": obj(map[string]any{"items": arr(obj(map[string]any{"id": integ, "user_id": integ, "email": str, "role": str, "deal_id": integ, "what": str,
			"at": map[string]any{"type": "string", "format": "date-time"}})), "total": integ, "offset": integ, "limit": integ}),
	} {
		api.ExtraSchemas[k] = v
	}
}
