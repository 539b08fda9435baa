// Package api is dealgate's HTTP face: the REST API under /api/v1 (JSON, bearer tokens or
// session cookies, errors as application/problem+json), /healthz, /metrics, the OpenAPI
// document and the web pages. Every route is registered in routes.go.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// Server serves the API and the web pages. Set the fields, then call Handler.
type Server struct {
	Store *storage.Store
	// PipelineKey is the pipeline new deals start on (default "corporate").
	PipelineKey string
	// RequestTimeout bounds one request (default 30 s).
	RequestTimeout time.Duration
	// BodyLimit bounds a request body (default "2M").
	BodyLimit string
	// HTMLErrorFunc, when set, renders errors of non-API paths as pages.
	HTMLErrorFunc func(c echo.Context, p Problem) error
	// SessionUser resolves browser sessions (set by the web package).
	SessionUser SessionUserFunc
	// Documents prepares, renders and stores documents.
	Documents *DocumentService
	// Extra registers the routes of other packages (documents, audit, statistics, training).
	Extra []RouteRegistrar

	log     *slog.Logger
	echo    *echo.Echo
	metrics *metrics
	routes  []routeDoc
	once    sync.Once
	// limits applies BodyLimit and RequestTimeout; rebuilt by the first Handler call, so that
	// fields set after NewServer take effect.
	limits     echo.MiddlewareFunc
	limitsOnce sync.Once
}

// NewServer returns a server on store, logging to log (nil: slog.Default()).
func NewServer(store *storage.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{Store: store, PipelineKey: "corporate", RequestTimeout: 30 * time.Second, BodyLimit: "2M", log: log}
	s.metrics = newMetrics()
	ds, err := NewDocumentService(store)
	if err != nil {
		panic("api: the document renderer cannot start: " + err.Error())
	}
	s.Documents = ds
	s.echo = echo.New()
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.Use(middleware.RequestID())
	s.echo.Use(s.logRequests)
	s.echo.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
		return err
	}}))
	s.setLimits()
	s.echo.Use(func(next echo.HandlerFunc) echo.HandlerFunc { return s.limits(next) })
	s.echo.Use(s.authenticate)
	return s
}

// setLimits builds the body-limit and timeout middleware from BodyLimit and RequestTimeout.
func (s *Server) setLimits() {
	// Uploads (signed scans, templates) carry files; their routes set their own, larger limit.
	bl := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: s.BodyLimit, Skipper: isUpload})
	to := middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: s.RequestTimeout})
	s.limits = func(next echo.HandlerFunc) echo.HandlerFunc { return bl(to(next)) }
}

// UploadLimit bounds the body of an upload route (a signed scan, a template).
const UploadLimit = "21M"

// isUpload reports whether the request goes to an upload route, which limits its body itself.
func isUpload(c echo.Context) bool {
	p := c.Request().URL.Path
	return c.Request().Method == http.MethodPost && (strings.HasSuffix(p, "/signed-copies") ||
		(strings.HasPrefix(p, "/api/v1/templates/") && !strings.HasSuffix(p, "/activate")))
}

// Handler registers the routes (once; set Extra, BodyLimit and RequestTimeout before) and
// returns the http.Handler serving everything.
func (s *Server) Handler() http.Handler {
	s.once.Do(s.registerRoutes)
	s.limitsOnce.Do(s.setLimits)
	return s.echo
}

// Echo exposes the echo instance (the web package registers its pages on it).
func (s *Server) Echo() *echo.Echo { return s.echo }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.metrics.observe(c.Request().Method, route, status, d)
		attrs := []any{"method", c.Request().Method, "route", route, "status", status, "duration_ms", float64(d.Microseconds()) / 1000,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID)}
		if u, ok := c.Get(ctxUser).(storage.User); ok {
			attrs = append(attrs, "user_id", u.ID)
		}
		if status >= 500 {
			s.log.Warn("request", attrs...)
		} else {
			s.log.Info("request", attrs...)
		}
		return nil
	}
}

// badRequestError is a malformed body (not JSON, wrong shape): 400 naming the field if known.
type badRequestError struct {
	field string
	msg   string
}

func (e *badRequestError) Error() string { return e.msg }

// decodeJSON reads a JSON object body into v strictly: unknown fields, trailing data and type
// mismatches are errors that name the field.
func decodeJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return &badRequestError{msg: "the body must be JSON (Content-Type: application/json)"}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return &badRequestError{msg: "cannot read the request body"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &badRequestError{msg: "the request body is empty; a JSON object is expected"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			field := te.Field
			return &workflow.Error{Code: workflow.EINVALID, Field: field, Message: fmt.Sprintf("%s must be %s, not %s", orDefault(field, "the body"), jsonKind(te.Type.Kind().String()), te.Value)}
		case errors.As(err, &se):
			return &badRequestError{msg: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, err)}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &workflow.Error{Code: workflow.EINVALID, Field: field, Message: fmt.Sprintf("unknown field %q", field)}
		case strings.HasPrefix(err.Error(), "json: invalid number literal"):
			// Text such as "one" given for a json.Number field: a wrong type, like the case
			// above, but encoding/json does not say which field.
			field := textInNumberField(body, v)
			return &workflow.Error{Code: workflow.EINVALID, Field: field, Message: fmt.Sprintf("%s must be a number", orDefault(field, "a number field"))}
		default:
			return &badRequestError{msg: "malformed JSON: " + err.Error()}
		}
	}
	if dec.More() {
		return &badRequestError{msg: "unexpected data after the JSON object"}
	}
	return nil
}

// textInNumberField returns the JSON name of the first json.Number field of the struct v
// points to whose member in body is a string that is not a number.
func textInNumberField(body []byte, v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var members map[string]json.RawMessage
	if t == nil || t.Kind() != reflect.Struct || json.Unmarshal(body, &members) != nil {
		return ""
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type != reflect.TypeFor[json.Number]() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		for k, raw := range members {
			var n json.Number
			if strings.EqualFold(k, name) && json.Unmarshal(raw, &n) != nil {
				return name
			}
		}
	}
	return ""
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "map", "struct":
		return "an object"
	}
	return k
}

// pathID parses a numeric path parameter; anything else is a 404 (no such object).
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, workflow.ErrNotFound
	}
	return id, nil
}

func queryInt(c echo.Context, name string, def, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, workflow.Invalid(name, "%s must be a whole number from 0 to %d", name, max)
	}
	return n, nil
}

func ctxOf(c echo.Context) context.Context { return c.Request().Context() }
