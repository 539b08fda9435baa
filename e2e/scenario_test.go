package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// The people of the story; everyone but the administrator is added through the admin pages.
const password = "надёжный-пароль-2026"

var (
	rep1       = person{"a.sokolova@example.ru", "Соколова Анна Игоревна", "rep"}
	rep2       = person{"d.orlov@example.ru", "Орлов Дмитрий Сергеевич", "rep"}
	backoffice = person{"m.belova@example.ru", "Белова Марина Петровна", "backoffice"}
	auditor    = person{"k.zuev@example.ru", "Зуев Константин Андреевич", "auditor"}
)

type person struct{ email, name, role string }

// catalogueCSV is the demo catalogue the administrator imports (semicolons, decimal commas).
const catalogueCSV = `sku;name;unit;okei;price;cost;vat_rate
VK-55;Компрессор винтовой ВК-55;шт;796;2600000,00;1900000,00;22
OR-10;Осушитель рефрижераторный ОР-10;шт;796;320000,00;210000,00;22
RV-5000;Ресивер воздушный РВ-5000;шт;796;420000,00;300000,00;22
PNR-1;Пусконаладочные работы;усл. ед.;876;150000,00;60000,00;22
`

// TestDealFromFirstCallToAuditInTheBrowser is the story of one deal, clicked through in
// headless Chromium: the administrator sets up the seller, the catalogue, the templates and the
// people; a rep creates a client and a deal, corrects the client's requisites from the deal page
// (checked as typed, refused by the server with the typed values kept and the bad fields named,
// then stored), logs a call and a meeting, writes the meeting report (a rejected form keeps
// what was typed), deletes a second meeting report's draft after a confirmation (the chain of
// events unchanged; the final report's deletion refused with 409 and the reason), builds a
// proposal with three catalogue lines and live totals, previews it in the page, finalises it,
// downloads the PDF (read back with pdftotext) and advances the deal until the gate refuses the move without a client card and
// says so; after the client card (API) and the contract (form) the back office makes the
// specification and the invoice from its queue and records the payment; an auditor opens the
// trail and sees every document with its hash, the verified chain and the evidence bundle; a
// second rep gets 404 for the first rep's deal page, document pages, files and forms, and a
// form posted without its CSRF token is refused. The rep, the back office and the auditor each
// see their navigation (statistics and training included where their role may open them) and
// their role named in the header.
func TestDealFromFirstCallToAuditInTheBrowser(t *testing.T) {
	chromium := needTools(t)
	for _, dialect := range []storage.Dialect{storage.SQLite, storage.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			start := time.Now()
			s := startSite(t, dialect)
			b := openBrowser(t, chromium, s.url, artifactsDir(t, string(dialect)))
			story(t, s, b)
			t.Logf("the browser story on %s took %s; screenshots in %s", dialect, time.Since(start).Round(100*time.Millisecond), b.shots)
		})
	}
}

func story(t *testing.T, s *site, b *tab) {
	ctx := context.Background()
	today := time.Now().Format("2006-01-02")

	// ---- The administrator -------------------------------------------------------------
	b.signIn(adminEmail, adminPassword, "#new-deal")
	b.open("/admin", "#admin-tiles")
	must(t, strings.Contains(b.text("#tile-seller"), "не заполнен"), "the hub does not say the seller is missing: %q", b.text("#tile-seller"))

	// The seller profile, from the shipped proposal example's seller; the INN is typed and
	// first mistyped, which the page notices as it is typed.
	raw, err := fs.ReadFile(templates.Examples(), "proposal.json")
	must(t, err == nil, "%v", err)
	var ex documents.Proposal
	must(t, jsonUnmarshal(raw, &ex) == nil, "the proposal example does not decode")
	sp := ex.Seller
	b.open("/admin/seller", "#seller-form")
	b.typeIn("#f-inn", "6658012342")
	must(t, b.text("#seller-form label:has(#f-inn) .field-error") != "", "a wrong INN checksum is not flagged while typing")
	b.set("#f-inn", "")
	b.typeIn("#f-inn", sp.INN)
	must(t, b.text("#seller-form label:has(#f-inn) .field-error") == "", "the right INN is still flagged")
	b.fill("#f-name", sp.Name, "#f-kpp", sp.KPP, "#f-ogrn", sp.OGRN, "#f-address", sp.Address, "#f-bank_name", sp.BankName, "#f-bik", sp.BIK,
		"#f-corr_account", sp.CorrAccount, "#f-account", sp.Account, "#f-phone", sp.Phone, "#f-email", sp.Email, "#f-director_name", sp.DirectorName,
		"#f-director_title", sp.DirectorTitle, "#f-director_name_genitive", sp.DirectorNameGenitive, "#f-director_title_genitive", sp.DirectorTitleGenitive,
		"#f-basis", sp.Basis, "#f-chief_accountant", sp.ChiefAccountant, "#f-postal_address", sp.PostalAddress)
	b.shot("admin-seller")
	b.click("#seller-save", "#flash")
	seller, err := s.srv.Documents.Seller(ctx)
	must(t, err == nil && seller.INN == sp.INN && seller.DirectorName == sp.DirectorName, "the seller was not stored: %+v %v", seller, err)

	// The catalogue, imported as CSV.
	b.open("/admin/catalogue", "#csv-form")
	b.set("#csv-text", catalogueCSV)
	b.click("#csv-submit", "#flash")
	for _, sku := range []string{"VK-55", "OR-10", "RV-5000", "PNR-1"} {
		must(t, b.has(`#catalogue tr[data-sku="`+sku+`"]`), "the catalogue page does not list %s", sku)
	}
	b.shot("admin-catalogue")

	// Templates: a new version of the invoice's DOCX (the shipped file, as an administrator
	// would upload a reworded one) is checked, stored and made active; invoices then record
	// it as their template version.
	shipped, err := documents.Builtin(workflow.DocInvoice, documents.DOCX)
	must(t, err == nil, "the shipped invoice DOCX: %v", err)
	file := filepath.Join(t.TempDir(), "invoice-2026.docx")
	must(t, os.WriteFile(file, shipped.Bytes, 0o644) == nil, "write %s", file)
	b.open("/admin/templates", "#template-form")
	b.fill("#template-kind", "invoice", "#template-format", "docx")
	b.do("choose the invoice template", chromedpSetUpload("#template-file", file))
	b.click("#template-submit", "#flash")
	must(t, b.text("#tpl-invoice-docx b") == "v1", "the uploaded invoice template is not the active v1: %q", b.text("#tpl-invoice-docx b"))
	b.shot("admin-templates")

	// The people, and an API token for the first rep (shown once).
	var rep1Token string
	ids := map[string]int64{}
	for _, p := range []person{rep1, rep2, backoffice, auditor} {
		b.open("/admin/users", "#user-form")
		b.fill("#user-email", p.email, "#user-name", p.name, "#user-role", p.role, "#user-password", password)
		b.click("#user-submit", "#user-title")
		u, err := s.st.FindUserByEmail(ctx, p.email)
		must(t, err == nil && string(u.Role) == p.role, "%s was not created as %s: %+v %v", p.email, p.role, u, err)
		ids[p.email] = u.ID
		if p == rep1 {
			b.set("#token-name", "интеграция с почтой")
			b.click("#token-issue", "#token-secret")
			rep1Token = b.text("#token-secret")
			must(t, strings.HasPrefix(rep1Token, "dg_"), "no token was shown: %q", rep1Token)
		}
	}
	b.open("/admin/users", "#users")
	b.shot("admin-users")
	b.signOut()

	// ---- The rep: a client, a deal, a call, a meeting ------------------------------------
	b.signIn(rep1.email, password, "#new-deal")
	b.click("#new-company", "#company-form")
	b.typeIn("#name", "ООО «Ромашка»")
	b.typeIn("#inn", "7707083894")
	must(t, b.text("#err-inn") != "", "the client form does not flag a wrong INN while typing")
	b.set("#inn", "")
	b.typeIn("#inn", "7707083893")
	must(t, b.text("#err-inn") == "", "the client form still flags the right INN: %q", b.text("#err-inn"))
	b.fill("#kpp", "773601001", "#ogrn", "1027700132195", "#address", "117997, г. Москва, ул. Вавилова, д. 19", "#bank_name", "ПАО Сбербанк",
		"#bik", "044525225", "#corr_account", "30101810400000000225", "#account", "40702810938000012345")
	b.shot("company-form")
	b.click("#company-submit", "#deal-form")
	b.fill("#title", "Компрессорная станция цеха № 3", "#amount", "7637200,00", "#cost", "5300000,00")
	b.click("#deal-submit", "#deal-title")
	m := regexp.MustCompile(`/deals/(\d+)$`).FindStringSubmatch(b.location())
	must(t, m != nil, "the new deal is not at /deals/N: %s", b.location())
	dealID, _ := strconv.ParseInt(m[1], 10, 64)
	dealPath := "/deals/" + m[1]
	must(t, b.has(`#pipeline li.stage.current[data-stage="research"]`), "the progress line does not show research as current")
	b.shot("deal-new")
	checkNav(t, b, "менеджер по продажам", []string{"/deals", "/stats", "/training"})

	// The client's requisites, edited from the deal page: checked as typed, refused by the
	// server with every typed value kept and the bad fields named, then stored.
	b.click("#company-edit", "#company-form")
	must(t, b.value("#inn") == "7707083893" && b.value("#account") == "40702810938000012345", "the client's form is not filled with the stored requisites")
	b.set("#kpp", "")
	b.typeIn("#kpp", "77360")
	must(t, b.text("#err-kpp") != "", "the client's form does not flag a short KPP while typing")
	b.set("#inn", "")
	b.typeIn("#inn", "7707083894")
	newAddress := "117997, г. Москва, ул. Вавилова, д. 19, стр. 2"
	b.set("#address", newAddress)
	b.click("#company-submit", "#form-error")
	must(t, b.text("#err-inn") != "" && b.text("#err-kpp") != "", "the server's refusal does not name the INN and the KPP: %q, %q", b.text("#err-inn"), b.text("#err-kpp"))
	must(t, b.value("#inn") == "7707083894" && b.value("#kpp") == "77360" && b.value("#address") == newAddress, "the refused client's form lost what was typed")
	b.shot("company-edit-refused")
	b.fill("#inn", "7707083893", "#kpp", "773601001")
	b.click("#company-submit", "#deal-title")
	must(t, strings.HasSuffix(b.location(), dealPath) && b.text("#flash") != "", "saving the client did not return to the deal with a message (at %s)", b.location())
	clients, _, err := s.st.FindCompanies(ctx, storage.CompanyFilter{Query: "7707083893"})
	must(t, err == nil && len(clients) == 1 && clients[0].Address == newAddress && clients[0].KPP == "773601001" && clients[0].Valid,
		"the client's change was not stored: %+v %v", clients, err)

	advance := func(to string) {
		t.Helper()
		b.open(dealPath, "#deal-title")
		b.click("#advance", "#deal-title")
		must(t, b.has(`#pipeline li.stage.current[data-stage="`+to+`"]`), "the deal did not move to %s (refusal: %q)", to, b.text("#refusal"))
	}
	advance("cold_call")
	// The checklist's link opens the activity form set to a call.
	b.click(`#checklist a[data-make="call"]`, "#activity-form")
	must(t, b.value("#activity-kind") == "call", "the checklist link did not choose the call: %q", b.value("#activity-kind"))
	b.set("#activity-note", "Холодный звонок главному инженеру: интерес к замене компрессоров")
	b.click("#activity-submit", "#flash")
	advance("meeting")
	b.fill("#activity-kind", "meeting", "#activity-note", "Встреча на площадке с главным инженером")
	b.press("#activity-dm")
	b.click("#activity-submit", "#flash")
	must(t, strings.Contains(b.text("#activities .log"), "Встреча на площадке"), "the meeting is not in the log")

	// The meeting report: a form without its goal is refused, the error next to the goal and
	// the typed participant kept; then it is saved, previewed and finalised.
	b.click(`#checklist a[data-make="meeting_report"]`, "#doc-form")
	must(t, b.value("#f-client-name") == "ООО «Ромашка»", "the meeting report is not prefilled with the client: %q", b.value("#f-client-name"))
	b.fill("#f-goal", "", "#f-participants-0-name", "Гаврилов Павел Игоревич", "#f-participants-0-side", "client",
		"#f-participants-0-position", "Главный инженер", "#f-participants-0-role", "decision_maker",
		"#f-needs", "Производительность 18 м³/мин\nРезерв по компрессорам", "#f-next_steps-0-action", "Направить КП",
		"#f-next_steps-0-owner", "Соколова А. И.", "#f-next_steps-0-due", today)
	b.click("#doc-save", "#form-errors")
	must(t, b.text("#err-f-goal") != "", "the missing goal is not flagged next to its field")
	must(t, b.value("#f-participants-0-name") == "Гаврилов Павел Игоревич", "the refused form lost the participant: %q", b.value("#f-participants-0-name"))
	must(t, b.value("#f-next_steps-0-due") == today, "the refused form lost the due date")
	b.shot("meeting-report-refused")
	b.set("#f-goal", "Выявить потребность в сжатом воздухе для цеха № 3")
	b.click("#doc-save", "#doc-status")
	must(t, b.has("#pdf-preview"), "the draft page has no preview")
	code, head := b.status(b.attr("#pdf-preview", "src"))
	must(t, code == 200 && strings.Contains(head, "application/pdf") && strings.Contains(head, "%PDF"), "the draft preview is not a PDF: %d %q", code, head)
	b.click("#doc-finalise", "#doc-number")
	must(t, b.text("#flash") != "", "no message after finalising")
	must(t, !b.has("#doc-delete"), "the final meeting report offers to delete it")
	reportPath := strings.TrimPrefix(b.location(), s.url)

	// A second meeting report started by mistake: its draft is deleted, after a confirmation,
	// and the deal's chain of events does not change; the final report cannot be deleted.
	eventsBefore, _ := s.st.FindEvents(ctx, dealID)
	b.open(dealPath+"/documents/new?kind=meeting_report", "#doc-form")
	b.fill("#f-goal", "Повторная встреча (ошибочный черновик)", "#f-participants-0-name", "Гаврилов Павел Игоревич", "#f-participants-0-side", "client",
		"#f-participants-0-role", "decision_maker", "#f-next_steps-0-action", "Уточнить дату", "#f-next_steps-0-owner", "Соколова А. И.", "#f-next_steps-0-due", today)
	b.click("#doc-save", "#doc-status")
	m = regexp.MustCompile(`/documents/(\d+)$`).FindStringSubmatch(b.location())
	must(t, m != nil, "the draft is not at /documents/N: %s", b.location())
	draftID, _ := strconv.ParseInt(m[1], 10, 64)
	b.click("#doc-delete", "#delete-form")
	must(t, strings.Contains(b.text("#delete-draft"), "Отчёт о встрече"), "the confirmation does not name the document: %q", b.text("#delete-draft"))
	b.shot("draft-delete-confirm")
	b.click("#delete-cancel", "#doc-status")
	_, err = s.st.FindDocumentByID(ctx, draftID)
	must(t, err == nil, "cancelling the confirmation deleted the draft: %v", err)
	b.open(dealPath, "#deal-title")
	b.click(fmt.Sprintf("#doc-delete-%d", draftID), "#delete-form")
	b.click("#delete-confirm", "#deal-title")
	must(t, b.text("#flash") != "" && !b.has(fmt.Sprintf(`#deal-docs tr[data-doc="%d"]`, draftID)), "the deal page does not confirm the deletion, or still lists the draft")
	_, err = s.st.FindDocumentByID(ctx, draftID)
	must(t, workflow.Code(err) == workflow.ENOTFOUND, "the draft is still stored: %v", err)
	eventsAfter, _ := s.st.FindEvents(ctx, dealID)
	must(t, len(eventsAfter) == len(eventsBefore), "deleting a draft changed the deal's events: %d → %d", len(eventsBefore), len(eventsAfter))
	b.open(reportPath, "#doc-number")
	refused := eval[int](b, fmt.Sprintf(`fetch(%s, {method: "POST", credentials: "same-origin", body: new URLSearchParams({_csrf: document.querySelector("input[name=_csrf]").value, confirm: "yes"})}).then(r => r.status)`,
		jsString(reportPath+"/delete")), chromedp.EvalAwaitPromise)
	must(t, refused == 409, "deleting the final meeting report answered %d, want 409", refused)
	b.open(reportPath+"/delete", "#error-page")
	must(t, strings.Contains(b.text("#error-page"), "нельзя удалить"), "the refusal does not say why: %q", b.text("#error-page"))
	b.shot("final-delete-refused")
	advance("needs")
	b.click(`#checklist a[data-make="needs"]`, "#fact-form")
	b.set("#fact-text", "Станция 18 м³/мин, осушка до +3 °C, резервирование")
	b.click("#fact-submit", "#flash")
	advance("proposal")

	// ---- The proposal: three catalogue lines, live totals, preview, final, PDF ------------
	b.click(`#checklist a[data-make="proposal"]`, "#doc-form")
	must(t, b.value("#f-addressee-name") == "Гаврилов Павел Игоревич", "the proposal is not addressed to the meeting's decision maker: %q", b.value("#f-addressee-name"))
	b.fill("#f-subject", "Замена компрессорной станции цеха № 3")
	b.set("#f-lines-0-sku", "VK-55")
	must(t, b.value("#f-lines-0-name") == "Компрессор винтовой ВК-55" && b.value("#f-lines-0-price") == "2600000.00", "choosing VK-55 did not fill the line: %q %q", b.value("#f-lines-0-name"), b.value("#f-lines-0-price"))
	b.set("#f-lines-0-qty", "2")
	b.set("#f-lines-1-sku", "OR-10")
	b.set("#f-lines-1-qty", "2")
	b.press("#f-lines-add")
	b.set("#f-lines-2-sku", "RV-5000")
	must(t, b.value("#f-lines-2-qty") == "1", "a new line chosen from the catalogue does not start at quantity 1")
	totals := strings.ReplaceAll(b.text("#f-lines-totals"), "\u00a0", " ")
	must(t, strings.Contains(totals, "6 260 000,00") && strings.Contains(totals, "1 377 200,00") && strings.Contains(totals, "7 637 200,00"),
		"the live totals are %q, want net 6 260 000,00, VAT 1 377 200,00, total 7 637 200,00", totals)
	b.shot("proposal-form")
	b.viewport(1024, 768)
	b.shot("tablet-proposal-form")
	b.viewport(1366, 768)
	b.click("#doc-save", "#doc-status")
	must(t, b.attr("#doc-total", "data-raw") == "7637200.00", "the saved draft's total is %q", b.attr("#doc-total", "data-raw"))
	code, head = b.status(b.attr("#pdf-preview", "src"))
	must(t, code == 200 && strings.Contains(head, "%PDF"), "the proposal preview is not a PDF: %d %q", code, head)
	b.do("let the PDF viewer draw", chromedp.Sleep(1500*time.Millisecond))
	b.shot("proposal-draft-preview")
	b.click("#doc-finalise", "#doc-number")
	number := b.text("#doc-number")
	pdfSHA := b.text("#pdf-sha")
	must(t, number != "" && len(pdfSHA) == 64, "the final proposal has number %q and PDF hash %q", number, pdfSHA)
	b.shot("proposal-final")
	pdf, name := b.download("#download-pdf", "/pdf")
	sum := sha256.Sum256(pdf)
	must(t, hex.EncodeToString(sum[:]) == pdfSHA, "the downloaded PDF's SHA-256 is %x, the page says %s", sum, pdfSHA)
	must(t, strings.HasSuffix(name, ".pdf") && strings.Contains(name, number), "the PDF is named %q", name)
	if png := pdfPage(t, pdf); png != nil {
		b.savePicture("proposal-pdf-page-1", png) // the page as it prints: headless Chromium does not paint its PDF viewer
	}
	text := pdfText(t, pdf)
	for _, want := range []string{number, "7 637 200,00"} {
		must(t, strings.Contains(text, want), "the proposal PDF does not contain %q:\n%s", want, text)
	}
	advance("dmu")

	// ---- The gate: skip the DMU stage, then no move without the client card ----------------
	b.open(dealPath, "#deal-title")
	b.set("#skip-reason", "ЦПР известен по встрече: ЛПР — главный инженер")
	b.click("#skip", "#deal-title")
	must(t, b.has(`#pipeline li.stage.skipped[data-stage="dmu"]`) && b.has(`#pipeline li.stage.current[data-stage="client_card"]`), "the DMU stage was not skipped")
	b.click("#advance", "#refusal")
	refusal := b.text("#refusal")
	must(t, strings.Contains(refusal, "Карта клиента"), "the refusal does not name the client card: %q", refusal)
	must(t, b.has(`#checklist li.todo a[data-make="client_card"]`), "the checklist offers no link to the client card")
	b.shot("gate-refused")
	b.viewport(1024, 768)
	b.shot("tablet-deal")
	b.viewport(1366, 768)
	// English, and back to Russian.
	b.click("#lang-switch", "#deal-title")
	must(t, b.text("#advance") == "Advance to the next stage", "the English page reads %q", b.text("#advance"))
	b.shot("deal-english")
	b.click("#lang-switch", "#deal-title")
	must(t, b.text("#advance") == "Перевести на следующий этап", "back in Russian the page reads %q", b.text("#advance"))

	// The client card through the API with the rep's token (the form is the generic one the
	// page tests cover), then negotiations and tender skipped, the contract from its form.
	var prefill struct {
		Data map[string]any `json:"data"`
	}
	must(t, s.apiCall(t, rep1Token, "GET", fmt.Sprintf("/api/v1/deals/%d/documents/prefill?kind=client_card", dealID), nil, &prefill) == 200, "prefill the client card")
	completeClientCard(prefill.Data, today)
	must(t, s.apiCall(t, rep1Token, "POST", fmt.Sprintf("/api/v1/deals/%d/documents", dealID), map[string]any{"kind": "client_card", "data": prefill.Data, "final": true}, nil) == 201,
		"finalise the client card through the API")
	advance("negotiation")
	b.set("#skip-reason", "Условия согласованы на встрече")
	b.click("#skip", "#deal-title")
	b.set("#skip-reason", "Закупка без тендера")
	b.click("#skip", "#deal-title")
	must(t, b.has(`#pipeline li.stage.current[data-stage="contract"]`), "the deal is not at the contract stage")
	b.click(`#checklist a[data-make="contract"]`, "#doc-form")
	must(t, b.value("#f-lines-0-sku") == "VK-55", "the contract is not prefilled with the proposal's lines")
	b.fill("#f-arbitration_court", "Арбитражный суд Свердловской области",
		"#f-buyer-director_name", "Белов Сергей Николаевич", "#f-buyer-director_title", "Генеральный директор")
	b.click("#doc-finalise", "#doc-number")
	contractNo := b.text("#doc-number")
	advance("specification")
	// The rep's other homes: statistics and training.
	b.click(`header nav a[href="/stats"]`, "main h1")
	b.shot("rep-statistics")
	b.click(`header nav a[href="/training"]`, "main h1")
	b.signOut()

	// ---- The back office: specification, invoice, payment ----------------------------------
	b.signIn(backoffice.email, password, "#queue")
	checkNav(t, b, "бэк-офис", []string{"/deals", "/backoffice", "/training"})
	row := fmt.Sprintf("#queue tr#deal-%d", dealID)
	must(t, b.has(row+` a[data-make="specification"]`), "the queue does not ask for the specification")
	b.click(row+` a[data-make="specification"]`, "#doc-form")
	must(t, b.value("#f-contract-number") == contractNo, "the specification does not refer to contract %s: %q", contractNo, b.value("#f-contract-number"))
	b.shot("specification-form")
	b.click("#doc-finalise", "#doc-number")
	advance("payment")
	b.open("/backoffice", "#queue")
	must(t, b.has(row+` a[data-make="invoice"]`) && b.has(row+` form[data-record="payment"]`), "the queue does not ask for the invoice and the payment")
	b.shot("backoffice-queue")
	b.click(row+` a[data-make="invoice"]`, "#doc-form")
	b.click("#doc-finalise", "#doc-number")
	invoiceTotal := b.attr("#doc-total", "data-raw")
	must(t, invoiceTotal == "7637200.00", "the invoice total is %q", invoiceTotal)
	b.open("/backoffice?need=payment", "#queue")
	b.fill(row+` form[data-record="payment"] input[name=amount]`, "7637200,00", row+` form[data-record="payment"] input[name=date]`, today)
	b.click(row+` form[data-record="payment"] button`, "#flash")
	must(t, !b.has(row+` form[data-record="payment"]`), "the payment is still asked for")
	advance("production")
	b.signOut()

	// ---- The auditor ------------------------------------------------------------------------
	b.signIn(auditor.email, password, "#audit-search")
	checkNav(t, b, "аудитор", []string{"/deals", "/stats", "/training", "/audit"})
	b.set("#audit-q", strconv.FormatInt(dealID, 10))
	b.click("#audit-find", "#timeline")
	must(t, b.has("#verify-ok"), "the chain is not reported verified: %q", b.text("#verification"))
	docs, err := s.st.FindDocuments(ctx, storage.DocumentFilter{DealID: &dealID})
	must(t, err == nil, "%v", err)
	finals := 0
	for _, d := range docs {
		if d.Status == storage.DocDraft {
			continue
		}
		finals++
		got := b.text(fmt.Sprintf(`#trail-docs tr[data-doc="%d"] .sha.pdf`, d.ID))
		must(t, got == d.PDFSHA256, "the trail shows %s %s with PDF hash %q, the store %q", d.Kind, d.Number, got, d.PDFSHA256)
		must(t, b.text(fmt.Sprintf(`#trail-docs tr[data-doc="%d"] .sha.docx`, d.ID)) == d.DOCXSHA256, "the trail's DOCX hash of %s differs", d.Kind)
	}
	var invoiceID int64
	for _, d := range docs {
		if d.Kind == workflow.DocInvoice {
			invoiceID = d.ID
		}
	}
	must(t, strings.Contains(b.text(fmt.Sprintf(`#trail-docs tr[data-doc="%d"]`, invoiceID)), "docx: v1"), "the trail does not show the invoice's DOCX template v1")
	must(t, finals == 6, "the deal has %d final documents, want 6 (meeting report, proposal, client card, contract, specification, invoice)", finals)
	events, _ := s.st.FindEvents(ctx, dealID)
	n := eval[int](b, `document.querySelectorAll("#trail-events li").length`)
	must(t, n == len(events), "the timeline shows %d events, the deal has %d", n, len(events))
	b.shot("audit-trail")
	zip, _ := b.download("#evidence-zip", "evidence.zip")
	must(t, len(zip) > 4 && string(zip[:2]) == "PK", "the evidence bundle is not a zip (%d bytes)", len(zip))
	var proposalID int64
	for _, d := range docs {
		if d.Kind == workflow.DocProposal && d.Status == storage.DocFinal {
			proposalID = d.ID
		}
	}
	b.open(fmt.Sprintf("/documents/%d", proposalID), "#doc-title")
	must(t, !b.has("#doc-edit") && !b.has("#doc-correct") && !b.has("#doc-finalise"), "the auditor is offered to change a document")
	code, head = b.status(fmt.Sprintf("/api/v1/documents/%d/pdf", proposalID))
	must(t, code == 200 && strings.Contains(head, "%PDF"), "the auditor cannot open the proposal file: %d", code)
	b.signOut()

	// ---- Another rep: 404 for everything of the first rep's deal; no form without its token --
	b.signIn(rep2.email, password, "#new-deal")
	b.open(dealPath, "#error-page")
	must(t, strings.Contains(b.text("#error-page h1"), "404"), "another rep's deal page answers %q", b.text("#error-page h1"))
	b.shot("other-rep-404")
	for _, path := range []string{
		fmt.Sprintf("/documents/%d", proposalID), fmt.Sprintf("/documents/%d/view.pdf", proposalID), fmt.Sprintf("/documents/%d/correct", proposalID),
		fmt.Sprintf("/api/v1/documents/%d/pdf", proposalID), fmt.Sprintf("/api/v1/documents/%d/docx", proposalID),
		dealPath + "/documents/new?kind=proposal", fmt.Sprintf("/audit/deals/%d", dealID), fmt.Sprintf("/api/v1/deals/%d/trail", dealID),
	} {
		code, _ := b.status(path)
		want := 404
		if strings.HasPrefix(path, "/audit/") {
			want = 403 // the auditor's pages are not for reps at all
		}
		must(t, code == want, "another rep GET %s: %d, want %d", path, code, want)
	}
	// A form of the rep's own, posted without its CSRF token.
	b.open("/companies/new", "#company-form")
	b.fill("#name", "ООО «Без токена»", "#inn", "7707083893")
	eval[bool](b, `(function(){ document.querySelectorAll("#company-form input[name=_csrf]").forEach(e => e.remove()); return true; })()`)
	b.click("#company-submit", "#error-page")
	must(t, strings.Contains(b.text("#error-page"), "403") && strings.Contains(b.text("#error-page"), "CSRF"), "a form without its token was not refused: %q", b.text("#error-page"))
	b.shot("csrf-refused")
	cos, _, err := s.st.FindCompanies(ctx, storage.CompanyFilter{Query: "Без токена"})
	must(t, err == nil && len(cos) == 0, "the refused form stored a company")
}

// checkNav checks the navigation of the page shown: exactly the links of want, in order, and
// the header naming the role in Russian (never a translation key such as role.rep).
func checkNav(t *testing.T, b *tab, roleName string, want []string) {
	t.Helper()
	got := eval[[]string](b, `Array.from(document.querySelectorAll("header nav a")).map(a => a.getAttribute("href"))`)
	must(t, strings.Join(got, " ") == strings.Join(want, " "), "the navigation at %s is %v, want %v", b.location(), got, want)
	who := b.text("#who")
	must(t, strings.Contains(who, roleName) && !strings.Contains(who, "role."), "the header says %q, want the role %q", who, roleName)
}

// pdfText returns the text of a PDF as pdftotext reads it, with non-breaking spaces as spaces.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.ReplaceAll(string(out), "\u00a0", " ")
}

// pdfPage renders the first page of a PDF as PNG with pdftoppm, for the reviewer's folder
// (nil when pdftoppm is not installed).
func pdfPage(t *testing.T, pdf []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		return nil
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", f, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Logf("pdftoppm: %v %s", err, out)
		return nil
	}
	png, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Logf("pdftoppm: %v", err)
		return nil
	}
	return png
}
