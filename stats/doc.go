// Package stats computes dealgate's commercial statistics from the deals' events, derives
// norms from the best reps, shows where each rep falls behind, draws the charts (SVG, on the
// server) and exports every table as CSV and XLSX.
//
// # Where the figures come from
//
// Every accepted move of a deal writes one transition event per stage left (workflow), and a
// deal's first event (deal_created) enters its first stage. A stage visit is therefore an
// event with a to_stage — its entry — followed, in the deal's chain, by the next stage move:
// its exit. The database pairs them with LEAD() over (deal_id ORDER BY seq) and aggregates;
// the events are never loaded into memory. Both PostgreSQL and SQLite run the same queries
// (a few expressions differ, see dialect).
//
// # Definitions (DOMAIN.md §3)
//
//   - Period: [From, To), by default the twelve months up to the latest event. Stage figures
//     are a cohort by entry date: a visit counts when its entry falls in the period, whatever
//     happened to it later (so long stages do not look bad at the period's end).
//   - Entered: visits of the stage; advanced, skipped, lost and won say how they ended; open
//     visits have not ended yet.
//   - Conversion to the next stage = (advanced + won) / (advanced + won + lost). Skipped and
//     open visits are left out: a skipped stage was not worked, an open one is not decided.
//   - Through rate = (advanced + won + skipped) / (that + lost): the share that got past the
//     stage either way; the reverse funnel and the money a gap costs use it.
//   - Conversion to won = deals now won / deals now won or lost, among the stage's entries.
//   - Time in stage: median and 90th percentile, in calendar days, of the visits that left
//     the stage forward (advanced or won); percentiles interpolate linearly between order
//     statistics (PostgreSQL's percentile_cont), which the database selects.
//   - Deals: won, lost, win rate, turnover (amount excl. VAT), profit (amount − cost), margin
//     and cycle time (created → won) count deals closed in the period.
//   - Activity volume: calls, meetings and e-mails logged, and proposals finalised, per week
//     of the rep's time in the period (from their first deal when they joined later).
//   - Statistics belong to the deal's owner.
//
// Norms (norms.go), gaps (gaps.go) and the reverse funnel follow DOMAIN.md §3.2–3.3; each
// function states its method.
package stats
