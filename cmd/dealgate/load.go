package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dealgate/dealgate/loadgen"
)

func init() {
	register(command{name: "load", summary: "load --target URL --token T [--clients N --duration D --scenario S]: the load generator", run: runLoad})
}

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var targets, tokens listFlag
	fs.Var(&targets, "target", "server base URL, e.g. http://127.0.0.1:8080 (repeat or comma-separate to spread clients over replicas)")
	fs.Var(&tokens, "token", "API token of a rep (repeatable; clients take them in turn)")
	tokensFile := fs.String("tokens-file", "", "file with one API token per line")
	clients := fs.Int("clients", 4, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to run (0: until --requests)")
	requests := fs.Int64("requests", 0, "stop after this many requests (0: until --duration)")
	scenario := fs.String("scenario", "sales", "sales, transitions, documents or invoices (invoices needs back-office or manager tokens)")
	prepare := fs.Int("prepare-deals", 0, "transitions scenario: deals each client creates before the clock starts, so that the timed run is transitions alone")
	seed := fs.Uint64("seed", 1, "random seed")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	allow := fs.Bool("allow-non-loopback", false, "allow a target that is not on this machine")
	idem := fs.Bool("idempotency-keys", false, "send an Idempotency-Key with every POST and retry failed ones with it")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *tokensFile != "" {
		b, err := os.ReadFile(*tokensFile)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				tokens = append(tokens, l)
			}
		}
	}
	cfg := loadgen.Config{Targets: targets, Tokens: tokens, Clients: *clients, Duration: *duration, Requests: *requests,
		Scenario: loadgen.Scenario(*scenario), Seed: *seed, AllowNonLoopback: *allow, IdempotencyKeys: *idem, PrepareDeals: *prepare}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *prepare > 0 {
		// Scripts that measure the server wait for this line (bench/run-all.sh).
		cfg.OnStart = func() { fmt.Fprintln(stderr, "load: timed run starts") }
	}
	if !*asJSON {
		cfg.Progress = stderr
		fmt.Fprintf(stderr, "load: %s scenario, %d clients against %s\n", cfg.Scenario, cfg.Clients, strings.Join(targets, ", "))
	}
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprint(stdout, rep.String())
	}
	if len(rep.Duplicate) > 0 {
		return fmt.Errorf("duplicate document numbers: %v", rep.Duplicate)
	}
	return nil
}
