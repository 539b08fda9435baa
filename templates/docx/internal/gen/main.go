// Command gen writes the DOCX templates of templates/docx from the Go code in
// internal/docxgen. Run it with `go generate ./templates/docx` (or `go run ./internal/gen`
// inside templates/docx) and commit the .docx files it writes.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dealgate/dealgate/templates/docx/internal/docxgen"
)

func main() {
	out := flag.String("out", ".", "directory to write the .docx files to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	for _, t := range docxgen.Templates {
		b, err := t.Build()
		if err != nil {
			return fmt.Errorf("%s: %w", t.File, err)
		}
		if err := os.WriteFile(filepath.Join(dir, t.File), b, 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s (%d bytes)\n", filepath.Join(dir, t.File), len(b))
	}
	return nil
}
