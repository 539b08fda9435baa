package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// LeafVersion names the encoding of a checkpoint log leaf; it is part of every leaf.
const LeafVersion = "dealgate-head-v1"

// Head is the last event of a deal's chain as the checkpoint log records it.
type Head struct {
	DealID int64  `json:"deal_id"`
	Seq    int64  `json:"seq"`
	Hash   string `json:"head"` // hex SHA-256 of the event (workflow.Event.Hash)
}

// LeafData is the exact byte string a log leaf holds for a head:
//
//	{"v":"dealgate-head-v1","deal_id":N,"seq":N,"head":"<64 lower-case hex digits>"}
//
// The leaf's hash is RFC 6962's: SHA-256(0x00 || LeafData).
func LeafData(h Head) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"v":"`+LeafVersion+`","deal_id":`...)
	b = strconv.AppendInt(b, h.DealID, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, h.Seq, 10)
	b = append(b, `,"head":`...)
	b = strconv.AppendQuote(b, h.Hash)
	return append(b, '}')
}

// ParseLeaf reads a leaf written by LeafData and refuses any other spelling of it.
func ParseLeaf(data []byte) (Head, error) {
	var l struct {
		V string `json:"v"`
		Head
	}
	if err := json.Unmarshal(data, &l); err != nil {
		return Head{}, fmt.Errorf("leaf is not JSON: %w", err)
	}
	if l.V != LeafVersion {
		return Head{}, fmt.Errorf("leaf version %q, want %q", l.V, LeafVersion)
	}
	if !bytes.Equal(LeafData(l.Head), data) {
		return Head{}, errors.New("leaf is not in canonical form")
	}
	return l.Head, nil
}

// LeafHash returns the RFC 6962 leaf hash of data.
func LeafHash(data []byte) []byte { return rfc6962.DefaultHasher.HashLeaf(data) }

// HashChildren returns the RFC 6962 hash of an interior node.
func HashChildren(l, r []byte) []byte { return rfc6962.DefaultHasher.HashChildren(l, r) }

// EmptyRoot is the root of the empty log: SHA-256 of the empty string.
func EmptyRoot() []byte { return rfc6962.DefaultHasher.EmptyRoot() }

// Checkpoint is the signed statement "the log named Origin has Size leaves and this Root",
// in the checkpoint format transparency logs share (c2sp.org/tlog-checkpoint): the note's
// text is three lines, origin, decimal size and base64 root, each ending in a newline.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
}

// Text returns the checkpoint body a note signs.
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatUint(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Root) + "\n"
}

// ParseCheckpoint parses a checkpoint body (the note text without signatures). Extension
// lines after the root are allowed and ignored, as the format says.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) < 4 || !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, errors.New("checkpoint: want origin, size and root lines")
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	if origin == "" {
		return Checkpoint{}, errors.New("checkpoint: empty origin")
	}
	sizeText := strings.TrimSuffix(lines[1], "\n")
	size, err := strconv.ParseUint(sizeText, 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != sizeText {
		return Checkpoint{}, fmt.Errorf("checkpoint: size %q is not a decimal number", sizeText)
	}
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != 32 {
		return Checkpoint{}, errors.New("checkpoint: the root is not 32 bytes of base64")
	}
	return Checkpoint{Origin: origin, Size: size, Root: root}, nil
}

// OpenCheckpoint checks the signature of a signed checkpoint note with the verifier key vkey
// (note format "name+hash+base64") and returns the checkpoint. The origin must be the key's
// name, so a checkpoint signed for another log does not pass.
func OpenCheckpoint(signed []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("checkpoint origin %q is not the key's name %q", c.Origin, v.Name())
	}
	return c, nil
}

// VerifyInclusion checks that the leaf at index is in the tree of the given size and root.
func VerifyInclusion(index, size uint64, leafHash []byte, path [][]byte, root []byte) error {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, path, root)
}

// VerifyConsistency checks that the tree (size1, root1) is a prefix of the tree (size2, root2).
func VerifyConsistency(size1, size2 uint64, path [][]byte, root1, root2 []byte) error {
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, path, root1, root2)
}

// PublicKeyOf returns the raw Ed25519 public key inside a note verifier key.
func PublicKeyOf(vkey string) (name string, pub ed25519.PublicKey, err error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return "", nil, err
	}
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return "", nil, errors.New("not an Ed25519 verifier key")
	}
	return v.Name(), ed25519.PublicKey(raw[1:]), nil
}

// EncodeHashes writes hashes as base64 strings (the JSON form of Merkle hashes).
func EncodeHashes(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

// DecodeHashes reads base64 Merkle hashes; each must be 32 bytes.
func DecodeHashes(ss []string) ([][]byte, error) {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		h, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("hash %d is not 32 bytes of base64", i)
		}
		out[i] = h
	}
	return out, nil
}
