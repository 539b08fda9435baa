package audit_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

// rezip copies a bundle with one byte of one entry changed and a correct zip checksum, as a
// careful forger would.
func rezip(t *testing.T, bundle []byte, entry string, at int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == entry {
			body[at] ^= 0x01
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method, Modified: f.Modified})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestBundleEveryContentByteMatters changes bytes all through every entry of a bundle the
// server made — the manifest, its signature, the summary, the checkpoint, every document
// file, its data, the signed copy and the template — and the offline verifier fails each time,
// naming the entry or the file.
func TestBundleEveryContentByteMatters(t *testing.T) {
	t.Parallel()
	st := storagetest.NewStore(t, storage.SQLite)
	e := newEnv(t, st)
	r := buildRichDeal(t, e, "bytes")
	bundle := e.bundleAPI(r.deal.ID)
	key := e.publicKey()
	if rep := verifyOffline(t, bundle, key); !rep.OK {
		t.Fatalf("the untouched bundle does not verify:%s", problemList(rep))
	}
	zr, err := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		t.Fatal(err)
	}
	changes := 0
	for _, f := range zr.File {
		n := int(f.UncompressedSize64)
		var positions []int
		for i := 0; i < 48 && i < n; i++ {
			positions = append(positions, i*n/min(48, n))
		}
		positions = append(positions, n-1)
		for _, at := range positions {
			rep := verifyOffline(t, rezip(t, bundle, f.Name, at), key)
			if rep.OK {
				t.Fatalf("byte %d of %s changed, yet the bundle verifies", at, f.Name)
			}
			named := false
			for _, p := range rep.Problems {
				switch {
				case f.Name == evidence.ManifestPath:
					named = p.Code == evidence.CodeBundleSignature || p.Code == evidence.CodeBundleManifest
				case f.Name == evidence.SignaturePath:
					named = p.Code == evidence.CodeBundleSignature
				case strings.HasPrefix(f.Name, "documents/") && strings.HasSuffix(f.Name, ".data.json"):
					named = p.Code == evidence.CodeDocumentData
				case strings.HasPrefix(f.Name, "documents/") || strings.HasPrefix(f.Name, "signed/") || strings.HasPrefix(f.Name, "templates/"):
					named = p.Code == evidence.CodeFileHash
				default: // SUMMARY.txt, checkpoint.txt
					named = p.Code == evidence.CodeBundleEntry && p.File == f.Name
				}
				if named {
					break
				}
			}
			if !named {
				t.Fatalf("byte %d of %s changed: the problems do not name it:%s", at, f.Name, problemList(rep))
			}
			changes++
		}
	}
	// A byte changed in place, without fixing the zip's checksum, is named too.
	var pdf *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".pdf") && f.Method == zip.Store {
			pdf = f
			break
		}
	}
	off, err := pdf.DataOffset()
	if err != nil {
		t.Fatal(err)
	}
	raw := append([]byte(nil), bundle...)
	raw[off+10] ^= 0x01
	rep := verifyOffline(t, raw, key)
	if rep.OK || !hasProblem(rep, evidence.CodeBundleEntry, func(p evidence.Problem) bool { return p.File == pdf.Name }) || !hasProblem(rep, evidence.CodeFileHash, nil) {
		t.Fatalf("in-place change of %s:%s", pdf.Name, problemList(rep))
	}
	// An extra file is not welcome either, nor a bundle checked with another server's key.
	var extra bytes.Buffer
	zw := zip.NewWriter(&extra)
	for _, f := range zr.File {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	w, _ := zw.Create("documents/forged.pdf")
	w.Write([]byte("%PDF forged"))
	zw.Close()
	if rep := verifyOffline(t, extra.Bytes(), key); rep.OK || !hasProblem(rep, evidence.CodeBundleEntry, func(p evidence.Problem) bool { return p.File == "documents/forged.pdf" }) {
		t.Fatalf("extra entry:%s", problemList(rep))
	}
	other := newEnv(t, storagetest.NewStore(t, storage.SQLite)).publicKey()
	if rep := verifyOffline(t, bundle, other); rep.OK || rep.FirstBroken.Code != evidence.CodeBundleSignature || !hasProblem(rep, evidence.CodeCheckpointSig, nil) {
		t.Fatalf("another server's key:%s", problemList(rep))
	}
	// Without a pinned key the bundle checks against the key it carries, and says so.
	if rep := verifyOffline(t, bundle, ""); !rep.OK || rep.Checkpoint.KeyPinned || len(rep.Notes) == 0 {
		t.Fatalf("unpinned: %+v", rep)
	}
	t.Logf("%d single-byte changes across %d entries, each detected and named", changes, len(zr.File))
}
