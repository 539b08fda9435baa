// Package templates holds the shipped defaults, embedded in the binary: the default pipeline,
// PDF layouts, DOCX templates, document examples and the training question bank.
//
// It only exports file systems; parsing and validation live with the packages that use them.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed pipeline/*.yaml
var pipelineFS embed.FS

//go:embed pdf/*.xml
var pdfFS embed.FS

// PDFLayouts holds the shipped PDF layout templates by file name, e.g. "proposal.xml".
func PDFLayouts() fs.FS {
	sub, _ := fs.Sub(pdfFS, "pdf")
	return sub
}

// DefaultPipeline returns the YAML of the default 15-stage corporate sale pipeline.
func DefaultPipeline() []byte {
	b, err := pipelineFS.ReadFile("pipeline/default.yaml")
	if err != nil {
		panic("templates: default pipeline missing from the binary: " + err.Error())
	}
	return b
}

//go:embed examples/*.json
var examplesFS embed.FS

// Examples returns the example data of every document kind, one complete and valid JSON file
// per kind named after it ("proposal.json", "upd.json", …), as `dealgate render` and the
// documents tests read them.
func Examples() fs.FS {
	sub, err := fs.Sub(examplesFS, "examples")
	if err != nil {
		panic("templates: examples missing from the binary: " + err.Error())
	}
	return sub
}
