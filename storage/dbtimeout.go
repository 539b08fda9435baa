package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// DefaultStatementTimeout is the bound of one PostgreSQL round trip that `dealgate` uses unless
// DEALGATE_DB_TIMEOUT says otherwise (Config.StatementTimeout; zero there means no bound).
const DefaultStatementTimeout = 5 * time.Second

// maxPingTimeout bounds the liveness ping that the pool sends before reusing a connection that
// has been idle for a second or more. A ping is an empty round trip: when it has not come back
// within a second the connection is not worth waiting for (it is dropped and replaced, which
// costs one reconnection if the database was only slow), and a frozen database is found out
// after one second per pooled connection the pool tries rather than one full bound each.
const maxPingTimeout = time.Second

type statementTimeoutKey struct{}

// WithStatementTimeout returns a context under which each PostgreSQL round trip may take up to
// d instead of the store's Config.StatementTimeout; d = 0 lifts the bound, leaving only ctx's
// own deadline. Long legitimate work runs under it: statistics over a year of events, the
// whole audit log's verification, demo seeding, migrations.
func WithStatementTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, statementTimeoutKey{}, d)
}

// boundedConnector wraps the pgx connector so that every round trip to the server —
// connecting, the ping before a pooled connection is reused, each statement with the reading
// of its rows, BEGIN, COMMIT and ROLLBACK — has a deadline. PostgreSQL does not answer a
// frozen host's connections (nor those of a network path that drops packets without closing
// anything), and without a deadline a request would wait for its own timeout, holding a pooled
// connection all along. When the deadline passes, pgx abandons the connection (the pool
// replaces it) and the caller gets an error wrapping context.DeadlineExceeded, which storage
// and the API answer as unavailable (503).
type boundedConnector struct {
	driver.Connector
	timeout time.Duration
}

func newBoundedConnector(c driver.Connector, timeout time.Duration) driver.Connector {
	if timeout <= 0 {
		return c
	}
	return &boundedConnector{Connector: c, timeout: timeout}
}

// roundTripLimit is the bound of a round trip made with ctx (0: none).
func roundTripLimit(ctx context.Context, def time.Duration) time.Duration {
	if d, ok := ctx.Value(statementTimeoutKey{}).(time.Duration); ok {
		return d
	}
	return def
}

// boundRoundTrip returns ctx limited to d from now (d <= 0: ctx unchanged).
func boundRoundTrip(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// Connect opens a connection within the bound.
func (c *boundedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cctx, cancel := boundRoundTrip(ctx, roundTripLimit(ctx, c.timeout))
	defer cancel()
	conn, err := c.Connector.Connect(cctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(*stdlib.Conn)
	if !ok {
		return conn, nil
	}
	return &boundedConn{Conn: pc, timeout: c.timeout}, nil
}

// boundedConn is a pgx connection whose round trips have deadlines. The methods it does not
// override (CheckNamedValue, Prepare, Close…) are pgx's own.
type boundedConn struct {
	*stdlib.Conn
	timeout time.Duration
}

// ExecContext runs a statement within the bound.
func (c *boundedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ectx, cancel := boundRoundTrip(ctx, roundTripLimit(ctx, c.timeout))
	defer cancel()
	return c.Conn.ExecContext(ectx, query, args)
}

// QueryContext runs a query; the bound covers reading its rows, until they are closed.
func (c *boundedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	d := roundTripLimit(ctx, c.timeout)
	if d <= 0 {
		return c.Conn.QueryContext(ctx, query, args)
	}
	qctx, cancel := context.WithTimeout(ctx, d)
	rows, err := c.Conn.QueryContext(qctx, query, args)
	if err != nil {
		cancel()
		return nil, err
	}
	pr, ok := rows.(*stdlib.Rows)
	if !ok {
		return &cancelRows{Rows: rows, cancel: cancel}, nil
	}
	return &boundedRows{Rows: pr, cancel: cancel}, nil
}

// Ping checks the connection within the ping bound.
func (c *boundedConn) Ping(ctx context.Context) error {
	pctx, cancel := boundRoundTrip(ctx, pingRoundTripLimit(roundTripLimit(ctx, c.timeout)))
	defer cancel()
	return c.Conn.Ping(pctx)
}

// ResetSession runs before a pooled connection is reused (pgx pings one that has been idle
// for a second); within the ping bound.
func (c *boundedConn) ResetSession(ctx context.Context) error {
	rctx, cancel := boundRoundTrip(ctx, pingRoundTripLimit(roundTripLimit(ctx, c.timeout)))
	defer cancel()
	return c.Conn.ResetSession(rctx)
}

func pingRoundTripLimit(d time.Duration) time.Duration {
	if d > maxPingTimeout {
		return maxPingTimeout
	}
	return d
}

// BeginTx starts a transaction within the bound. pgx keeps the context it is given for COMMIT
// and ROLLBACK, so it gets one whose deadline is armed only while BEGIN, COMMIT or ROLLBACK
// is on the wire; the statements in between are bounded one by one like any other.
func (c *boundedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	d := roundTripLimit(ctx, c.timeout)
	if d <= 0 {
		return c.Conn.BeginTx(ctx, opts)
	}
	tctx := newOpContext(ctx)
	tctx.arm(d)
	tx, err := c.Conn.BeginTx(tctx, opts)
	tctx.disarm()
	if err != nil {
		tctx.release()
		return nil, err
	}
	return &boundedTx{Tx: tx, ctx: tctx, timeout: d}, nil
}

// boundedRows cancels the query's deadline when its rows are closed; embedding pgx's rows
// keeps their column type methods.
type boundedRows struct {
	*stdlib.Rows
	cancel context.CancelFunc
}

// Close closes the rows and releases the deadline.
func (r *boundedRows) Close() error {
	err := r.Rows.Close()
	r.cancel()
	return err
}

type cancelRows struct {
	driver.Rows
	cancel context.CancelFunc
}

func (r *cancelRows) Close() error {
	err := r.Rows.Close()
	r.cancel()
	return err
}

type boundedTx struct {
	driver.Tx
	ctx     *opContext
	timeout time.Duration
}

// Commit sends COMMIT within the bound.
func (t *boundedTx) Commit() error {
	t.ctx.arm(t.timeout)
	defer t.ctx.release()
	return t.Tx.Commit()
}

// Rollback sends ROLLBACK within the bound.
func (t *boundedTx) Rollback() error {
	t.ctx.arm(t.timeout)
	defer t.ctx.release()
	return t.Tx.Rollback()
}

// opContext is a transaction's context for pgx: it is done when its parent is, or when an
// armed operation overruns its bound. Once done it stays done (the connection is then
// abandoned anyway).
type opContext struct {
	context.Context
	done chan struct{}

	mu    sync.Mutex
	err   error
	timer *time.Timer
	stop  func() bool
}

func newOpContext(parent context.Context) *opContext {
	c := &opContext{Context: parent, done: make(chan struct{})}
	c.stop = context.AfterFunc(parent, func() { c.finish(parent.Err()) })
	return c
}

func (c *opContext) finish(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}

// Done is closed when the parent is done or an armed operation overran.
func (c *opContext) Done() <-chan struct{} { return c.done }

// Err says why Done is closed.
func (c *opContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *opContext) arm(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = time.AfterFunc(d, func() { c.finish(context.DeadlineExceeded) })
}

func (c *opContext) disarm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

func (c *opContext) release() {
	c.disarm()
	c.stop()
}

// openPostgresPool opens the PostgreSQL pool through pgx with every round trip bounded by
// timeout (0: unbounded). It does what gorm's PostgreSQL driver does with a DSN, including a
// timezone parameter setting the location timestamps are read in.
func openPostgresPool(dsn string, timeout time.Duration) (*sql.DB, error) {
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	var opts []stdlib.OptionOpenDB
	if m := timeZoneParam.FindStringSubmatch(dsn); len(m) > 2 {
		config.RuntimeParams["timezone"] = m[2]
		opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, conn *pgx.Conn) error {
			loc, err := time.LoadLocation(m[2])
			if err != nil {
				return err
			}
			conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamp", OID: pgtype.TimestampOID, Codec: &pgtype.TimestampCodec{ScanLocation: loc}})
			return nil
		}))
	}
	return sql.OpenDB(newBoundedConnector(stdlib.GetConnector(*config, opts...), timeout)), nil
}

// timeZoneParam finds a timezone parameter in a DSN (as gorm's PostgreSQL driver does).
var timeZoneParam = regexp.MustCompile("(time_zone|TimeZone|timezone)=(.*?)($|&| )")
