package reliability

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// pgInstance is a private PostgreSQL server: its own data directory and port, started and
// stopped by the test. Restarting the shared server of DEALGATE_TEST_POSTGRES would break
// every other test running against it, so the restart tests run on one of these.
type pgInstance struct {
	t    testing.TB
	bin  string // directory of initdb, pg_ctl, postgres
	root string // holds data/, the socket and the log
	port int
	cred *syscall.Credential // the postgres account when the test runs as root
}

// newPGInstance initialises and starts a private PostgreSQL. Without PostgreSQL's server
// binaries the test is skipped, unless CI=true, where it fails.
func newPGInstance(t testing.TB) *pgInstance {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			bins = []string{p}
		}
	}
	if len(bins) == 0 {
		msg := "PostgreSQL's server binaries (initdb, pg_ctl) are not installed; scripts/test.sh installs them"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	sort.Slice(bins, func(i, j int) bool { return pgMajor(bins[i]) < pgMajor(bins[j]) })
	p := &pgInstance{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	root, err := os.MkdirTemp("", "dealgate-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.root = root
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the postgres account.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root without a postgres account: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(root, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = p.ctl("stop", "-m", "immediate")
		os.RemoveAll(root)
	})
	if out, err := p.run("initdb", "-D", p.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	conf := "listen_addresses = '127.0.0.1'\nunix_socket_directories = '" + root + "'\nmax_connections = 200\nfsync = on\n"
	f, err := os.OpenFile(filepath.Join(p.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(conf)
	f.Close()
	addr := freeAddr(t)
	p.port, _ = strconv.Atoi(addr[strings.LastIndexByte(addr, ':')+1:])
	p.start()
	return p
}

func pgMajor(path string) int {
	for _, part := range strings.Split(path, "/") {
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}

func (p *pgInstance) data() string { return filepath.Join(p.root, "data") }

func (p *pgInstance) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = p.root
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	return cmd.CombinedOutput()
}

// ctl runs pg_ctl with the instance's data directory, port and log.
func (p *pgInstance) ctl(action string, args ...string) error {
	a := []string{"-D", p.data(), "-l", filepath.Join(p.root, "server.log"), "-w", "-t", "120"}
	if action == "start" {
		a = append(a, "-o", fmt.Sprintf("-p %d", p.port))
	}
	out, err := p.run("pg_ctl", append(append(a, args...), action)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", action, err, out)
	}
	return nil
}

// start starts the server and waits until it accepts connections.
func (p *pgInstance) start() {
	p.t.Helper()
	if err := p.ctl("start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.root, "server.log"))
		p.t.Fatalf("%v\nserver log:\n%s", err, tail(log, 3000))
	}
}

// stop stops the server: mode "fast" (sessions are ended, a clean shutdown) or "immediate"
// (every process killed at once, like a crash; the next start replays the WAL).
func (p *pgInstance) stop(mode string) {
	p.t.Helper()
	if err := p.ctl("stop", "-m", mode); err != nil {
		p.t.Fatal(err)
	}
}

// url returns the URL of a database on the instance.
func (p *pgInstance) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// createDatabase creates a database and returns its URL.
func (p *pgInstance) createDatabase(name string) string {
	p.t.Helper()
	db, err := sql.Open("pgx", p.url("postgres"))
	if err != nil {
		p.t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		p.t.Fatal(err)
	}
	return p.url(name)
}
