package stats

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dealgate/dealgate/storage"
)

// dialect writes the few expressions that differ between PostgreSQL and SQLite.
type dialect struct{ pg bool }

// ts is a timestamp column as it is compared: SQLite keeps RFC 3339 text whose fraction has a
// varying length, so text order is not time order there; julianday() is.
func (d dialect) ts(col string) string {
	if d.pg {
		return col
	}
	return "julianday(" + col + ")"
}

// param is a timestamp parameter placeholder, comparable with ts().
func (d dialect) param() string {
	if d.pg {
		return "?"
	}
	return "julianday(?)"
}

// arg converts a time for param().
func (d dialect) arg(t time.Time) any {
	if d.pg {
		return t.UTC()
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// days is the length of [a, b] in days, as a double.
func (d dialect) days(a, b string) string {
	if d.pg {
		return "CAST(EXTRACT(EPOCH FROM (" + b + " - " + a + ")) AS DOUBLE PRECISION) / 86400.0"
	}
	return "(julianday(" + b + ") - julianday(" + a + "))"
}

// month is the UTC calendar month of a timestamp as "YYYY-MM".
func (d dialect) month(col string) string {
	if d.pg {
		return "to_char(" + d.monthKey(col) + ", 'YYYY-MM')"
	}
	return "strftime('%Y-%m', " + col + ")"
}

// monthKey is what month() groups by: on PostgreSQL the truncated timestamp (formatting every
// row would cost more than formatting each group).
func (d dialect) monthKey(col string) string {
	if d.pg {
		return "date_trunc('month', " + col + " AT TIME ZONE 'UTC')"
	}
	return d.month(col)
}

func (d dialect) float() string {
	if d.pg {
		return "DOUBLE PRECISION"
	}
	return "REAL"
}

// between is "col in [from, to)" with its two arguments appended to args.
func (d dialect) between(col string, p Period, args *[]any) string {
	*args = append(*args, d.arg(p.From), d.arg(p.To))
	return d.ts(col) + " >= " + d.param() + " AND " + d.ts(col) + " < " + d.param()
}

// dealWhere is the filter's condition on the deals table aliased as alias ("" when nothing
// is filtered), with its arguments appended to args.
func dealWhere(alias string, f Filter, args *[]any) string {
	var conds []string
	if len(f.RepIDs) > 0 {
		marks := make([]string, len(f.RepIDs))
		for i, id := range f.RepIDs {
			marks[i] = "?"
			*args = append(*args, id)
		}
		conds = append(conds, alias+".owner_id IN ("+strings.Join(marks, ", ")+")")
	}
	if f.MinAmount > 0 {
		conds = append(conds, alias+".amount >= ?")
		*args = append(*args, int64(f.MinAmount))
	}
	if f.MaxAmount > 0 {
		conds = append(conds, alias+".amount < ?")
		*args = append(*args, int64(f.MaxAmount))
	}
	return strings.Join(conds, " AND ")
}

func and(conds ...string) string {
	var out []string
	for _, c := range conds {
		if c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, " AND ")
}

// visitRow is one row of the stage-visit query: either counts of visits of one (owner, stage,
// outcome, reason, deal status), or the order statistics of the forward exits' durations for
// one (owner, stage) — owner 0 is the whole team.
type visitRow struct {
	Part    string // "c" counts, "p" a rep's durations, "t" the team's durations
	OwnerID int64
	Stage   string
	Outcome string // advance, skip, lose, win, or "" while the visit is open
	Reason  string // for lose
	Status  string // the deal's status now
	N       int64
	Amount  int64
	V       [4]sql.NullFloat64 // p50 lo, p50 hi, p90 lo, p90 hi
}

// visitsSQL builds the one statement that reads every stage visit entered in the period and
// aggregates it. The visits come from stat_stage_visits, which the database keeps from the
// events (migrations 00009 and 00011): a deal moves only forward and a stage key is unique in
// its pipeline, so a deal visits a stage at most once, entering it with the stage move whose
// to_stage is the stage and leaving it — advance, skip, lose or win — with its one transition
// whose from_stage is the stage; a visit still open has no outcome. Each visit carries its
// deal's owner, status and amount.
func visitsSQL(d dialect, f Filter) (string, []any) {
	var args []any
	cond := func() string {
		return and(d.between("v.entered_at", f.Period, &args), dealWhere("v", f, &args))
	}
	days := "v.days" // set by the database when the visit ends
	fwd := `v.outcome IN ('advance', 'win')`
	null := `CAST(NULL AS ` + d.float() + `)`
	counts := func() string {
		return `SELECT 'c' AS part, v.owner_id, v.stage, v.outcome, v.reason, v.status, COUNT(*) AS n, CAST(SUM(v.amount) AS BIGINT) AS amount,
	` + null + ` AS v1, ` + null + ` AS v2, ` + null + ` AS v3, ` + null + ` AS v4
FROM stat_stage_visits v WHERE ` + cond() + ` GROUP BY v.owner_id, v.stage, v.outcome, v.reason, v.status`
	}
	if d.pg {
		// PostgreSQL has the percentiles themselves (percentile_cont interpolates between
		// order statistics like the portable form below): parts "P" (a rep) and "T" (the team).
		pct := `percentile_cont(0.5) WITHIN GROUP (ORDER BY ` + days + `), ` + null + `, percentile_cont(0.9) WITHIN GROUP (ORDER BY ` + days + `), ` + null
		q := counts() + `
UNION ALL
SELECT 'P', v.owner_id, v.stage, '', '', '', COUNT(*), 0, ` + pct + ` FROM stat_stage_visits v WHERE ` + cond() + ` AND ` + fwd + ` GROUP BY v.owner_id, v.stage
UNION ALL
SELECT 'T', 0, v.stage, '', '', '', COUNT(*), 0, ` + pct + ` FROM stat_stage_visits v WHERE ` + cond() + ` AND ` + fwd + ` GROUP BY v.stage`
		return q, args
	}
	// SQLite selects, per group, the order statistics around each percentile's position:
	// with n values, p's position is p·(n−1) from 0; integer arithmetic finds its floor.
	pick := `SUM(CASE WHEN rn = (cnt - 1) / 2 + 1 THEN days END), SUM(CASE WHEN rn = (cnt - 1) / 2 + 2 THEN days END),
	SUM(CASE WHEN rn = 9 * (cnt - 1) / 10 + 1 THEN days END), SUM(CASE WHEN rn = 9 * (cnt - 1) / 10 + 2 THEN days END)`
	c := counts()
	q := `WITH fwd AS MATERIALIZED (
	SELECT v.owner_id, v.stage, ` + days + ` AS days FROM stat_stage_visits v WHERE ` + cond() + ` AND ` + fwd + `
), ranked AS (
	SELECT owner_id, stage, days,
		ROW_NUMBER() OVER (PARTITION BY owner_id, stage ORDER BY days) AS rn,
		COUNT(*) OVER (PARTITION BY owner_id, stage) AS cnt
	FROM fwd
), team AS (
	SELECT stage, days,
		ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) AS rn,
		COUNT(*) OVER (PARTITION BY stage) AS cnt
	FROM fwd
)
` + c + `
UNION ALL
SELECT 'p', owner_id, stage, '', '', '', MAX(cnt), 0, ` + pick + ` FROM ranked GROUP BY owner_id, stage
UNION ALL
SELECT 't', 0, stage, '', '', '', MAX(cnt), 0, ` + pick + ` FROM team GROUP BY stage`
	// The CTE's arguments come first in the text.
	n := len(args) / 2
	args = append(args[n:], args[:n]...)
	return q, args
}

func (s *Service) queryVisits(db *gorm.DB, f Filter) ([]visitRow, error) {
	q, args := visitsSQL(s.dialect(), f)
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: stage visits: %w", err)
	}
	defer rows.Close()
	var out []visitRow
	for rows.Next() {
		var r visitRow
		var amount sql.NullInt64
		if err := rows.Scan(&r.Part, &r.OwnerID, &r.Stage, &r.Outcome, &r.Reason, &r.Status, &r.N, &amount, &r.V[0], &r.V[1], &r.V[2], &r.V[3]); err != nil {
			return nil, fmt.Errorf("stats: stage visits: %w", err)
		}
		r.Amount = amount.Int64
		out = append(out, r)
	}
	return out, rows.Err()
}

// cycleRow holds the order statistics of the cycle time (created → won) of the deals won in
// the period, per owner (0: the team).
type cycleRow struct {
	OwnerID int64
	N       int64
	V       [4]sql.NullFloat64
}

func (s *Service) queryCycle(db *gorm.DB, f Filter) ([]cycleRow, error) {
	d := s.dialect()
	var args []any
	where := and("d.status = 'won'", "d.closed_at IS NOT NULL", d.between("d.closed_at", f.Period, &args), dealWhere("d", f, &args))
	pick := `SUM(CASE WHEN rn = (cnt - 1) / 2 + 1 THEN days END), SUM(CASE WHEN rn = (cnt - 1) / 2 + 2 THEN days END),
	SUM(CASE WHEN rn = 9 * (cnt - 1) / 10 + 1 THEN days END), SUM(CASE WHEN rn = 9 * (cnt - 1) / 10 + 2 THEN days END)`
	q := `WITH won AS MATERIALIZED (
	SELECT d.owner_id, ` + d.days("d.created_at", "d.closed_at") + ` AS days FROM deals d WHERE ` + where + `
), r1 AS (
	SELECT owner_id, days, ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY days) AS rn, COUNT(*) OVER (PARTITION BY owner_id) AS cnt FROM won
), r2 AS (
	SELECT days, ROW_NUMBER() OVER (ORDER BY days) AS rn, COUNT(*) OVER () AS cnt FROM won
)
SELECT owner_id, MAX(cnt), ` + pick + ` FROM r1 GROUP BY owner_id
UNION ALL
SELECT 0, MAX(cnt), ` + pick + ` FROM r2`
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: cycle time: %w", err)
	}
	defer rows.Close()
	var out []cycleRow
	for rows.Next() {
		var r cycleRow
		var n sql.NullInt64
		if err := rows.Scan(&r.OwnerID, &n, &r.V[0], &r.V[1], &r.V[2], &r.V[3]); err != nil {
			return nil, fmt.Errorf("stats: cycle time: %w", err)
		}
		if !n.Valid || n.Int64 == 0 {
			continue
		}
		r.N = n.Int64
		out = append(out, r)
	}
	return out, rows.Err()
}

// ownerRow says how many deals an owner created in the period and when their first deal
// ever was (their start, for tenure and for the weeks their activity is spread over).
type ownerRow struct {
	OwnerID int64
	Created int64
	First   time.Time
}

func (s *Service) queryOwners(db *gorm.DB, f Filter) ([]ownerRow, error) {
	d := s.dialect()
	var args []any
	// The CASE arguments come first in the text, so they are appended first.
	inPeriod := d.between("d.created_at", f.Period, &args)
	where := dealWhere("d", f, &args)
	if where == "" {
		where = "1 = 1"
	}
	q := `SELECT d.owner_id, SUM(CASE WHEN ` + inPeriod + ` THEN 1 ELSE 0 END), MIN(d.created_at)
FROM deals d WHERE ` + where + ` GROUP BY d.owner_id`
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: owners: %w", err)
	}
	defer rows.Close()
	var out []ownerRow
	for rows.Next() {
		var r ownerRow
		var first any
		if err := rows.Scan(&r.OwnerID, &r.Created, &first); err != nil {
			return nil, fmt.Errorf("stats: owners: %w", err)
		}
		if r.First, err = scanTime(first); err != nil {
			return nil, fmt.Errorf("stats: owners: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanTime reads a timestamp that an aggregate returned: a time.Time from PostgreSQL, RFC 3339
// text from SQLite (an aggregate's result carries no declared type there).
func scanTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		return parseTimeText(x)
	case []byte:
		return parseTimeText(string(x))
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected time value %T", v)
}

func parseTimeText(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// activityRow counts what a person did in the period: activities by kind, and "proposal" for
// commercial proposals finalised (first versions; a correction is not a new proposal).
// Activity belongs to whoever logged it (the rep who made the call), not to the deal's owner.
type activityRow struct {
	OwnerID int64
	Kind    string
	N       int64
}

// midnight reports whether t is 00:00 UTC.
func midnight(t time.Time) bool {
	t = t.UTC()
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

func (s *Service) queryActivity(db *gorm.DB, f Filter) ([]activityRow, error) {
	d := s.dialect()
	var args []any
	var q string
	if f.MinAmount == 0 && f.MaxAmount == 0 && midnight(f.Period.From) && midnight(f.Period.To) {
		// Whole days and no deal-size segment: the daily rollup (migration 00010).
		where := "x.day >= ? AND x.day < ?"
		if d.pg {
			where = "x.day >= CAST(? AS DATE) AND x.day < CAST(? AS DATE)"
		}
		args = append(args, f.Period.From.UTC().Format(time.DateOnly), f.Period.To.UTC().Format(time.DateOnly))
		if c := actorIn("x.actor_id", f, &args); c != "" {
			where += " AND " + c
		}
		q = `SELECT x.actor_id, x.kind, CAST(SUM(x.n) AS BIGINT) FROM stat_activity_days x WHERE ` + where + ` GROUP BY x.actor_id, x.kind`
	} else {
		w := and(d.between("a.at", f.Period, &args), actorIn("a.actor_id", f, &args), amountIn("d", f, &args))
		q = `SELECT a.actor_id, a.kind, COUNT(*) FROM activities a JOIN deals d ON d.id = a.deal_id WHERE ` + w + ` GROUP BY a.actor_id, a.kind`
	}
	w2 := and("x.kind = 'proposal'", "x.version = 1", "x.finalised_at IS NOT NULL", d.between("x.finalised_at", f.Period, &args),
		actorIn("x.created_by", f, &args), amountIn("d", f, &args))
	q += `
UNION ALL
SELECT x.created_by, 'proposal', COUNT(*) FROM documents x JOIN deals d ON d.id = x.deal_id WHERE ` + w2 + ` GROUP BY x.created_by`
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: activity: %w", err)
	}
	defer rows.Close()
	var out []activityRow
	for rows.Next() {
		var r activityRow
		if err := rows.Scan(&r.OwnerID, &r.Kind, &r.N); err != nil {
			return nil, fmt.Errorf("stats: activity: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// actorIn is "col IN (the filter's reps)", or "".
func actorIn(col string, f Filter, args *[]any) string {
	if len(f.RepIDs) == 0 {
		return ""
	}
	marks := make([]string, len(f.RepIDs))
	for i, id := range f.RepIDs {
		marks[i] = "?"
		*args = append(*args, id)
	}
	return col + " IN (" + strings.Join(marks, ", ") + ")"
}

// amountIn is the filter's deal-size segment on the deals aliased alias, or "".
func amountIn(alias string, f Filter, args *[]any) string {
	return dealWhere(alias, Filter{MinAmount: f.MinAmount, MaxAmount: f.MaxAmount}, args)
}

// CheckActivity recounts the activities by person, day and kind and returns how many of
// those counts differ from stat_activity_days (a maintenance check).
func (s *Service) CheckActivity(ctx context.Context) (int64, error) {
	day := "CAST(a.at AT TIME ZONE 'UTC' AS DATE)"
	if s.Store.Dialect() != storage.Postgres {
		day = "date(a.at)"
	}
	q := `WITH r AS (SELECT a.actor_id, ` + day + ` AS day, a.kind, COUNT(*) AS n FROM activities a GROUP BY 1, 2, 3)
SELECT COUNT(*) FROM r FULL OUTER JOIN stat_activity_days x ON x.actor_id = r.actor_id AND x.day = r.day AND x.kind = r.kind
WHERE r.actor_id IS NULL OR x.actor_id IS NULL OR x.n <> r.n`
	var n int64
	err := s.Store.DB().WithContext(ctx).Raw(q).Row().Scan(&n)
	return n, err
}

// monthRow is one owner's month: deals created, and deals closed by status with their money.
type monthRow struct {
	OwnerID int64
	Month   string
	What    string // "created", "won", "lost"
	N       int64
	Amount  int64
	Cost    int64
}

func (s *Service) queryMonths(db *gorm.DB, f Filter) ([]monthRow, error) {
	d := s.dialect()
	var args []any
	w1 := and("d.closed_at IS NOT NULL", d.between("d.closed_at", f.Period, &args), dealWhere("d", f, &args))
	w2 := and(d.between("d.created_at", f.Period, &args), dealWhere("d", f, &args))
	q := `SELECT d.owner_id, ` + d.month("d.closed_at") + ` AS month, d.status, COUNT(*), CAST(SUM(d.amount) AS BIGINT), CAST(SUM(d.cost) AS BIGINT)
FROM deals d WHERE ` + w1 + ` GROUP BY d.owner_id, ` + d.monthKey("d.closed_at") + `, d.status
UNION ALL
SELECT d.owner_id, ` + d.month("d.created_at") + `, 'created', COUNT(*), CAST(SUM(d.amount) AS BIGINT), CAST(SUM(d.cost) AS BIGINT)
FROM deals d WHERE ` + w2 + ` GROUP BY d.owner_id, ` + d.monthKey("d.created_at")
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: months: %w", err)
	}
	defer rows.Close()
	var out []monthRow
	for rows.Next() {
		var r monthRow
		if err := rows.Scan(&r.OwnerID, &r.Month, &r.What, &r.N, &r.Amount, &r.Cost); err != nil {
			return nil, fmt.Errorf("stats: months: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// latestEvent returns the time of the newest event (zero when there is none).
func (s *Service) latestEvent(ctx context.Context) (time.Time, error) {
	var v any
	row := s.Store.DB().WithContext(ctx).Raw("SELECT MAX(at) FROM events").Row()
	if err := row.Scan(&v); err != nil {
		return time.Time{}, err
	}
	return scanTime(v)
}

func (s *Service) dialect() dialect { return dialect{pg: s.Store.Dialect() == storage.Postgres} }

// CheckVisits recomputes the stage visits from the events (and their deals) and returns how
// many differ from stat_stage_visits (missing, extra, or with another entry, exit, outcome,
// reason, owner, status or amount). It reads
// every stage move: a maintenance check, not for every request.
func (s *Service) CheckVisits(ctx context.Context) (int64, error) {
	differs := "IS DISTINCT FROM"
	if s.Store.Dialect() != storage.Postgres {
		differs = "IS NOT"
	}
	q := `WITH r AS (
	SELECT n.deal_id, n.to_stage AS stage, n.at AS entered_at, x.at AS left_at, COALESCE(x.action, '') AS outcome,
		CASE WHEN x.action = 'lose' THEN x.reason ELSE '' END AS reason, d.owner_id, d.status, d.amount
	FROM events n
	JOIN deals d ON d.id = n.deal_id
	LEFT JOIN events x ON x.deal_id = n.deal_id AND x.kind = 'transition' AND x.from_stage = n.to_stage
	WHERE n.kind IN ('deal_created', 'transition') AND n.to_stage <> ''
)
SELECT COUNT(*) FROM r FULL OUTER JOIN stat_stage_visits v ON v.deal_id = r.deal_id AND v.stage = r.stage
WHERE r.deal_id IS NULL OR v.deal_id IS NULL OR v.entered_at ` + differs + ` r.entered_at OR v.left_at ` + differs + ` r.left_at
	OR v.outcome <> r.outcome OR v.reason <> r.reason OR v.owner_id <> r.owner_id OR v.status <> r.status OR v.amount <> r.amount
	OR v.days ` + differs + ` (` + s.dialect().days("r.entered_at", "r.left_at") + `)`
	var n int64
	err := s.Store.DB().WithContext(ctx).Raw(q).Row().Scan(&n)
	return n, err
}
