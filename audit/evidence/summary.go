package evidence

import (
	"fmt"
	"strings"
)

// Summary is SUMMARY.txt: what the bundle holds, in Russian and English, for a person. It is
// made from the manifest alone, so the verifier makes it again and compares.
func Summary(m *Manifest) []byte {
	rep := m.ServerReport
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	p("Пакет доказательств / Evidence bundle — dealgate (%s)", BundleFormat)
	p("")
	d := m.Deal
	if d.Stored {
		p("Сделка / Deal %d: «%s»; компания / company %d; ответственный / owner %d; этап / stage %s; статус / status %s", d.ID, d.Title, d.CompanyID, d.OwnerID, d.Stage, d.Status)
	} else {
		p("Сделка / Deal %d: нет в базе данных / not in the database", d.ID)
	}
	by := "—"
	if m.GeneratedBy != nil {
		by = fmt.Sprintf("%s (%s, id %d)", m.GeneratedBy.Email, m.GeneratedBy.Role, m.GeneratedBy.ID)
	}
	p("Сформирован / Generated: %s, для / for %s", m.GeneratedAt, by)
	p("")
	head := "—"
	if n := len(m.Events); n > 0 {
		head = fmt.Sprintf("событие / event %d, %s", m.Events[n-1].Seq, m.Events[n-1].Hash)
	}
	p("Цепочка событий / Chain of events: %d; последнее / head: %s", len(m.Events), head)
	if c := m.Checkpoint; c != nil {
		p("Контрольная точка / Checkpoint: журнал / log %s, размер / size %d, корень / root %s", c.Origin, c.Size, c.Root)
		p("  голова сделки в журнале / deal head in the log: лист / leaf %d = событие / event %d", c.LeafIndex, c.Seq)
	} else {
		p("Контрольная точка / Checkpoint: нет / none")
	}
	switch {
	case rep == nil:
	case rep.OK:
		p("Проверка сервером / Server verification: OK")
	case len(rep.Problems) > 0:
		p("Проверка сервером / Server verification: НАРУШЕНА / FAILED, %d problem(s); first: %s", len(rep.Problems), rep.Problems[0].String())
	default:
		p("Проверка сервером / Server verification: НАРУШЕНА / FAILED")
	}
	p("")
	p("События / Events:")
	for _, e := range m.Events {
		line := fmt.Sprintf("  %4d  %s  %-19s %-14s", e.Seq, e.At, e.Kind, e.Action)
		if e.From != "" || e.To != "" {
			line += fmt.Sprintf(" %s → %s", e.From, e.To)
		}
		line += fmt.Sprintf("  actor %d", e.ActorID)
		if e.Reason != "" {
			line += "  «" + e.Reason + "»"
		}
		p("%s", line)
	}
	p("")
	p("Документы (все версии) / Documents (all versions):")
	for _, doc := range m.Documents {
		p("  %d  %s № %s  версия / version %d  %s", doc.ID, doc.Kind, doc.Number, doc.Version, doc.Status)
		p("      data     %s  %s", doc.DataSHA256, doc.DataPath)
		for _, f := range doc.Files {
			p("      %-8s %s  %s", f.Format, f.SHA256, f.Path)
		}
		p("      templates %s", canonical(doc.Templates))
	}
	if len(m.Attachments) > 0 {
		p("")
		p("Подписанные копии / Signed copies:")
		for _, a := range m.Attachments {
			p("  %d  документ / document %d  %s  %s  %s", a.ID, a.DocumentID, a.Filename, a.SHA256, a.Path)
		}
	}
	if len(m.Templates) > 0 {
		p("")
		p("Загруженные шаблоны / Uploaded templates:")
		for _, t := range m.Templates {
			p("  %d  %s %s версия / version %d  %s  %s", t.ID, t.Kind, t.Format, t.Version, t.SHA256, t.Path)
		}
	}
	p("")
	p("Проверить без сервера / Verify offline:")
	key := m.PublicKey
	if key == "" {
		key = "<server verifier key>"
	}
	p("  dealgate verify evidence-deal-%d.zip --key '%s'", d.ID, key)
	p("Каждый файл записан своим SHA-256 в событии; каждое событие содержит хеш предыдущего; последнее")
	p("записанное событие входит в контрольную точку, подписанную ключом сервера. Формат: docs/AUDIT.md.")
	p("Every file's SHA-256 is recorded in an event; every event hashes the one before it; the deal's")
	p("logged head is in a checkpoint signed with the server's key. The format is in docs/AUDIT.md.")
	return []byte(b.String())
}
