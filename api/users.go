package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// UserJSON is a user as the API answers it (never with a password hash).
type UserJSON struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func userJSON(u storage.User) UserJSON {
	return UserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

func (s *Server) handleMe(c echo.Context) error {
	return c.JSON(http.StatusOK, userJSON(currentUser(c)))
}

func (s *Server) handleUserList(c echo.Context) error {
	users, err := s.Store.FindUsers(ctxOf(c))
	if err != nil {
		return err
	}
	out := make([]UserJSON, len(users))
	for i, u := range users {
		out[i] = userJSON(u)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

// UserCreateRequest is the body of POST /api/v1/users.
type UserCreateRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// PasswordHasher hashes passwords for new users; cmd wires the real (argon2id) one.
var PasswordHasher func(password string) (string, error)

func (s *Server) handleUserCreate(c echo.Context) error {
	var req UserCreateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u := storage.User{Email: req.Email, Name: req.Name, Role: workflow.Role(req.Role)}
	if req.Password != "" {
		if len(req.Password) < 10 || len(req.Password) > 200 {
			return workflow.Invalid("password", "password must be 10 to 200 characters")
		}
		if PasswordHasher == nil {
			return workflow.Invalid("password", "passwords are not enabled on this server")
		}
		h, err := PasswordHasher(req.Password)
		if err != nil {
			return err
		}
		u.PasswordHash = h
	}
	var token string
	err := s.Store.InTx(ctxOf(c), func(ctx context.Context) error {
		var err error
		if u, err = s.Store.CreateUser(ctx, u); err != nil {
			return err
		}
		token, _, err = s.Store.CreateToken(ctx, u.ID, "created by "+currentUser(c).Email)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"user": userJSON(u), "token": token})
}

// PipelineJSON is a stored pipeline version.
type PipelineJSON struct {
	ID      int64          `json:"id"`
	Key     string         `json:"key"`
	Version int            `json:"version"`
	SHA256  string         `json:"sha256"`
	Name    workflow.Names `json:"name"`
	Stages  []StageJSON    `json:"stages"`
	YAML    string         `json:"yaml"`
}

// StageJSON is a stage of a pipeline.
type StageJSON struct {
	Key          string             `json:"key"`
	Name         workflow.Names     `json:"name"`
	Skippable    bool               `json:"skippable"`
	ExitRoles    []workflow.Role    `json:"exit_roles"`
	TrainingGate bool               `json:"training_gate"`
	Requires     []workflow.Missing `json:"requires"`
}

// PipelineToJSON converts a pipeline for the API.
func PipelineToJSON(p *workflow.Pipeline) PipelineJSON {
	out := PipelineJSON{ID: p.ID, Key: p.Key, Version: p.Version, SHA256: p.SHA256, Name: p.Name, YAML: string(p.Source)}
	for _, st := range p.Stages {
		sj := StageJSON{Key: st.Key, Name: st.Name, Skippable: st.Skippable, ExitRoles: st.ExitRoles, TrainingGate: st.TrainingGate, Requires: []workflow.Missing{}}
		for _, r := range st.Requires {
			sj.Requires = append(sj.Requires, r.Describe())
		}
		out.Stages = append(out.Stages, sj)
	}
	return out
}

func (s *Server) handlePipelineCurrent(c echo.Context) error {
	p, err := s.Store.CurrentPipeline(ctxOf(c), s.PipelineKey)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PipelineToJSON(p))
}

func (s *Server) handlePipelineGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.Store.PipelineByID(ctxOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PipelineToJSON(p))
}

// handlePipelineCreate stores a new version from a YAML body (Content-Type application/yaml
// or text/yaml) or from JSON {"yaml": "..."}.
func (s *Server) handlePipelineCreate(c echo.Context) error {
	var src []byte
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if bytes.HasPrefix([]byte(ct), []byte("application/json")) {
		var req struct {
			YAML string `json:"yaml"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		src = []byte(req.YAML)
	} else {
		b, err := io.ReadAll(io.LimitReader(c.Request().Body, workflow.MaxPipelineBytes+1))
		if err != nil {
			return &badRequestError{msg: "cannot read the body"}
		}
		src = b
	}
	u := currentUser(c)
	p, err := s.Store.SavePipeline(ctxOf(c), src, &u.ID)
	if err != nil {
		return err
	}
	if p.Key != s.PipelineKey {
		// Other keys are stored too; new deals keep using PipelineKey.
		s.log.Info("pipeline stored under another key", "key", p.Key)
	}
	return c.JSON(http.StatusCreated, PipelineToJSON(p))
}
