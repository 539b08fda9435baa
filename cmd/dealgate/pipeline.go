package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dealgate/dealgate/workflow"
)

func init() {
	register(command{name: "pipeline", summary: "pipeline validate FILE: check a pipeline file offline", run: runPipeline})
}

func runPipeline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelpArg(args[0]) {
		fmt.Fprintln(stderr, "usage: dealgate pipeline validate FILE")
		return flag.ErrHelp
	}
	if len(args) != 2 || args[0] != "validate" || strings.HasPrefix(args[1], "-") {
		return fmt.Errorf("%w: dealgate pipeline validate FILE", errUsage)
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := workflow.ParsePipeline(f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[1], err)
	}
	fmt.Fprintf(stdout, "%s: pipeline %q is valid: %d stages\n", args[1], p.Key, len(p.Stages))
	for i, s := range p.Stages {
		opt := ""
		if s.Skippable {
			opt = " (may be skipped)"
		}
		fmt.Fprintf(stdout, "  %2d. %-14s %s%s\n", i+1, s.Key, s.Name.Ru, opt)
	}
	return nil
}
