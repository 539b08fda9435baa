package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// HeaderIdempotencyKey makes a POST safe to retry.
const HeaderIdempotencyKey = "Idempotency-Key"

// idempotent makes a POST with an Idempotency-Key header take effect at most once per user and
// key. The whole request runs in one database transaction that first claims the key; the
// response is recorded in that same transaction, so the effect and its answer commit together
// or not at all. A retry, or a concurrent twin, gets the recorded answer (with the header
// Idempotent-Replayed: true); the same key with a different request is a 422. Failed requests
// (4xx/5xx) are rolled back and not recorded, so they can simply be retried.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(HeaderIdempotencyKey)
		if key == "" || c.Request().Method != http.MethodPost {
			return next(c)
		}
		if len(key) > 200 {
			return workflow.Invalid(HeaderIdempotencyKey, "the Idempotency-Key header is longer than 200 characters")
		}
		u := currentUser(c)
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		h.Write([]byte(c.Request().Method + " " + c.Request().URL.Path + "\n"))
		h.Write(body)
		reqHash := hex.EncodeToString(h.Sum(nil))

		if prev, err := s.Store.FindIdempotent(ctxOf(c), u.ID, key); err == nil && prev.Status != 0 {
			return replay(c, prev, reqHash)
		} else if err != nil && workflow.Code(err) != workflow.ENOTFOUND {
			return err
		}

		// The recorder starts with the headers already set (X-Request-Id), so that a problem
		// rendered into it names the request like any other.
		rec := &recorder{header: c.Response().Header().Clone(), status: http.StatusOK}
		orig := c.Response().Writer
		origReq := c.Request()
		var handlerErr error
		txErr := s.Store.InTx(ctxOf(c), func(ctx context.Context) error {
			if err := s.Store.ClaimIdempotent(ctx, u.ID, key, reqHash); err != nil {
				return err
			}
			c.SetRequest(c.Request().WithContext(ctx))
			c.Response().Writer = rec
			handlerErr = next(c)
			if handlerErr != nil {
				c.Error(handlerErr) // renders the problem into rec
			}
			c.Response().Writer = orig
			if rec.status >= 400 {
				return errRollback
			}
			return s.Store.CompleteIdempotent(ctx, u.ID, key, storage.IdempotentResponse{RequestHash: reqHash, Status: rec.status,
				ContentType: rec.header.Get(echo.HeaderContentType), Body: rec.body.Bytes()})
		})
		c.Response().Writer = orig
		c.SetRequest(origReq)
		// The handler's answer went into rec; nothing has been sent yet. Clear what writing it
		// marked on the response, or the error handler would take the response for sent and
		// the client would get an empty 200 for a request whose commit failed.
		c.Response().Committed, c.Response().Size, c.Response().Status = false, 0, http.StatusOK
		switch {
		case txErr == nil || errors.Is(txErr, errRollback):
			return flush(c, rec)
		case workflow.Code(txErr) == workflow.ECONFLICT && handlerErr == nil && rec.status == http.StatusOK && rec.body.Len() == 0:
			// The claim lost to a twin with the same key: answer what the twin answered.
			for i := 0; i < 50; i++ {
				prev, err := s.Store.FindIdempotent(ctxOf(c), u.ID, key)
				if err == nil && prev.Status != 0 {
					return replay(c, prev, reqHash)
				}
				time.Sleep(20 * time.Millisecond)
			}
			return &workflow.Error{Code: workflow.ECONFLICT, Field: HeaderIdempotencyKey, Message: "a request with this Idempotency-Key is still in progress"}
		default:
			if rec.body.Len() > 0 && rec.status < 400 {
				// The handler succeeded but the commit failed: nothing happened.
				return txErr
			}
			if rec.body.Len() > 0 {
				return flush(c, rec)
			}
			return txErr
		}
	}
}

var errRollback = errors.New("rollback: the request failed")

func replay(c echo.Context, prev storage.IdempotentResponse, reqHash string) error {
	if prev.RequestHash != reqHash {
		return &workflow.Error{Code: workflow.EINVALID, Field: HeaderIdempotencyKey,
			Message: "this Idempotency-Key was already used for a different request"}
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	ct := prev.ContentType
	if ct == "" {
		ct = echo.MIMEApplicationJSON
	}
	return c.Blob(prev.Status, ct, prev.Body)
}

func flush(c echo.Context, rec *recorder) error {
	resp := c.Response()
	resp.Committed, resp.Size = false, 0
	for k, v := range rec.header {
		c.Response().Header()[k] = v
	}
	c.Response().WriteHeader(rec.status)
	_, err := c.Response().Write(rec.body.Bytes())
	return err
}

// recorder captures a response so it can be stored before it is sent.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.body.Write(b)
}
func (r *recorder) Flush() {}
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, errors.New("hijack not supported while recording")
}
