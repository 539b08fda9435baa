// Package templates holds the shipped defaults, embedded in the binary: the default pipeline,
// PDF layouts, DOCX templates, document examples and the training question bank.
//
// It only exports file systems; parsing and validation live with the packages that use them.
package templates

import "embed"

//go:embed pipeline/*.yaml
var pipelineFS embed.FS

// DefaultPipeline returns the YAML of the default 15-stage corporate sale pipeline.
func DefaultPipeline() []byte {
	b, err := pipelineFS.ReadFile("pipeline/default.yaml")
	if err != nil {
		panic("templates: default pipeline missing from the binary: " + err.Error())
	}
	return b
}
