package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/workflow"
)

// Problem is an RFC 9457 problem document, answered as application/problem+json. Type is
// stable for each kind of problem; clients switch on it.
type Problem struct {
	Type      string                 `json:"type"`
	Title     string                 `json:"title"`
	Status    int                    `json:"status"`
	Detail    string                 `json:"detail,omitempty"`
	Field     string                 `json:"field,omitempty"`
	Errors    []FieldProblem         `json:"errors,omitempty"`
	Stage     string                 `json:"stage,omitempty"`
	Missing   []workflow.Missing     `json:"missing,omitempty"`
	RequestID string                 `json:"request_id,omitempty"`
	Extra     map[string]interface{} `json:"-"`
}

// FieldProblem names one invalid field.
type FieldProblem struct {
	Field     string `json:"field"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
	MessageRu string `json:"message_ru,omitempty"`
}

// Problem types. They are part of the API.
const (
	ProblemInvalid         = "/problems/invalid"
	ProblemMalformed       = "/problems/malformed-request"
	ProblemMissingEvidence = "/problems/missing-evidence"
	ProblemConflict        = "/problems/conflict"
	ProblemNotFound        = "/problems/not-found"
	ProblemForbidden       = "/problems/forbidden"
	ProblemUnauthorized    = "/problems/unauthorized"
	ProblemUnavailable     = "/problems/unavailable"
	ProblemTooLarge        = "/problems/too-large"
	ProblemMethod          = "/problems/method-not-allowed"
	ProblemRateLimited     = "/problems/rate-limited"
	ProblemInternal        = "/problems/internal"
	ProblemIdempotency     = "/problems/idempotency-key-reused"
)

// ValidationError carries several field problems at once (a company with two bad numbers).
type ValidationError struct {
	Problems []FieldProblem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// fromRequisites converts requisite check results.
func fromRequisites(errs []*requisites.FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	v := &ValidationError{}
	for _, e := range errs {
		v.Problems = append(v.Problems, FieldProblem{Field: e.Field, Code: string(e.Code), Message: e.MessageEn, MessageRu: e.Message})
	}
	return v
}

// problemFor maps an error to the problem answered for it.
func problemFor(err error) Problem {
	var (
		ve  *ValidationError
		de  *documents.ValidationError
		we  *workflow.Error
		me  *workflow.MissingEvidenceError
		pe  *workflow.PipelineError
		he  *echo.HTTPError
		bad *badRequestError
	)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return Problem{Type: ProblemUnavailable, Title: "Service unavailable", Status: http.StatusServiceUnavailable,
			Detail: "the request took too long or was cancelled; try again shortly"}
	case errors.As(err, &ve):
		p := Problem{Type: ProblemInvalid, Title: "Invalid input", Status: http.StatusUnprocessableEntity, Detail: ve.Error(), Errors: ve.Problems}
		if len(ve.Problems) > 0 {
			p.Field = ve.Problems[0].Field
		}
		return p
	case errors.As(err, &de):
		v := &ValidationError{}
		for _, fe := range de.Errors {
			v.Problems = append(v.Problems, FieldProblem{Field: fe.Field, Message: fe.Message, MessageRu: fe.MessageRu})
		}
		p := problemFor(v)
		p.Detail = de.Error()
		return p
	case errors.As(err, &me):
		return Problem{Type: ProblemMissingEvidence, Title: "The stage's evidence is missing", Status: http.StatusUnprocessableEntity,
			Detail: me.Error(), Stage: me.Stage, Missing: me.Missing}
	case errors.As(err, &pe):
		return Problem{Type: ProblemInvalid, Title: "Invalid pipeline", Status: http.StatusUnprocessableEntity, Detail: pe.Error(), Field: pe.Field,
			Errors: []FieldProblem{{Field: pe.Field, Message: pe.Error()}}}
	case errors.As(err, &bad):
		return Problem{Type: ProblemMalformed, Title: "Malformed request", Status: http.StatusBadRequest, Detail: bad.msg, Field: bad.field}
	case errors.As(err, &we):
		p := Problem{Detail: we.Message, Field: we.Field}
		switch we.Code {
		case workflow.EINVALID:
			p.Type, p.Title, p.Status = ProblemInvalid, "Invalid input", http.StatusUnprocessableEntity
			if we.Field != "" {
				p.Errors = []FieldProblem{{Field: we.Field, Message: we.Message}}
			}
		case workflow.ECONFLICT:
			p.Type, p.Title, p.Status = ProblemConflict, "Conflict", http.StatusConflict
		case workflow.ENOTFOUND:
			p.Type, p.Title, p.Status = ProblemNotFound, "Not found", http.StatusNotFound
		case workflow.EFORBIDDEN:
			p.Type, p.Title, p.Status = ProblemForbidden, "Forbidden", http.StatusForbidden
		case workflow.EUNAUTHORIZED:
			p.Type, p.Title, p.Status = ProblemUnauthorized, "Authentication required", http.StatusUnauthorized
		case workflow.EUNAVAILABLE:
			p.Type, p.Title, p.Status = ProblemUnavailable, "Service unavailable", http.StatusServiceUnavailable
			p.Detail = "the database is unavailable or the request took too long; try again shortly"
		default:
			return internalProblem()
		}
		return p
	case errors.As(err, &he):
		p := Problem{Status: he.Code, Title: http.StatusText(he.Code)}
		if m, ok := he.Message.(string); ok {
			p.Detail = m
		}
		switch {
		case he.Code == http.StatusNotFound:
			p.Type = ProblemNotFound
		case he.Code == http.StatusMethodNotAllowed:
			p.Type = ProblemMethod
		case he.Code == http.StatusRequestEntityTooLarge:
			p.Type = ProblemTooLarge
			p.Detail = "the request body is too large"
		case he.Code == http.StatusUnauthorized:
			p.Type = ProblemUnauthorized
		case he.Code == http.StatusForbidden:
			p.Type = ProblemForbidden
		case he.Code == http.StatusTooManyRequests:
			p.Type = ProblemRateLimited
		case he.Code == http.StatusServiceUnavailable:
			p.Type = ProblemUnavailable
		case he.Code >= 500:
			return internalProblem()
		default:
			p.Type = ProblemMalformed
		}
		return p
	}
	return internalProblem()
}

func internalProblem() Problem {
	return Problem{Type: ProblemInternal, Title: "Internal error", Status: http.StatusInternalServerError,
		Detail: "something went wrong on our side; the error was logged with the request id"}
}

// handleError is the echo HTTPErrorHandler: problem+json for the API, an HTML page for the
// web pages. 5xx errors are logged with the request id; their internals are never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problemFor(err)
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 {
		s.log.Error("request failed", "request_id", p.RequestID, "method", c.Request().Method, "path", c.Path(), "status", p.Status, "err", err)
	} else {
		s.log.Debug("request refused", "request_id", p.RequestID, "status", p.Status, "type", p.Type, "detail", p.Detail)
	}
	if s.HTMLErrorFunc != nil && !machinePath(c.Request().URL.Path) {
		if herr := s.HTMLErrorFunc(c, p); herr == nil {
			return
		}
	}
	writeProblem(c, p)
}

// machinePath reports whether a path is read by programs rather than people (the API, the
// health check a load balancer polls, the metrics), so its errors are problem+json, never a
// page.
func machinePath(p string) bool {
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/metrics"
}

func writeProblem(c echo.Context, p Problem) {
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="dealgate"`)
	}
	if p.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "2")
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead {
		return
	}
	if err := json.NewEncoder(c.Response()).Encode(p); err != nil {
		slog.Default().Debug("writing problem failed", "err", err)
	}
}
