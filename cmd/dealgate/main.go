// Command dealgate runs B2B sales as stages with evidence gates and produces the standard
// documents. Sub-commands: serve, migrate, user, pipeline, render, demo, verify, load.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one sub-command.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// errUsage marks a usage error: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dealgate: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if errors.Is(err, errUsage) {
			fmt.Fprintln(stderr, "dealgate "+c.name+":", err)
			return 2
		}
		fmt.Fprintln(stderr, "dealgate "+c.name+":", err)
		return 1
	}
	return 0
}

// parseFlags parses a sub-command's flags. A flag that is not defined, a malformed value, or
// positional arguments where the command takes none (maxArgs 0; -1 allows any) are usage
// errors (exit status 2); -h answers flag.ErrHelp (status 0). Every sub-command parses here, so
// that the exit status of bad usage is the same everywhere.
func parseFlags(fs *flag.FlagSet, args []string, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if maxArgs >= 0 && fs.NArg() > maxArgs {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(maxArgs))
	}
	return nil
}

// isHelpArg reports whether a command's first argument asks for its usage.
func isHelpArg(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: dealgate COMMAND [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nEnvironment: DEALGATE_ADDR, DEALGATE_DATA_DIR, DATABASE_URL, DEALGATE_SECURE_COOKIES (each also a flag of serve),")
	fmt.Fprintln(w, "DEALGATE_DB_TIMEOUT, DEALGATE_TOKEN_CACHE. `dealgate COMMAND -h` lists a command's flags.")
}
