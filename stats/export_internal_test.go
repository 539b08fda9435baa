package stats

import "github.com/dealgate/dealgate/storage"

// VisitsSQLForTest exposes the stage-visit query to the benchmark (package stats_test).
func VisitsSQLForTest(st *storage.Store, f Filter) (string, []any) {
	return visitsSQL(dialect{pg: st.Dialect() == storage.Postgres}, f)
}
