package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/workflow"
)

func init() {
	register(command{name: "render", summary: "render --kind K --data FILE.json --format pdf|docx --out FILE: render one document offline", run: runRender})
}

// runRender renders one document from JSON data with the shipped templates, without a
// database. templates/examples/KIND.json holds a complete example of every kind.
func runRender(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "document kind: meeting_report, proposal, client_card, contract, specification, production_schedule, invoice, upd, recommendation_letter")
	dataPath := fs.String("data", "", "JSON data file (- for standard input)")
	format := fs.String("format", "pdf", "pdf or docx")
	out := fs.String("out", "", "output file (- for standard output)")
	draft := fs.Bool("draft", false, "mark the PDF as a draft (ЧЕРНОВИК)")
	if err := parseFlags(fs, args, -1); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (the data file goes after --data)", errUsage, fs.Arg(0))
	}
	if *kind == "" || *dataPath == "" || *out == "" {
		return fmt.Errorf("%w: --kind, --data and --out are required", errUsage)
	}
	k := workflow.DocumentKind(*kind)
	if !k.Valid() {
		return fmt.Errorf("%w: unknown kind %q", errUsage, *kind)
	}
	f := documents.Format(*format)
	if f != documents.PDF && f != documents.DOCX {
		return fmt.Errorf("%w: --format must be pdf or docx", errUsage)
	}
	var raw []byte
	var err error
	if *dataPath == "-" {
		raw, err = io.ReadAll(io.LimitReader(os.Stdin, documents.MaxDataBytes+1))
	} else {
		raw, err = os.ReadFile(*dataPath)
	}
	if err != nil {
		return err
	}
	d, err := documents.Decode(k, raw)
	if err != nil {
		return err
	}
	r, err := documents.NewRenderer(nil)
	if err != nil {
		return err
	}
	b, tf, err := r.Render(ctx, d, f, documents.RenderOptions{Draft: *draft})
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err = stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %d bytes, sha256 %s (template %s)\n", *out, len(b), sha256hex(b), tf.Name)
	return nil
}
