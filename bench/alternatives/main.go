// Command alternatives measures, in one run on one machine, how fast dealgate renders a
// one-page Russian commercial proposal to PDF compared with what a user would otherwise pick:
// LibreOffice headless converting the filled DOCX (how template services such as Carbone make
// PDFs) and Chromium printing an equivalent HTML page (how Gotenberg or Puppeteer services do
// it). Both alternatives are measured warm: one LibreOffice process converts the whole batch;
// one Chromium instance prints page after page.
//
//	go run ./bench/alternatives -n 200
//	go run ./bench/alternatives -docxtemplater   # DOCX fill against docxtemplater (docxtemplater.go)
//
// It prints documents per second for each and dealgate's rate as a multiple of theirs. dealgate
// is also given in documents per CPU-second of this process, which a busy machine disturbs
// less than the wall-clock rate. LibreOffice's warm rate is the cost of each further document
// in a batch: the batch's time minus that of a one-document run, over the other documents.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

func main() {
	n := flag.Int("n", 200, "documents per measurement")
	altN := flag.Int("alt-n", 40, "documents for the (slow) alternatives")
	flag.Parse()
	if *dtMode {
		if err := runDocxtemplater(*n); err != nil {
			fmt.Fprintln(os.Stderr, "alternatives -docxtemplater:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*n, *altN); err != nil {
		fmt.Fprintln(os.Stderr, "alternatives:", err)
		os.Exit(1)
	}
}

func proposals(n int) ([]documents.Data, error) {
	raw, err := fs.ReadFile(templates.Examples(), "proposal.json")
	if err != nil {
		return nil, err
	}
	out := make([]documents.Data, n)
	for i := range out {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		m["number"] = fmt.Sprintf("КП-2026-%04d", i+1)
		for j, l := range m["lines"].([]any) {
			line := l.(map[string]any)
			line["qty"] = fmt.Sprint(1 + (i+j)%7)
			delete(line, "amount")
			delete(line, "vat")
			delete(line, "total")
		}
		delete(m, "totals")
		delete(m, "optional_totals")
		b, _ := json.Marshal(m)
		d, err := documents.Decode(workflow.DocProposal, b)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

func run(n, altN int) error {
	ctx := context.Background()
	docs, err := proposals(n)
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
	if _, _, err := r.Render(ctx, docs[0], documents.PDF, documents.RenderOptions{}); err != nil {
		return err
	}
	fmt.Printf("machine: %d CPUs, %s; GOMAXPROCS=%d\n", runtime.NumCPU(), runtime.Version(), runtime.GOMAXPROCS(0))

	start, cpu0 := time.Now(), cpuTime()
	for _, d := range docs {
		if _, _, err := r.Render(ctx, d, documents.PDF, documents.RenderOptions{}); err != nil {
			return err
		}
	}
	dg := float64(n) / time.Since(start).Seconds()
	dgCPU := float64(n) / (cpuTime() - cpu0).Seconds()
	fmt.Printf("dealgate PDF (one goroutine):      %8.1f docs/s   %7.1f docs per CPU-second\n", dg, dgCPU)

	start, cpu0 = time.Now(), cpuTime()
	for _, d := range docs {
		if _, _, err := r.Render(ctx, d, documents.DOCX, documents.RenderOptions{}); err != nil {
			return err
		}
	}
	fmt.Printf("dealgate DOCX fill (one goroutine): %7.1f docs/s   %7.1f docs per CPU-second\n", float64(n)/time.Since(start).Seconds(), float64(n)/(cpuTime()-cpu0).Seconds())

	dir, err := os.MkdirTemp("", "dealgate-alt-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var files []string
	for i, d := range docs[:altN] {
		b, _, err := r.Render(ctx, d, documents.DOCX, documents.RenderOptions{})
		if err != nil {
			return err
		}
		f := filepath.Join(dir, fmt.Sprintf("p%03d.docx", i))
		if err := os.WriteFile(f, b, 0o600); err != nil {
			return err
		}
		files = append(files, f)
	}
	if soffice, err := exec.LookPath("soffice"); err == nil {
		out := filepath.Join(dir, "lo")
		// convert runs one LibreOffice process over files and returns its wall time.
		// convert runs one LibreOffice process over files and returns its wall time and the
		// CPU time of the process tree (wait4's rusage includes the children it reaped).
		convert := func(files []string) (wall, cpu time.Duration, err error) {
			args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", out}, files...)
			cmd := exec.Command(soffice, args...)
			start := time.Now()
			if b, err := cmd.CombinedOutput(); err != nil {
				return 0, 0, fmt.Errorf("libreoffice: %v: %s", err, b)
			}
			return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
		}
		if _, _, err := convert(files[:1]); err != nil { // warm-up: profile, fonts
			return err
		}
		// The fastest of three runs each: on a busy machine a single run can be seconds late.
		best := func(files []string) (wall, cpu time.Duration, err error) {
			for range 3 {
				w, c, err := convert(files)
				if err != nil {
					return 0, 0, err
				}
				if wall == 0 || w < wall {
					wall = w
				}
				if cpu == 0 || c < cpu {
					cpu = c
				}
			}
			return wall, cpu, nil
		}
		one, oneCPU, err := best(files[:1])
		if err != nil {
			return err
		}
		all, allCPU, err := best(files)
		if err != nil {
			return err
		}
		// A batch pays for the process start once; the warm rate is what each further
		// document costs: (batch − one document) / (documents − 1).
		batch := float64(len(files)) / all.Seconds()
		lo := float64(len(files)-1) / (all - one).Seconds()
		if all <= one {
			lo = batch
		}
		fmt.Printf("LibreOffice DOCX→PDF, batch of %d (one process, start included): %7.1f docs/s   dealgate = %.0f×\n", len(files), batch, dg/batch)
		fmt.Printf("LibreOffice DOCX→PDF warm (fastest batch minus fastest 1-document run, %s): %7.1f docs/s   dealgate = %.0f×\n", one.Round(time.Millisecond), lo, dg/lo)
		if allCPU > oneCPU {
			loCPU := float64(len(files)-1) / (allCPU - oneCPU).Seconds()
			fmt.Printf("LibreOffice warm per CPU-second (same difference in CPU time):   %7.1f docs per CPU-s   dealgate = %.0f× (per CPU-s)\n", loCPU, dgCPU/loCPU)
		}
	} else {
		fmt.Println("LibreOffice: not installed (apt-get install libreoffice-writer-nogui)")
	}

	chromium, err := exec.LookPath("chromium")
	if err != nil {
		fmt.Println("Chromium: not installed (apt-get install chromium)")
		return nil
	}
	pages := make([]string, altN)
	for i, d := range docs[:altN] {
		var buf bytes.Buffer
		if err := htmlPage.Execute(&buf, d.View()); err != nil {
			return err
		}
		f := filepath.Join(dir, fmt.Sprintf("p%03d.html", i))
		if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
			return err
		}
		pages[i] = "file://" + f
	}
	profile := filepath.Join(dir, "chromium-profile")
	actx, cancel := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.DisableGPU, chromedp.NoSandbox, chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	printOne := func(u string) error {
		return chromedp.Do(bctx, chromedp.Navigate(u), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{})
			return err
		}))
	}
	if err := printOne(pages[0]); err != nil { // warm-up: browser start
		return fmt.Errorf("chromium: %w", err)
	}
	start, chCPU0 := time.Now(), processCPU("--user-data-dir="+profile)
	for _, u := range pages {
		if err := printOne(u); err != nil {
			return fmt.Errorf("chromium: %w", err)
		}
	}
	ch := float64(len(pages)) / time.Since(start).Seconds()
	fmt.Printf("Chromium HTML→PDF (warm browser):   %7.1f docs/s   dealgate = %.0f×\n", ch, dg/ch)
	if used := processCPU("--user-data-dir="+profile) - chCPU0; used > 0 {
		chCPU := float64(len(pages)) / used.Seconds()
		fmt.Printf("Chromium per CPU-second (all its processes):   %7.1f docs per CPU-s   dealgate = %.0f× (per CPU-s)\n", chCPU, dgCPU/chCPU)
	}
	return nil
}

// processCPU adds up the CPU time (user + system, their reaped children included) of every
// process whose command line contains marker, from /proc. It counts what a browser's
// processes have used so far, those that already exited included when their parent reaped them.
func processCPU(marker string) time.Duration {
	ents, _ := os.ReadDir("/proc")
	var ticks int64
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cmd, []byte(marker)) {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces) start after the last ')':
		// state is field 3, utime 14, stime 15, cutime 16, cstime 17.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		for _, i := range []int{11, 12, 13, 14} {
			if i < len(f) {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				ticks += n
			}
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

// htmlPage is an HTML equivalent of the proposal layout: the same blocks and text.
var htmlPage = template.Must(template.New("p").Parse(`<!doctype html><html lang="ru"><head><meta charset="utf-8">
<style>body{font:10pt "DejaVu Sans",sans-serif;margin:18mm}table{width:100%;border-collapse:collapse}td,th{border:1px solid #999;padding:3px}
.r{text-align:right}h1{font-size:14pt;text-align:center}</style></head><body>
<p>{{.seller.name}}, ИНН {{.seller.inn}}, КПП {{.seller.kpp}}<br>{{.seller.address}}</p>
<h1>Коммерческое предложение № {{.number}} от {{.date}}</h1>
<p>{{.buyer.name}}</p><p>{{.intro}}</p>
<table><tr><th>№</th><th>Наименование</th><th>Ед.</th><th>Кол-во</th><th>Цена</th><th>Сумма</th></tr>
{{range .lines}}<tr><td>{{.no}}</td><td>{{.name}}</td><td>{{.unit}}</td><td class="r">{{.qty}}</td><td class="r">{{.price}}</td><td class="r">{{.amount}}</td></tr>{{end}}
</table>
<p class="r">Итого без НДС: {{.totals.net}}<br>НДС: {{.totals.vat}}<br><b>Всего: {{.totals.gross}}</b></p>
<p>{{.totals.words}}</p></body></html>`))

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
