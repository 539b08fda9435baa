package main

// The docxtemplater comparison (issue 8: dealgate's DOCX fill at least 5× docxtemplater's,
// measured in the same run):
//
//	bash bench/docxtemplater.sh            # installs the pinned npm packages, then runs:
//	go run ./bench/alternatives -docxtemplater -n 1000 -dt-n 300 -rounds 3
//
// Both fill the same one-page Russian proposal with the same template, dealgate's shipped
// templates/docx/proposal.docx, and the same data: the example proposal as dealgate's DOCX
// filler receives it (the view flattened by docxfill.Flatten), written to a JSON file for
// bench/alternatives/docxtemplater/fill.js. The two outputs are checked to carry the same text.
// Rounds alternate (dealgate, then docxtemplater, three times) so both see the same machine
// load; each side reports fills per second (wall) and per CPU-second of its own process.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/documents/docxfill"
	"github.com/dealgate/dealgate/workflow"
)

var (
	dtMode   = flag.Bool("docxtemplater", false, "measure only dealgate's DOCX fill against docxtemplater (needs node and bench/alternatives/docxtemplater/node_modules)")
	dtN      = flag.Int("dt-n", 300, "docxtemplater fills per round")
	dtWarmup = flag.Int("dt-warmup", 150, "docxtemplater warm-up fills before each round")
	dtRounds = flag.Int("rounds", 3, "alternating rounds of dealgate and docxtemplater")
	dtDir    = flag.String("dt-dir", "bench/alternatives/docxtemplater", "directory of fill.js and its node_modules")
	dtLevel  = flag.Int("dt-level", 0, "deflate level for docxtemplater's output (0: its default)")
	dtKeep   = flag.String("dt-keep", "", "write the template, data and both sample fills to this directory and keep them (to run fill.js alone)")
)

// dtResult is the JSON line fill.js prints.
type dtResult struct {
	Node          string  `json:"node"`
	Docxtemplater string  `json:"docxtemplater"`
	PizZip        string  `json:"pizzip"`
	LoopRows      int     `json:"loop_rows"`
	Checked       int     `json:"checked_values"`
	N             int     `json:"n"`
	PerS          float64 `json:"per_s"`
	PerCPUS       float64 `json:"per_cpu_s"`
	AvgBytes      int     `json:"avg_bytes"`
}

// fillerData is one document as dealgate's DOCX filler receives it.
type fillerData struct {
	Values map[string]string              `json:"values"`
	Lists  map[string][]map[string]string `json:"lists"`
}

func runDocxtemplater(n int) error {
	ctx := context.Background()
	node, err := exec.LookPath("node")
	if err != nil {
		return errors.New("node is not installed: the docxtemplater comparison needs Node.js")
	}
	script, err := filepath.Abs(filepath.Join(*dtDir, "fill.js"))
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*dtDir, "node_modules", "docxtemplater")); err != nil {
		return fmt.Errorf("docxtemplater is not installed: run `npm ci` in %s (bench/docxtemplater.sh does)", *dtDir)
	}

	// The same 100 proposals (numbers and quantities vary) for both, each filled in turn.
	docs, err := proposals(100)
	if err != nil {
		return err
	}
	r, err := documents.NewRenderer(nil)
	if err != nil {
		return err
	}
	if err := r.Warm(); err != nil {
		return err
	}
	tf, err := r.Template(ctx, workflow.DocProposal, documents.DOCX)
	if err != nil {
		return err
	}
	dir := *dtKeep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "dealgate-docxtemplater-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tplPath := filepath.Join(dir, "proposal.docx")
	if err := os.WriteFile(tplPath, tf.Bytes, 0o600); err != nil {
		return err
	}
	data := make([]fillerData, len(docs))
	for i, d := range docs {
		v, l := docxfill.Flatten(d.View())
		data[i] = fillerData{v, l}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	dataPath := filepath.Join(dir, "views.json")
	if err := os.WriteFile(dataPath, raw, 0o600); err != nil {
		return err
	}

	fmt.Printf("machine: %d CPUs usable, %s; GOMAXPROCS=%d; load %s\n", runtime.NumCPU(), runtime.Version(), runtime.GOMAXPROCS(0), loadavg())
	fmt.Printf("template: %s (%s, sha256 %.12s), data: templates/examples/proposal.json as %d proposals (numbers and quantities varied)\n",
		tf.Name, "templates/docx/proposal.docx", tf.SHA256, len(docs))

	// node runs fill.js once; out, when set, receives its first filled document.
	nodeRound := func(n int, out string) (dtResult, error) {
		args := []string{script, "--template", tplPath, "--data", dataPath, "--n", fmt.Sprint(n), "--warmup", fmt.Sprint(*dtWarmup), "--level", fmt.Sprint(*dtLevel)}
		if out != "" {
			args = append(args, "--out", out)
		}
		cmd := exec.Command(node, args...)
		cmd.Dir = *dtDir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			return dtResult{}, fmt.Errorf("fill.js: %v: %s", err, stderr.Bytes())
		}
		var res dtResult
		if err := json.Unmarshal(b, &res); err != nil {
			return dtResult{}, fmt.Errorf("fill.js printed %q: %v", b, err)
		}
		return res, nil
	}

	// Equivalence: docxtemplater's and dealgate's fill of proposal 0 carry the same text.
	dtOut := filepath.Join(dir, "docxtemplater.docx")
	first, err := nodeRound(1, dtOut)
	if err != nil {
		return err
	}
	dgOut, _, err := r.Render(ctx, docs[0], documents.DOCX, documents.RenderOptions{})
	if err != nil {
		return err
	}
	dtBytes, err := os.ReadFile(dtOut)
	if err != nil {
		return err
	}
	if *dtKeep != "" {
		if err := os.WriteFile(filepath.Join(dir, "dealgate.docx"), dgOut, 0o644); err != nil {
			return err
		}
	}
	for _, part := range []string{"word/document.xml", "word/footer1.xml"} {
		a, err := docxText(dgOut, part)
		if err != nil {
			return fmt.Errorf("dealgate output: %w", err)
		}
		b, err := docxText(dtBytes, part)
		if err != nil {
			return fmt.Errorf("docxtemplater output: %w", err)
		}
		if a != b {
			return fmt.Errorf("%s: the two fills differ in text:\ndealgate:      %q\ndocxtemplater: %q", part, firstDiff(a, b), firstDiff(b, a))
		}
		fmt.Printf("check: %s of both fills has the same text (%d characters)\n", part, len([]rune(a)))
	}
	fmt.Printf("check: docxtemplater's fill read back: buyer, total and the name, amount and total of each of its %d lines present (%d values), no placeholder left; loop rows rewritten: %d\n",
		len(data[0].Lists["lines"]), first.Checked, first.LoopRows)
	fmt.Printf("versions: node %s, docxtemplater %s, pizzip %s\n", first.Node, first.Docxtemplater, first.PizZip)
	fmt.Printf("output size: dealgate %d bytes, docxtemplater %d bytes\n", len(dgOut), len(dtBytes))

	// dealgate's warm-up, then the alternating rounds.
	for i := range 300 {
		if _, _, err := r.Render(ctx, docs[i%len(docs)], documents.DOCX, documents.RenderOptions{}); err != nil {
			return err
		}
	}
	var dg, dgCPU, dt, dtCPU, ratio, ratioCPU []float64
	for round := 1; round <= *dtRounds; round++ {
		start, cpu0 := time.Now(), cpuTime()
		for i := range n {
			if _, _, err := r.Render(ctx, docs[i%len(docs)], documents.DOCX, documents.RenderOptions{}); err != nil {
				return err
			}
		}
		w, c := float64(n)/time.Since(start).Seconds(), float64(n)/(cpuTime()-cpu0).Seconds()
		dg, dgCPU = append(dg, w), append(dgCPU, c)
		fmt.Printf("round %d  dealgate DOCX fill (documents.Renderer, one goroutine, %d fills):  %7.1f fills/s  %7.1f per CPU-s   load %s\n", round, n, w, c, loadavg())
		res, err := nodeRound(*dtN, "")
		if err != nil {
			return err
		}
		dt, dtCPU = append(dt, res.PerS), append(dtCPU, res.PerCPUS)
		ratio, ratioCPU = append(ratio, w/res.PerS), append(ratioCPU, c/res.PerCPUS)
		fmt.Printf("round %d  docxtemplater fill (node, after %d warm-up fills, %d fills):     %7.1f fills/s  %7.1f per CPU-s   load %s   (ratio this round %.1f× wall, %.1f× CPU)\n",
			round, *dtWarmup, res.N, res.PerS, res.PerCPUS, loadavg(), w/res.PerS, c/res.PerCPUS)
	}
	m := func(x []float64) float64 { y := slices.Clone(x); slices.Sort(y); return y[len(y)/2] }
	mx := func(x []float64) float64 { return slices.Max(x) }
	fmt.Printf("median of %d rounds:  dealgate %7.1f fills/s, %7.1f per CPU-s;  docxtemplater %6.1f fills/s, %6.1f per CPU-s;  dealgate = %.1f× wall, %.1f× per CPU-second\n",
		*dtRounds, m(dg), m(dgCPU), m(dt), m(dtCPU), m(dg)/m(dt), m(dgCPU)/m(dtCPU))
	fmt.Printf("fastest of %d rounds: dealgate %7.1f fills/s, %7.1f per CPU-s;  docxtemplater %6.1f fills/s, %6.1f per CPU-s;  dealgate = %.1f× wall, %.1f× per CPU-second\n",
		*dtRounds, mx(dg), mx(dgCPU), mx(dt), mx(dtCPU), mx(dg)/mx(dt), mx(dgCPU)/mx(dtCPU))
	fmt.Printf("per-round ratios: %.1f× to %.1f× wall (median %.1f×), %.1f× to %.1f× per CPU-second (median %.1f×)\n",
		slices.Min(ratio), slices.Max(ratio), m(ratio), slices.Min(ratioCPU), slices.Max(ratioCPU), m(ratioCPU))
	return nil
}

// docxText is the text of one part of a DOCX: the w:t contents, w:tab as a tab, w:br and
// paragraph ends as newlines, so two fills can be compared whatever their run structure.
func docxText(docx []byte, part string) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		return "", err
	}
	f, err := zr.Open(part)
	if err != nil {
		return "", err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	var sb strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				sb.WriteByte('\t')
			case "br":
				sb.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				sb.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				sb.Write(t)
			}
		}
	}
	return sb.String(), nil
}

// firstDiff returns a's text around where it first differs from b.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo, hi := max(0, i-60), min(len(a), i+60)
	return a[lo:hi]
}

// loadavg is the 1-, 5- and 15-minute load averages from /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
