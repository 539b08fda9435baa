package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/dealgate/dealgate/audit/evidence"
)

func init() {
	register(command{name: "verify", summary: "check an evidence bundle offline: verify BUNDLE.zip [--key KEY|FILE] [--json]", run: runVerify})
}

// errNotVerified is the error of a bundle that does not verify (exit status 1).
var errNotVerified = errors.New("the bundle does not verify")

// runVerify checks an evidence bundle with no database: `dealgate verify BUNDLE.zip --key K`.
// K is the server's verifier key as GET /api/v1/audit/public-key answers it (verifier_key), or
// a file holding that key or that whole JSON answer. Flags may come before or after the path.
func runVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyArg := fs.String("key", "", "the server's verifier key (name+hash+base64, from GET /api/v1/audit/public-key), or a file holding it")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dealgate verify BUNDLE.zip [--key KEY|FILE] [--json]")
		fs.PrintDefaults()
	}
	var paths []string
	for rest := args; ; {
		if err := parseFlags(fs, rest, -1); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		paths, rest = append(paths, rest[0]), rest[1:]
	}
	if len(paths) != 1 {
		return fmt.Errorf("%w: dealgate verify BUNDLE.zip [--key KEY|FILE] [--json]", errUsage)
	}
	key, err := readVerifierKey(*keyArg)
	if err != nil {
		return err
	}
	f, err := os.Open(paths[0])
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	rep, err := evidence.VerifyBundle(f, info.Size(), evidence.BundleOptions{Key: key})
	if err != nil {
		return fmt.Errorf("%s: %w", paths[0], err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(stdout)
	}
	if !rep.OK {
		return fmt.Errorf("%w: %d problem(s); the first: %s", errNotVerified, len(rep.Problems), rep.Problems[0].String())
	}
	return nil
}

// readVerifierKey accepts a verifier key itself, or a file with the key on a line of its own
// or the JSON of GET /api/v1/audit/public-key.
func readVerifierKey(arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return "", nil
	}
	if _, err := note.NewVerifier(arg); err == nil {
		return arg, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return "", fmt.Errorf("%w: --key is neither a verifier key (name+hash+base64) nor a readable file: %v", errUsage, err)
	}
	text := strings.TrimSpace(string(b))
	if strings.HasPrefix(text, "{") {
		var pk struct {
			VerifierKey string `json:"verifier_key"`
		}
		if err := json.Unmarshal([]byte(text), &pk); err == nil && pk.VerifierKey != "" {
			text = pk.VerifierKey
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if _, err := note.NewVerifier(line); err != nil {
				return "", fmt.Errorf("%w: %s does not hold a verifier key: %v", errUsage, arg, err)
			}
			return line, nil
		}
	}
	return "", fmt.Errorf("%w: %s is empty", errUsage, arg)
}
