package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/demo"
	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/stats"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

func init() {
	register(command{name: "demo", summary: "fill an empty database with a credible year of demo data", run: runDemo})
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := DefaultConfig().FromEnv()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindDB(fs)
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	deals := fs.Int("deals", 2000, "deals created in the reported year")
	history := fs.Int("history-months", demo.DefaultHistoryMonths, "months of deals before the reported year (the year starts with a pipeline in flight)")
	from := fs.String("from", "2025-03-01", "first day of the reported year")
	password := fs.String("password", "", "password of every demo user (default: a random one, printed once)")
	render := fs.Bool("render", true, "render every document's PDF and DOCX with the active templates (--render=false: documents keep their data only)")
	copies := fs.Int("copies", 1, "repeat the team of twelve reps (load tests)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	start, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		return fmt.Errorf("%w: --from must be a date YYYY-MM-DD", errUsage)
	}
	if *deals < 1 || *deals > 1_000_000 || *copies < 1 || *copies > 100 || *history < 0 || *history > 24 {
		return fmt.Errorf("%w: --deals 1…1000000, --copies 1…100, --history-months 0…24", errUsage)
	}
	// Seeding sends batches of thousands of rows in one statement and one transaction: only
	// ctx bounds them, not the per-round-trip bound of DEALGATE_DB_TIMEOUT.
	cfg.DBTimeout = 0
	log := cfg.logger(os.Stderr)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := firstAdmin(ctx, st, stdout); err != nil {
		return err
	}
	if *password == "" {
		var raw [9]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return err
		}
		*password = base64.RawURLEncoding.EncodeToString(raw[:])
	}
	gen := demo.Config{Seed: *seed, Deals: *deals, From: start, HistoryMonths: *history, Copies: *copies, Password: *password,
		HashPassword: api.HashPassword, Progress: stdout, Attempts: storeAttempts(st)}
	if *render {
		ds, err := api.NewDocumentService(st)
		if err != nil {
			return err
		}
		gen.Documents = renderDemoDocument(ds)
	}
	var seller documents.Party
	found, err := st.GetSetting(ctx, api.SettingSeller, &seller)
	if err != nil {
		return err
	}
	if !found {
		if err := st.PutSetting(ctx, api.SettingSeller, demo.Seller(*seed), nil); err != nil {
			return err
		}
	}
	res, err := demo.Generate(ctx, st, gen)
	if err != nil {
		return err
	}
	return printDemo(ctx, stdout, st, res, *password)
}

// renderDemoDocument renders a demo document's PDF and DOCX with the active templates, as
// finalising it through the API would.
func renderDemoDocument(ds *api.DocumentService) demo.DocumentFunc {
	return func(ctx context.Context, req demo.DocumentRequest) (demo.DocumentFiles, error) {
		var out demo.DocumentFiles
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			b, tf, err := ds.Renderer.Render(ctx, req.Data, f, documents.RenderOptions{})
			if err != nil {
				return out, fmt.Errorf("render %s: %w", f, err)
			}
			if f == documents.PDF {
				out.PDF = b
			} else {
				out.DOCX = b
			}
			out.Templates = append(out.Templates, storage.TemplateRef{Format: string(f), ID: tf.ID, Version: tf.Version, SHA256: tf.SHA256, Name: tf.Name})
		}
		return out, nil
	}
}

// storeAttempts records the planned test attempts through the training store: each attempt
// is started and submitted at its planned time, answering as many questions correctly as its
// score says.
func storeAttempts(st *storage.Store) demo.AttemptFunc {
	return func(ctx context.Context, attempts []demo.Attempt) error {
		sorted := append([]demo.Attempt(nil), attempts...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].At.Before(sorted[j].At) })
		clock := st.Now
		defer func() { st.Now = clock }()
		for _, a := range sorted {
			at := a.At
			st.Now = func() time.Time { return at }
			ta, _, err := st.StartTrainingAttempt(ctx, a.Rep.ID, a.Stage)
			if workflow.Code(err) == workflow.ENOTFOUND {
				continue // the bank has no questions for this stage
			}
			if err != nil {
				return fmt.Errorf("%s, %s: %w", a.Rep.Email, a.Stage, err)
			}
			qs := ta.Attempt.Questions
			right := int(a.Score*float64(len(qs)) + 0.5)
			answers := map[string][]string{}
			for i, q := range qs {
				if i < right {
					answers[q.ID] = q.Correct
					continue
				}
				for _, o := range q.Options {
					if !demoContains(q.Correct, o.ID) {
						answers[q.ID] = []string{o.ID}
						break
					}
				}
			}
			done := at.Add(12 * time.Minute)
			st.Now = func() time.Time { return done }
			if _, _, err := st.SubmitTrainingAttempt(ctx, ta.ID, a.Rep.ID, answers); err != nil {
				return fmt.Errorf("%s, %s: %w", a.Rep.Email, a.Stage, err)
			}
		}
		return nil
	}
}

func demoContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// printDemo states what was made, the year's figures per rep as the statistics compute them,
// and how to look at them.
func printDemo(ctx context.Context, w io.Writer, st *storage.Store, res demo.Result, password string) error {
	fmt.Fprintf(w, "\nDone in %.1f s: %d companies, %d deals (%d won, %d lost, %d open), %d events, %d activities, %d facts, %d documents, %d test attempts.\n",
		res.Took.Seconds(), res.Companies, res.Deals, res.Won, res.Lost, res.Open, res.Events, res.Activities, res.Facts, res.Documents, len(res.Attempts))
	svc := stats.NewService(st)
	p := stats.Period{From: res.Period[0], To: res.Period[1]}
	r, err := svc.Funnel(ctx, stats.Filter{Period: p})
	if err != nil {
		return err
	}
	d := r.Team.Deals
	fmt.Fprintf(w, "The year %s — %s: %d deals created, %d won, turnover %s, profit %s (margin %.1f %%).\n",
		p.From.Format("02.01.2006"), p.LastDay().Format("02.01.2006"), d.Created, d.Won, stats.RoublesShort(d.Turnover, "ru"),
		stats.RoublesShort(d.Profit, "ru"), float64(d.Margin)*100)
	ns := stats.ComputeNorms(r, stats.DefaultNormParams())
	gaps := stats.AllGaps(r, ns)
	fmt.Fprintln(w, "\nWhere deals are lost (as the statistics name it):")
	for _, wk := range stats.WeakestByStage(gaps) {
		fmt.Fprintln(w, "  "+wk.Sentence.Ru)
	}
	fmt.Fprintln(w, "\nSign in with these accounts (password for all: "+password+"):")
	fmt.Fprintf(w, "  %-26s %s\n", res.Manager.User.Email, "директор по продажам (manager): /stats")
	fmt.Fprintf(w, "  %-26s %s\n", res.Backoffice.User.Email, "бэк-офис (backoffice)")
	fmt.Fprintf(w, "  %-26s %s\n", res.Auditor.User.Email, "аудитор (auditor)")
	for _, rp := range res.Reps {
		weak := ""
		if rp.WeakAt != "" {
			weak = " — слабое место: " + rp.WeakAt
			for _, si := range r.Stages {
				if si.Key == rp.WeakAt {
					weak = " — слабое место: «" + si.Name.Ru + "»"
				}
			}
		}
		fmt.Fprintf(w, "  %-26s %s, %s%s\n", rp.User.Email, rp.User.Name, rp.Profile.Ru, weak)
	}
	fmt.Fprintln(w, "\nStart the server with the same DEALGATE_DATA_DIR / DATABASE_URL: dealgate serve")
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return nil
}
