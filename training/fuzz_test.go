package training

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the YAML loader (seed corpus in testdata/fuzz/FuzzLoad).
// Load must never panic; it either refuses the input with a *BankError, or accepts a bank that
// exports and loads back unchanged.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(smallBank))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Load(bytes.NewReader(data))
		if err != nil {
			var be *BankError
			if !errors.As(err, &be) || !errors.Is(err, ErrInvalidBank) || len(be.Problems) == 0 {
				t.Fatalf("Load refused the input with %T %v, want a *BankError with problems", err, err)
			}
			_ = be.Error()
			return
		}
		var out bytes.Buffer
		if err := b.Export(&out); err != nil {
			t.Fatalf("Export: %v", err)
		}
		back, err := Load(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("the export of an accepted bank does not load: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(back.Stages(), b.Stages()) || back.Digest() != b.Digest() {
			t.Fatalf("export changed the bank:\n%s", out.String())
		}
	})
}
