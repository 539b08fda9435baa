// Package trainingbank embeds the shipped training question bank: one YAML file per stage of
// the default pipeline, named NN-stagekey.ru.yaml so that file-name order is pipeline order.
// The format is described in README.md next to the files; load the bank with
//
//	bank, err := training.LoadFS(trainingbank.FS())
package trainingbank

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// FS returns the bank's YAML files, at the root of the returned file system.
func FS() fs.FS { return files }
