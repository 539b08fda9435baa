package audit

import (
	"crypto/rand"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestParseSigningKeyManyKeys parses many generated keys: their base64 often holds '+', which
// once made the parser cut the key in the wrong place.
func TestParseSigningKeyManyKeys(t *testing.T) {
	for i := 0; i < 300; i++ {
		skey, vkey, err := note.GenerateKey(rand.Reader, "dealgate-audit-test")
		if err != nil {
			t.Fatal(err)
		}
		k, err := parseSigningKey(skey)
		if err != nil {
			t.Fatalf("key %d (%s): %v", i, skey, err)
		}
		if k.vkey != vkey {
			t.Fatalf("derived verifier key %s, want %s", k.vkey, vkey)
		}
	}
}
