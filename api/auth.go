package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

const ctxUser = "dealgate.user"

// SessionUserFunc, when set on the server, resolves a browser session cookie to a user; the
// web package provides it. It returns (user, true) for a valid session.
type SessionUserFunc func(c echo.Context) (storage.User, bool)

// authenticate resolves the caller from a bearer token or a session cookie. It never refuses
// by itself; requireUser and the role checks do. Tokens are never logged.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				return &workflow.Error{Code: workflow.EUNAUTHORIZED, Message: "use Authorization: Bearer <token>"}
			}
			u, err := s.Store.UserByToken(ctxOf(c), strings.TrimSpace(token))
			if err != nil {
				if workflow.Code(err) == workflow.EUNAVAILABLE {
					return err
				}
				return s.tokenFailed(c)
			}
			c.Set(ctxUser, u)
			return next(c)
		}
		if s.SessionUser != nil {
			if u, ok := s.SessionUser(c); ok {
				c.Set(ctxUser, u)
			}
		}
		return next(c)
	}
}

// requireUser refuses anonymous callers with 401.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Get(ctxUser).(storage.User); !ok {
			return &workflow.Error{Code: workflow.EUNAUTHORIZED, Message: "authentication required: send Authorization: Bearer <token>"}
		}
		return next(c)
	}
}

// currentUser returns the authenticated user; routes behind requireUser always have one.
func currentUser(c echo.Context) storage.User {
	u, _ := c.Get(ctxUser).(storage.User)
	return u
}

// CurrentUser is currentUser for the web package.
func CurrentUser(c echo.Context) (storage.User, bool) {
	u, ok := c.Get(ctxUser).(storage.User)
	return u, ok
}

// requireRole lets only the listed roles through (403 otherwise).
func requireRole(roles ...workflow.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			for _, r := range roles {
				if u.Role == r {
					return next(c)
				}
			}
			return &workflow.Error{Code: workflow.EFORBIDDEN, Message: "your role (" + string(u.Role) + ") may not do this"}
		}
	}
}

// Roles that may write.
var (
	dealWriters    = []workflow.Role{workflow.RoleAdmin, workflow.RoleManager, workflow.RoleRep, workflow.RoleBackoffice}
	companyWriters = []workflow.Role{workflow.RoleAdmin, workflow.RoleManager, workflow.RoleRep}
)

// seesAll reports whether the role reads every deal (everyone but reps).
func seesAll(r workflow.Role) bool { return r != workflow.RoleRep }

// LoadDeal returns the deal if the user may see it. A rep asking for another rep's deal gets
// ENOTFOUND — the same answer as for a deal that does not exist, so ids reveal nothing.
func (s *Server) LoadDeal(c echo.Context, id int64) (workflow.Deal, error) {
	d, err := s.Store.FindDealByID(ctxOf(c), id)
	if err != nil {
		return d, err
	}
	u := currentUser(c)
	if !seesAll(u.Role) && d.OwnerID != u.ID {
		return workflow.Deal{}, workflow.ErrNotFound
	}
	return d, nil
}

// LoadCompany returns the company if the user may see it (reps: their own companies).
func (s *Server) LoadCompany(c echo.Context, id int64) (storage.Company, error) {
	co, err := s.Store.FindCompanyByID(ctxOf(c), id)
	if err != nil {
		return co, err
	}
	u := currentUser(c)
	if !seesAll(u.Role) && co.OwnerID != u.ID {
		return storage.Company{}, workflow.ErrNotFound
	}
	return co, nil
}

func noContent(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
