package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func init() {
	register(command{name: "migrate", summary: "apply database migrations and exit", run: runMigrate})
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := DefaultConfig().FromEnv()
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindDB(fs)
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, cfg.logger(nil))
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", st.Dialect())
	return nil
}
