package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// ProductJSON is a catalogue item as the API exchanges it. Prices are decimal strings.
type ProductJSON struct {
	SKU     string `json:"sku"`
	Name    string `json:"name"`
	Unit    string `json:"unit"`
	OKEI    string `json:"okei"`
	Price   string `json:"price"`
	Cost    string `json:"cost"`
	VATRate string `json:"vat_rate"`
	Active  *bool  `json:"active,omitempty"`
}

func productJSON(p storage.Product) ProductJSON {
	a := p.Active
	return ProductJSON{SKU: p.SKU, Name: p.Name, Unit: p.Unit, OKEI: p.OKEI, Price: p.Price.String(), Cost: p.Cost.String(), VATRate: p.VATRate, Active: &a}
}

// MaxCatalogueItems bounds one import.
const MaxCatalogueItems = 10000

// checkProduct validates one catalogue row; path prefixes the field names ("items[3].price").
func checkProduct(path string, in ProductJSON) (storage.Product, []FieldProblem) {
	var probs []FieldProblem
	add := func(field, msg, ru string) {
		probs = append(probs, FieldProblem{Field: path + field, Message: msg, MessageRu: ru})
	}
	p := storage.Product{SKU: strings.TrimSpace(in.SKU), Name: strings.TrimSpace(in.Name), Unit: strings.TrimSpace(in.Unit), OKEI: strings.TrimSpace(in.OKEI), VATRate: strings.TrimSpace(in.VATRate), Active: true}
	if in.Active != nil {
		p.Active = *in.Active
	}
	if p.SKU == "" || len(p.SKU) > 64 {
		add("sku", "sku is required (at most 64 characters)", "артикул обязателен (до 64 символов)")
	}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 300 {
		add("name", "name is required (at most 300 characters)", "наименование обязательно (до 300 символов)")
	}
	if p.Unit == "" {
		p.Unit = "шт"
	}
	if p.OKEI == "" {
		p.OKEI = "796"
	}
	if p.VATRate == "" {
		p.VATRate = "22"
	}
	if _, err := vat.ParseRate(p.VATRate); err != nil {
		add("vat_rate", "vat_rate must be 22, 20, 10, 0 or «без НДС»", "ставка НДС: 22, 20, 10, 0 или «без НДС»")
	}
	var err error
	if p.Price, err = workflow.ParseMoney(in.Price); err != nil || p.Price < 0 {
		add("price", "price must be a decimal amount such as 1150000.00", "цена — число, например 1150000,00")
	}
	if in.Cost != "" {
		if p.Cost, err = workflow.ParseMoney(in.Cost); err != nil || p.Cost < 0 {
			add("cost", "cost must be a decimal amount", "себестоимость — число")
		}
	}
	for _, v := range []string{p.SKU, p.Name} {
		if strings.ContainsAny(v, "\x00\r\n") {
			add("name", "control characters are not allowed", "управляющие символы недопустимы")
			break
		}
	}
	return p, probs
}

func (s *Server) handleCatalogueList(c echo.Context) error {
	items, err := s.Store.FindProducts(ctxOf(c), c.QueryParam("all") != "1")
	if err != nil {
		return err
	}
	out := make([]ProductJSON, len(items))
	for i, p := range items {
		out[i] = productJSON(p)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (s *Server) handleCatalogueUpsert(c echo.Context) error {
	var req struct {
		Items []ProductJSON `json:"items"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.upsertProducts(c, req.Items, "items[%d].")
}

func (s *Server) upsertProducts(c echo.Context, items []ProductJSON, pathFmt string) error {
	if len(items) == 0 {
		return workflow.Invalid("items", "no catalogue items given")
	}
	if len(items) > MaxCatalogueItems {
		return workflow.Invalid("items", "at most %d items per import", MaxCatalogueItems)
	}
	var all []FieldProblem
	ps := make([]storage.Product, 0, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		p, probs := checkProduct(fmt.Sprintf(pathFmt, i), it)
		if seen[p.SKU] {
			probs = append(probs, FieldProblem{Field: fmt.Sprintf(pathFmt, i) + "sku", Message: "duplicate sku " + p.SKU, MessageRu: "повторяющийся артикул"})
		}
		seen[p.SKU] = true
		all = append(all, probs...)
		ps = append(ps, p)
	}
	if len(all) > 0 {
		if len(all) > 50 {
			all = all[:50]
		}
		return &ValidationError{Problems: all}
	}
	n, err := s.Store.UpsertProducts(ctxOf(c), ps)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"imported": n})
}

// handleCatalogueImport imports a CSV with the header sku,name,unit,okei,price,cost,vat_rate
// (comma or semicolon separated, UTF-8, decimal comma or point). Errors name the line.
func (s *Server) handleCatalogueImport(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, 5<<20+1))
	if err != nil {
		return &badRequestError{msg: "cannot read the body"}
	}
	if len(body) > 5<<20 {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	items, err := ParseCatalogueCSV(body)
	if err != nil {
		return err
	}
	return s.upsertProducts(c, items, "line %d: ")
}

// ParseCatalogueCSV reads a catalogue CSV. Line numbers in errors count the header as line 1.
func ParseCatalogueCSV(body []byte) ([]ProductJSON, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(body) {
		return nil, workflow.Invalid("file", "the CSV must be UTF-8")
	}
	sep := ','
	if first, _, _ := bytes.Cut(body, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		sep = ';'
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = sep
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, workflow.Invalid("file", "the CSV has no header line")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"sku", "name", "price"} {
		if _, ok := col[need]; !ok {
			return nil, workflow.Invalid("file", "the CSV header needs the columns sku, name, price (and optionally unit, okei, cost, vat_rate)")
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []ProductJSON
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, workflow.Invalid("file", "line %d: %v", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		out = append(out, ProductJSON{SKU: get(rec, "sku"), Name: get(rec, "name"), Unit: get(rec, "unit"), OKEI: get(rec, "okei"),
			Price: get(rec, "price"), Cost: get(rec, "cost"), VATRate: get(rec, "vat_rate")})
		if len(out) > MaxCatalogueItems {
			return nil, workflow.Invalid("file", "at most %d items per import", MaxCatalogueItems)
		}
	}
	return out, nil
}

func (s *Server) handleSellerGet(c echo.Context) error {
	p, err := s.Documents.Seller(ctxOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) handleSellerPut(c echo.Context) error {
	var p documents.Party
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	if err := fromRequisites(p.Company.Validate()); err != nil {
		return err
	}
	if p.Account == "" || p.BIK == "" {
		return workflow.Invalid("account", "the seller's bank account and BIK are required: invoices print them")
	}
	u := currentUser(c)
	if err := s.Store.PutSetting(ctxOf(c), SettingSeller, p, &u.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) handleNumberingGet(c echo.Context) error {
	out := map[string]string{}
	for _, k := range workflow.DocumentKinds {
		f, err := s.Documents.NumberFormat(ctxOf(c), k)
		if err != nil {
			return err
		}
		out[string(k)] = f.String()
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) handleNumberingPut(c echo.Context) error {
	var req map[string]string
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	for k, v := range req {
		if !workflow.DocumentKind(k).Valid() {
			return workflow.Invalid(k, "unknown document kind %q", k)
		}
		if _, err := documents.ParseNumberFormat(v); err != nil {
			return workflow.Invalid(k, "%v", err)
		}
	}
	u := currentUser(c)
	if err := s.Store.PutSetting(ctxOf(c), SettingNumbering, req, &u.ID); err != nil {
		return err
	}
	return s.handleNumberingGet(c)
}

// TemplateJSON is an uploaded template version.
type TemplateJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	SHA256    string    `json:"sha256"`
	Filename  string    `json:"filename"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
}

func templateJSON(t storage.StoredTemplate) TemplateJSON {
	return TemplateJSON{ID: t.ID, Kind: string(t.Kind), Format: t.Format, Version: t.Version, SHA256: t.SHA256, Filename: t.Filename,
		Active: t.Active, CreatedAt: t.CreatedAt, URL: fmt.Sprintf("/api/v1/templates/%d/file", t.ID)}
}

func (s *Server) handleTemplateList(c echo.Context) error {
	items, err := s.Store.FindTemplates(ctxOf(c), workflow.DocumentKind(c.QueryParam("kind")))
	if err != nil {
		return err
	}
	out := make([]TemplateJSON, len(items))
	for i, t := range items {
		out[i] = templateJSON(t)
	}
	var builtin []map[string]string
	for _, k := range workflow.DocumentKinds {
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			if tf, err := documents.Builtin(k, f); err == nil {
				builtin = append(builtin, map[string]string{"kind": string(k), "format": string(f), "sha256": tf.SHA256, "name": tf.Name,
					"url": fmt.Sprintf("/api/v1/templates/builtin/%s/%s", k, f)})
			}
			// The shipped variants (upd-torg12.docx): printed for the data that names them,
			// whatever is uploaded for the kind, so they cannot be replaced, only downloaded.
			for _, v := range documents.BuiltinVariants(k) {
				if tf, err := documents.BuiltinVariant(k, v, f); err == nil {
					builtin = append(builtin, map[string]string{"kind": string(k), "format": string(f), "variant": v, "sha256": tf.SHA256,
						"name": tf.Name, "url": fmt.Sprintf("/api/v1/templates/builtin/%s/%s?variant=%s", k, f, v)})
				}
			}
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "builtin": builtin})
}

// MaxTemplateUpload bounds an uploaded template.
const MaxTemplateUpload = 10 << 20

// handleTemplateUpload stores a new template version for a kind and format after checking it
// parses and uses only the kind's placeholders. The body is the file (or multipart "file").
func (s *Server) handleTemplateUpload(c echo.Context) error {
	k := workflow.DocumentKind(c.Param("kind"))
	if !k.Valid() {
		return workflow.Invalid("kind", "unknown document kind %q", c.Param("kind"))
	}
	f := documents.Format(c.Param("format"))
	if f != documents.PDF && f != documents.DOCX {
		return workflow.Invalid("format", "format must be pdf (an XML layout) or docx")
	}
	var (
		content  []byte
		filename = c.QueryParam("filename")
		err      error
	)
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), "multipart/") {
		fh, ferr := c.FormFile("file")
		if ferr != nil {
			return workflow.Invalid("file", "a multipart form with a file field is expected")
		}
		if fh.Size > MaxTemplateUpload {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		fl, ferr := fh.Open()
		if ferr != nil {
			return ferr
		}
		defer fl.Close()
		content, err = io.ReadAll(io.LimitReader(fl, MaxTemplateUpload+1))
		filename = fh.Filename
	} else {
		content, err = io.ReadAll(io.LimitReader(c.Request().Body, MaxTemplateUpload+1))
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return &badRequestError{msg: "cannot read the template"}
	}
	if len(content) > MaxTemplateUpload {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	if len(content) == 0 {
		return workflow.Invalid("file", "the template is empty")
	}
	filename = cleanFilename(strings.ReplaceAll(filename, "..", "_"), 200)
	if filename == "" {
		filename = string(k) + "." + map[documents.Format]string{documents.PDF: "xml", documents.DOCX: "docx"}[f]
	}
	if err := s.Documents.Renderer.CheckTemplate(k, f, filename, content); err != nil {
		var te *documents.TemplateError
		if errors.As(err, &te) {
			probs := make([]FieldProblem, len(te.Problems))
			for i, p := range te.Problems {
				probs[i] = FieldProblem{Field: "file", Message: p}
			}
			return &ValidationError{Problems: probs}
		}
		return err
	}
	u := currentUser(c)
	t, err := s.Store.SaveTemplate(ctxOf(c), k, string(f), filename, content, &u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, templateJSON(t))
}

func (s *Server) handleTemplateFile(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	t, err := s.Store.FindTemplateByID(ctxOf(c), id)
	if err != nil {
		return err
	}
	b, err := s.Store.Blobs().Get(ctxOf(c), t.SHA256)
	if err != nil {
		return err
	}
	ct := "application/xml"
	if t.Format == "docx" {
		ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": asciiFallback(t.Filename)})+"; filename*=UTF-8''"+rfc5987(t.Filename))
	return c.Blob(http.StatusOK, ct, b)
}

func (s *Server) handleBuiltinTemplate(c echo.Context) error {
	tf, err := documents.BuiltinVariant(workflow.DocumentKind(c.Param("kind")), c.QueryParam("variant"), documents.Format(c.Param("format")))
	if err != nil {
		return workflow.ErrNotFound
	}
	ct := "application/xml"
	if tf.Format == documents.DOCX {
		ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	name := strings.TrimPrefix(tf.Name, "builtin:")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	return c.Blob(http.StatusOK, ct, tf.Bytes)
}

func (s *Server) handleTemplateActivate(c echo.Context) error {
	k := workflow.DocumentKind(c.Param("kind"))
	f := c.Param("format")
	if !k.Valid() || (f != "pdf" && f != "docx") {
		return workflow.ErrNotFound
	}
	var req struct {
		Version json.Number `json:"version"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := req.Version.Int64()
	if err != nil || v < 0 {
		return workflow.Invalid("version", "version must be a whole number (0 returns to the shipped template)")
	}
	if err := s.Store.ActivateTemplate(ctxOf(c), k, f, int(v)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"kind": k, "format": f, "active_version": v})
}
