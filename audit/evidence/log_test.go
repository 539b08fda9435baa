package evidence

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

func TestLeafDataIsCanonicalAndRoundTrips(t *testing.T) {
	h := Head{DealID: 42, Seq: 7, Hash: strings.Repeat("ab", 32)}
	got := string(LeafData(h))
	want := `{"v":"dealgate-head-v1","deal_id":42,"seq":7,"head":"` + strings.Repeat("ab", 32) + `"}`
	if got != want {
		t.Fatalf("LeafData = %s\nwant      %s", got, want)
	}
	back, err := ParseLeaf([]byte(got))
	if err != nil || back != h {
		t.Fatalf("ParseLeaf = %+v, %v; want %+v", back, err, h)
	}
	for _, bad := range []string{
		`{"v":"dealgate-head-v1","seq":7,"deal_id":42,"head":"` + strings.Repeat("ab", 32) + `"}`,  // key order
		`{"v":"dealgate-head-v1", "deal_id":42,"seq":7,"head":"` + strings.Repeat("ab", 32) + `"}`, // white space
		`{"v":"dealgate-head-v0","deal_id":42,"seq":7,"head":"` + strings.Repeat("ab", 32) + `"}`,  // version
		`not json`,
	} {
		if _, err := ParseLeaf([]byte(bad)); err == nil {
			t.Errorf("ParseLeaf(%s) accepted a non-canonical leaf", bad)
		}
	}
}

// TestLeafHashVector pins the RFC 6962 leaf hash: SHA-256 of 0x00 followed by the leaf.
func TestLeafHashVector(t *testing.T) {
	// RFC 6962 test vector: the hash of the empty leaf.
	if got := hex.EncodeToString(LeafHash(nil)); got != "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" {
		t.Fatalf("LeafHash(empty) = %s", got)
	}
	if got := hex.EncodeToString(EmptyRoot()); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("EmptyRoot = %s", got)
	}
}

func TestCheckpointSignAndOpen(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "dealgate-audit-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	root := bytes.Repeat([]byte{7}, 32)
	cp := Checkpoint{Origin: "dealgate-audit-test", Size: 12, Root: root}
	if want := "dealgate-audit-test\n12\n" + base64.StdEncoding.EncodeToString(root) + "\n"; cp.Text() != want {
		t.Fatalf("Text = %q, want %q", cp.Text(), want)
	}
	signed, err := note.Sign(&note.Note{Text: cp.Text()}, signer)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenCheckpoint(signed, vkey)
	if err != nil || got.Size != 12 || !bytes.Equal(got.Root, root) || got.Origin != cp.Origin {
		t.Fatalf("OpenCheckpoint = %+v, %v", got, err)
	}
	// One byte of the body changed: the signature no longer verifies.
	bad := bytes.Replace(signed, []byte("\n12\n"), []byte("\n13\n"), 1)
	if _, err := OpenCheckpoint(bad, vkey); err == nil {
		t.Fatal("a changed checkpoint verified")
	}
	// Another key of the same name does not verify it either.
	_, other, _ := note.GenerateKey(rand.Reader, "dealgate-audit-test")
	if _, err := OpenCheckpoint(signed, other); err == nil {
		t.Fatal("a checkpoint verified with another key")
	}
	// A checkpoint whose origin is not the key's name is refused.
	s2, v2, _ := note.GenerateKey(rand.Reader, "someone-else")
	sg2, _ := note.NewSigner(s2)
	signed2, _ := note.Sign(&note.Note{Text: cp.Text()}, sg2)
	if _, err := OpenCheckpoint(signed2, v2); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Fatalf("origin mismatch: err = %v", err)
	}
	name, pub, err := PublicKeyOf(vkey)
	if err != nil || name != "dealgate-audit-test" || len(pub) != 32 {
		t.Fatalf("PublicKeyOf = %q %x %v", name, pub, err)
	}
}

func TestParseCheckpointRefusesMalformed(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	for _, text := range []string{
		"", "origin\n", "origin\n12\n", "origin\n012\n" + root + "\n", "origin\n-1\n" + root + "\n",
		"origin\n12\nAAAA\n", "\n12\n" + root + "\n", "origin\n12\n" + root,
	} {
		if _, err := ParseCheckpoint(text); err == nil {
			t.Errorf("ParseCheckpoint(%q) accepted it", text)
		}
	}
	if c, err := ParseCheckpoint("o\n3\n" + root + "\nextension line\n"); err != nil || c.Size != 3 {
		t.Errorf("extension lines: %+v %v", c, err)
	}
}

// TestInclusionAndConsistencyProofs builds trees of every size up to 40 with the library's
// compact ranges and checks every inclusion proof and every consistency proof, so that the
// verifier functions agree with how the server stores and reads its log.
func TestInclusionAndConsistencyProofs(t *testing.T) {
	f := &compact.RangeFactory{Hash: HashChildren}
	nodes := map[compact.NodeID][]byte{}
	rng := f.NewEmptyRange(0)
	var roots [][]byte
	var leaves [][]byte
	for i := 0; i < 40; i++ {
		lh := LeafHash(LeafData(Head{DealID: int64(i % 5), Seq: int64(i), Hash: strings.Repeat("0", 64)}))
		leaves = append(leaves, lh)
		if err := rng.Append(lh, func(id compact.NodeID, h []byte) { nodes[id] = h }); err != nil {
			t.Fatal(err)
		}
		root, _ := rng.GetRootHash(nil)
		roots = append(roots, root)
	}
	fetch := func(ids []compact.NodeID) [][]byte {
		out := make([][]byte, len(ids))
		for i, id := range ids {
			h, ok := nodes[id]
			if !ok {
				t.Fatalf("node %+v was never stored", id)
			}
			out[i] = h
		}
		return out
	}
	for size := uint64(1); size <= 40; size++ {
		root := roots[size-1]
		for idx := uint64(0); idx < size; idx++ {
			n, _ := proof.Inclusion(idx, size)
			path, err := n.Rehash(fetch(n.IDs), HashChildren)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(idx, size, leaves[idx], path, root); err != nil {
				t.Fatalf("inclusion %d in %d: %v", idx, size, err)
			}
			if err := VerifyInclusion(idx, size, leaves[(idx+1)%size], path, root); err == nil && size > 1 {
				t.Fatalf("inclusion %d in %d accepted another leaf", idx, size)
			}
		}
		for from := uint64(1); from <= size; from++ {
			n, _ := proof.Consistency(from, size)
			path, err := n.Rehash(fetch(n.IDs), HashChildren)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(from, size, path, roots[from-1], root); err != nil {
				t.Fatalf("consistency %d → %d: %v", from, size, err)
			}
		}
	}
}
