package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

func init() {
	register(command{name: "serve", summary: "run the server (SQLite by default, PostgreSQL with DATABASE_URL)", run: runServe})
}

// App is a running server: what serve builds, and what the end-to-end tests drive.
type App struct {
	Config   Config
	Store    *storage.Store
	Server   *api.Server
	Listener net.Listener
	http     *http.Server
}

// StartApp opens the store, prepares the first admin when the database is empty (its
// credentials are written to out once), and starts listening. Addr ":0" picks a free port.
func StartApp(ctx context.Context, cfg Config, out io.Writer) (*App, error) {
	log := cfg.logger(os.Stderr)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := firstAdmin(ctx, st, out); err != nil {
		st.Close()
		return nil, err
	}
	srv := api.NewServer(st, log)
	if err := configureServer(srv); err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a := &App{Config: cfg, Store: st, Server: srv, Listener: ln, http: &http.Server{
		Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}}
	go func() {
		if err := a.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	return a, nil
}

// URL is the server's base URL.
func (a *App) URL() string { return "http://" + a.Listener.Addr().String() }

// Close stops accepting requests, lets running ones finish (up to 10 s) and closes the store.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.http.Shutdown(ctx)
	if cerr := a.Store.Close(); err == nil {
		err = cerr
	}
	return err
}

// serverHooks add other packages' routes and pages to the server (see the *_wire.go files).
var serverHooks []func(*api.Server) error

func configureServer(s *api.Server) error {
	for _, h := range serverHooks {
		if err := h(s); err != nil {
			return err
		}
	}
	return nil
}

func firstAdmin(ctx context.Context, st *storage.Store, out io.Writer) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	password := base64.RawURLEncoding.EncodeToString(raw[:])
	hash, err := api.HashPassword(password)
	if err != nil {
		return err
	}
	var token string
	err = st.InTx(ctx, func(ctx context.Context) error {
		u, err := st.CreateUser(ctx, storage.User{Email: "admin@dealgate.local", Name: "Администратор", Role: workflow.RoleAdmin, PasswordHash: hash})
		if err != nil {
			return err
		}
		token, _, err = st.CreateToken(ctx, u.ID, "first start")
		return err
	})
	if err != nil {
		if workflow.Code(err) == workflow.ECONFLICT { // another replica made it first
			return nil
		}
		return err
	}
	fmt.Fprintln(out, "First start: an administrator was created. These credentials are shown once:")
	fmt.Fprintln(out, "  e-mail:    admin@dealgate.local")
	fmt.Fprintln(out, "  password: ", password)
	fmt.Fprintln(out, "  API token:", token)
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := DefaultConfig().FromEnv()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env DEALGATE_ADDR)")
	cfg.bindDB(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := StartApp(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	where := "SQLite in " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		where = "PostgreSQL"
	}
	fmt.Fprintf(stdout, "dealgate is listening on %s (%s)\n", a.URL(), where)
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	return a.Close()
}
