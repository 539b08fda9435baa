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
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
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
	if w, ok := webApps.LoadAndDelete(srv); ok {
		w.(*web.Web).SecureCookies = cfg.SecureCookies
	}
	// Load the fonts now, so that the first document request is as fast as the others.
	if err := srv.Documents.Renderer.Warm(); err != nil {
		st.Close()
		return nil, fmt.Errorf("prepare the document fonts: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a := &App{Config: cfg, Store: st, Server: srv, Listener: ln, http: &http.Server{
		Handler: withLongRequests(srv.Handler()), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}}
	go func() {
		if err := a.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	return a, nil
}

// longRequests are the paths (and what lies below them) whose database work may rightly take
// longer than one round-trip bound (Config.DBTimeout): statistics over a year of events and
// their exports, and the audit of the whole checkpoint log. Their round trips are bounded by
// the request timeout only.
var longRequests = []string{"/api/v1/stats", "/stats", "/api/v1/audit/verify", "/audit"}

// withLongRequests lifts the round-trip bound for longRequests.
func withLongRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range longRequests {
			if r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/") {
				r = r.WithContext(storage.WithStatementTimeout(r.Context(), 0))
				break
			}
		}
		h.ServeHTTP(w, r)
	})
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

// serveConfig reads serve's configuration: the environment, overridden by the flags.
func serveConfig(args []string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig().FromEnv()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env DEALGATE_ADDR)")
	cfg.bindDB(fs)
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", cfg.SecureCookies,
		"mark the session cookie Secure, so browsers send it over HTTPS only: set it when users reach dealgate through HTTPS (env DEALGATE_SECURE_COOKIES=1)")
	fs.DurationVar(&cfg.DBTimeout, "db-timeout", cfg.DBTimeout,
		"bound of each PostgreSQL round trip: a database that stops answering gives 503 after about this long (env DEALGATE_DB_TIMEOUT; 0: no bound)")
	fs.DurationVar(&cfg.TokenCache, "token-cache", cfg.TokenCache,
		"how long a resolved API token is answered from memory; a revocation reaches other replicas after at most this long (env DEALGATE_TOKEN_CACHE; 0: off; at most 1m)")
	if err := parseFlags(fs, args, 0); err != nil {
		return cfg, err
	}
	if cfg.DBTimeout < 0 {
		return cfg, fmt.Errorf("%w: --db-timeout must not be negative", errUsage)
	}
	if cfg.TokenCache < 0 || cfg.TokenCache > time.Minute {
		return cfg, fmt.Errorf("%w: --token-cache must be from 0 to 1m", errUsage)
	}
	return cfg, cfg.Validate()
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := serveConfig(args, stderr)
	if err != nil {
		return err
	}
	gc := tuneGC()
	a, err := StartApp(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	if gc != "" {
		a.Server.Logger().Info("garbage collector tuned for a server", "settings", gc)
	}
	if addr := os.Getenv("DEALGATE_PPROF"); addr != "" {
		stop, err := startPprof(addr, a.Server.Logger())
		if err != nil {
			a.Close()
			return err
		}
		defer stop()
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

// Server defaults of the garbage collector, applied by serve when the environment sets neither
// GOGC nor GOMEMLIMIT. Rendering a document allocates about 1 MB that dies at once, so the
// default GOGC=100 collects very often and, on two cores, keeps the second core busy marking
// (LIBRARY-SPEED.md: GOGC=400 gave 1.6–1.9× on two cores). The soft memory limit makes the
// collector work harder again before the heap would push the process past ~200 MB resident.
const (
	serverGCPercent   = 400
	serverMemoryLimit = 160 << 20
)

// tuneGC applies the server defaults unless GOGC or GOMEMLIMIT is set, and describes what it did
// ("" when it left the runtime alone).
func tuneGC() string {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return ""
	}
	debug.SetGCPercent(serverGCPercent)
	debug.SetMemoryLimit(serverMemoryLimit)
	return fmt.Sprintf("GOGC=%d GOMEMLIMIT=%dMiB", serverGCPercent, serverMemoryLimit>>20)
}

// startPprof serves net/http/pprof on addr, which must be a loopback address: profiles show
// internals (and can be slow to take), so they are never offered to the network.
func startPprof(addr string, log interface{ Info(string, ...any) }) (stop func(), err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("DEALGATE_PPROF=%q: want host:port on loopback, e.g. 127.0.0.1:6060", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("DEALGATE_PPROF=%q: the profiler listens on loopback only (127.0.0.1 or ::1)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("DEALGATE_PPROF: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("pprof listening", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { _ = srv.Close() }, nil
}
