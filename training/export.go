package training

import (
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// Export writes the whole bank as one YAML document in the format [Load] reads. The output is
// canonical (the same bank always gives the same bytes) and loads back into an equal bank.
func (b *Bank) Export(w io.Writer) error {
	return b.export(w, b.stages)
}

// ExportStage writes one stage as a YAML document in the format [Load] reads, e.g. to give a
// stage's questions to a reviewer or to split a bank into one file per stage.
func (b *Bank) ExportStage(w io.Writer, key string) error {
	i, ok := b.stageAt[key]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownStage, key)
	}
	return b.export(w, b.stages[i:i+1])
}

func (b *Bank) export(w io.Writer, stages []Stage) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(document{Stages: stages}); err != nil {
		return fmt.Errorf("training: exporting the bank: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("training: exporting the bank: %w", err)
	}
	return nil
}
