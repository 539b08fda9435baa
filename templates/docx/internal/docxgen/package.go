package docxgen

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Namespaces and relationship types of the parts written here (ECMA-376, transitional).
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	relPrefix = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	ctPrefix  = "application/vnd.openxmlformats-officedocument.wordprocessingml."
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// modTime is the fixed timestamp of every zip entry, so output does not depend on the clock.
var modTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Package describes one .docx file.
type Package struct {
	Title  string // document title (docProps/core.xml)
	Body   string // body XML from Doc.Body
	Footer []Para // footer paragraphs; nil for none. Use PageNumbers for "стр. N из M".
	// Landscape turns the A4 page (w:orient="landscape") with the narrower margins of
	// wide forms (LandscapeMargin*), so the text is LandscapeTextWidth wide.
	Landscape bool
}

// PageNumbers returns runs that print "стр. N из M" with PAGE and NUMPAGES fields.
func PageNumbers() []Run {
	field := func(instr string) Run {
		return Run{Raw: `<w:fldSimple w:instr=" ` + instr + ` \* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>`}
	}
	return []Run{
		{Text: "стр. ", Size: SizeTiny},
		field("PAGE"),
		{Text: " из ", Size: SizeTiny},
		field("NUMPAGES"),
	}
}

// Build returns the .docx bytes.
func (p Package) Build() ([]byte, error) {
	type part struct{ name, body string }
	docRels := []string{
		rel("rId1", "styles", "styles.xml"),
		rel("rId2", "settings", "settings.xml"),
		rel("rId3", "fontTable", "fontTable.xml"),
	}
	overrides := []string{
		override("/word/document.xml", ctPrefix+"document.main+xml"),
		override("/word/styles.xml", ctPrefix+"styles+xml"),
		override("/word/settings.xml", ctPrefix+"settings+xml"),
		override("/word/fontTable.xml", ctPrefix+"fontTable+xml"),
		override("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
	}
	pgSz := fmt.Sprintf(`<w:pgSz w:w="%d" w:h="%d"/>`, PageWidth, PageHeight)
	top, right, bottom, left := MarginTop, MarginRight, MarginBottom, MarginLeft
	if p.Landscape {
		pgSz = fmt.Sprintf(`<w:pgSz w:w="%d" w:h="%d" w:orient="landscape"/>`, PageHeight, PageWidth)
		top, right, bottom, left = LandscapeMarginTop, LandscapeMarginRight, LandscapeMarginBottom, LandscapeMarginLeft
	}
	sect := pgSz + fmt.Sprintf(`<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="709" w:footer="567" w:gutter="0"/><w:cols w:space="708"/>`,
		top, right, bottom, left)
	parts := []part{}
	if p.Footer != nil {
		docRels = append(docRels, rel("rId4", "footer", "footer1.xml"))
		overrides = append(overrides, override("/word/footer1.xml", ctPrefix+"footer+xml"))
		sect = `<w:footerReference w:type="default" r:id="rId4"/>` + sect
		var f strings.Builder
		for _, para := range p.Footer {
			writePara(&f, para)
		}
		parts = append(parts, part{"word/footer1.xml", xmlHeader +
			`<w:ftr xmlns:w="` + nsW + `" xmlns:r="` + nsR + `">` + f.String() + `</w:ftr>`})
	}

	all := []part{
		{"[Content_Types].xml", xmlHeader +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			strings.Join(overrides, "") + `</Types>`},
		{"_rels/.rels", xmlHeader +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + relPrefix + `officeDocument" Target="word/document.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
			`</Relationships>`},
		{"docProps/core.xml", xmlHeader +
			`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
			`<dc:title>` + escapeText(p.Title) + `</dc:title><dc:language>ru-RU</dc:language><dc:creator>dealgate</dc:creator>` +
			`<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created></cp:coreProperties>`},
		{"word/document.xml", xmlHeader +
			`<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>` + p.Body +
			`<w:sectPr>` + sect + `</w:sectPr></w:body></w:document>`},
		{"word/_rels/document.xml.rels", xmlHeader +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			strings.Join(docRels, "") + `</Relationships>`},
		{"word/styles.xml", stylesXML},
		{"word/settings.xml", settingsXML},
		{"word/fontTable.xml", fontTableXML},
	}
	all = append(all, parts...)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, pt := range all {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: pt.name, Method: zip.Deflate, Modified: modTime})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(pt.body)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func rel(id, typ, target string) string {
	return `<Relationship Id="` + id + `" Type="` + relPrefix + typ + `" Target="` + escapeAttr(target) + `"/>`
}

func override(name, contentType string) string {
	return `<Override PartName="` + name + `" ContentType="` + contentType + `"/>`
}

// The font is Times New Roman; LibreOffice substitutes the metric-compatible Liberation
// Serif (named as the alternative in the font table) where Times New Roman is missing.
const fonts = `<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>`

const stylesXML = xmlHeader + `<w:styles xmlns:w="` + nsW + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` + fonts +
	`<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="ru-RU" w:eastAsia="ru-RU" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>` +
	`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>` +
	`</w:styles>`

const settingsXML = xmlHeader + `<w:settings xmlns:w="` + nsW + `">` +
	`<w:zoom w:percent="100"/><w:defaultTabStop w:val="708"/><w:characterSpacingControl w:val="doNotCompress"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`<w:themeFontLang w:val="ru-RU"/></w:settings>`

const fontTableXML = xmlHeader + `<w:fonts xmlns:w="` + nsW + `">` +
	`<w:font w:name="Times New Roman"><w:altName w:val="Liberation Serif"/><w:panose1 w:val="02020603050405020304"/><w:charset w:val="CC"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`</w:fonts>`
