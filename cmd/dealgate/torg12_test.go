package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/workflow"
)

// torg12Example writes the shipped УПД example with profile torg12 to a file and returns
// its path and JSON.
func torg12Example(t *testing.T) (string, []byte) {
	t.Helper()
	raw, err := os.ReadFile(examplePath(workflow.DocUPD))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["profile"] = "torg12"
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "upd-torg12.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b
}

// documentXML returns word/document.xml of a DOCX.
func documentXML(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a DOCX: %v", err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			defer rc.Close()
			body, _ := io.ReadAll(rc)
			return string(body)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

// TestRenderTORG12Profile: `dealgate render --kind upd --format docx` of a УПД with profile
// torg12 writes the ТОРГ-12 + счёт-фактура with the shipped upd-torg12.docx, and the upd
// profile the УПД form.
func TestRenderTORG12Profile(t *testing.T) {
	offline(t)
	data, _ := torg12Example(t)
	dir := t.TempDir()
	for _, c := range []struct{ data, template, has, lacks string }{
		{data, "builtin:upd-torg12.docx", "ТОВАРНАЯ НАКЛАДНАЯ № 214", "Универсальный передаточный документ"},
		{examplePath(workflow.DocUPD), "builtin:upd.docx", "Универсальный передаточный документ", "ТОВАРНАЯ НАКЛАДНАЯ"},
	} {
		out := filepath.Join(dir, filepath.Base(c.data)+".docx")
		code, _, stderr := renderCLI(t, "--kind", "upd", "--data", c.data, "--format", "docx", "--out", out)
		if code != 0 {
			t.Fatalf("render %s: exit %d: %s", c.data, code, stderr)
		}
		if !strings.Contains(stderr, "(template "+c.template+")") {
			t.Errorf("render %s: stderr %q, want the template %s", c.data, stderr, c.template)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		doc := documentXML(t, b)
		if !strings.Contains(doc, c.has) || strings.Contains(doc, c.lacks) {
			t.Errorf("render %s: the DOCX lacks %q or holds %q", c.data, c.has, c.lacks)
		}
	}
}

// TestVerifyTORG12Document: a final УПД of the ТОРГ-12 profile made through the served API
// stores the ТОРГ-12 DOCX, and the deal's verification, which re-renders every document from
// its recorded data and templates, finds the stored bytes again.
func TestVerifyTORG12Document(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), "error"
	app, err := StartApp(ctx, cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	m := regexp.MustCompile(`API token:\s*(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin token in %q", out.String())
	}
	call := func(method, path, body string) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, app.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+m[1])
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		return b
	}
	var company, deal struct{ ID int64 }
	json.Unmarshal(call("POST", "/api/v1/companies", `{"name":"АО «Первоуральский завод трубной арматуры»","inn":"6625003711","kpp":"662501001","ogrn":"1026601532143",
		"address":"623100, Свердловская обл., г. Первоуральск, ул. Заводская, д. 12"}`), &company)
	json.Unmarshal(call("POST", "/api/v1/deals", fmt.Sprintf(`{"company_id":%d,"title":"Компрессоры","amount":"7503000.00","cost":"5000000.00"}`, company.ID)), &deal)
	_, data := torg12Example(t)
	var doc struct {
		ID        int64
		Number    string
		Templates []struct {
			Format string
			ID     int64
			Name   string
		}
		Files map[string]struct{ SHA256, URL string }
	}
	json.Unmarshal(call("POST", fmt.Sprintf("/api/v1/deals/%d/documents", deal.ID), `{"kind":"upd","final":true,"data":`+string(data)+`}`), &doc)
	names := map[string]string{}
	for _, r := range doc.Templates {
		names[r.Format] = r.Name
	}
	if names["docx"] != "builtin:upd-torg12.docx" || names["pdf"] != "builtin:upd.xml" {
		t.Fatalf("templates recorded: %+v", doc.Templates)
	}
	if d := documentXML(t, call("GET", doc.Files["docx"].URL, "")); !strings.Contains(d, "ТОВАРНАЯ НАКЛАДНАЯ № "+doc.Number) {
		t.Errorf("the stored DOCX is not the ТОРГ-12 № %s", doc.Number)
	}
	var rep evidence.Report
	json.Unmarshal(call("GET", fmt.Sprintf("/api/v1/deals/%d/verify", deal.ID), ""), &rep)
	if !rep.OK || rep.Documents != 1 || rep.Rerender != "1 document(s) re-rendered, 2 file(s) compared" {
		t.Fatalf("verification: %+v", rep)
	}
}
