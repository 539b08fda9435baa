#!/usr/bin/env node
// Fills dealgate's own proposal DOCX template with docxtemplater, the way a Node.js template
// service would, and measures warm fills per second and per CPU-second of this process.
// Benchmark tooling only: it is not part of dealgate and not part of its test suite.
//
//   node fill.js --template proposal.docx --data views.json [--n 300] [--warmup 150]
//                [--level 6] [--out sample.docx]
//
// --data is a JSON array of documents as dealgate's DOCX filler receives them
// (documents/docxfill: {"values": {"seller.inn": "…"}, "lists": {"lines": [{"name": "…"}]}}),
// written by `go run ./bench/alternatives -docxtemplater`. Fill i uses document i mod length.
//
// The template keeps dealgate's placeholder syntax except for loop rows: a table row whose
// placeholders all read {L.field} for a list L of the data ({lines.name} … {lines.total}) is
// rewritten once, before timing, to docxtemplater's row loop: "{#lines}{no}" in its first
// placeholder, "{total}{/lines}" in its last, "{field}" in between. Scalar placeholders such as
// {seller.inn} stay as they are: docxtemplater's default parser looks the whole tag up as one
// key, and the data gives it flat dotted keys, as dealgate's filler has them.
//
// Every fill is what a docxtemplater user does per document: new PizZip(template bytes),
// new Docxtemplater(zip, options), render(data), toBuffer() (DEFLATE, docxtemplater's default
// export; --level sets the deflate level, default pako's 6). The first fill is read back
// (word/document.xml unzipped and checked for the buyer, the total and every line) and
// written to --out. The result is one JSON line on stdout.
"use strict";

const fs = require("fs");
const PizZip = require("pizzip");
const Docxtemplater = require("docxtemplater");

function args(argv) {
  const o = { n: 300, warmup: 150, level: 0, out: "", template: "", data: "" };
  for (let i = 2; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, "");
    if (!(k in o) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete argument ${argv[i]}`);
    }
    o[k] = typeof o[k] === "number" ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!o.template || !o.data) {
    throw new Error("usage: node fill.js --template T.docx --data views.json [--n N] [--warmup N] [--level L] [--out F]");
  }
  return o;
}

// toDocxtemplater turns dealgate's filler data into docxtemplater's scope: the flat dotted
// values as they are, each list as an array of its items.
function toDocxtemplater(d) {
  const scope = Object.assign({}, d.values);
  for (const [name, items] of Object.entries(d.lists || {})) {
    scope[name] = items;
  }
  return scope;
}

const placeholder = /\{([A-Za-z0-9_\-.#]+)\}/g;

// convertPart rewrites the loop rows of one WordprocessingML part (see the header comment)
// and returns the new XML and the number of rows rewritten.
function convertPart(xml, lists) {
  let rows = 0;
  const out = xml.replace(/<w:tr[ >][\s\S]*?<\/w:tr>/g, (row) => {
    const keys = [...row.matchAll(placeholder)].map((m) => m[1]);
    if (keys.length < 2) {
      return row;
    }
    const list = keys[0].split(".")[0];
    if (!lists.has(list) || !keys.every((k) => k.startsWith(list + ".") && k.length > list.length + 1)) {
      return row;
    }
    if (row.includes("<w:tbl>") || row.includes("<w:tbl ")) {
      throw new Error(`loop row over ${list} holds a nested table`);
    }
    rows++;
    let i = 0;
    return row.replace(placeholder, (_, k) => {
      const field = k.slice(list.length + 1);
      i++;
      if (i === 1) {
        return `{#${list}}{${field}}`;
      }
      if (i === keys.length) {
        return `{${field}}{/${list}}`;
      }
      return `{${field}}`;
    });
  });
  return { xml: out, rows };
}

// convertTemplate rewrites the loop rows of the body, headers and footers once and returns
// the template as DOCX bytes again.
function convertTemplate(bytes, lists) {
  const zip = new PizZip(bytes);
  let rows = 0;
  for (const name of Object.keys(zip.files)) {
    if (!/^word\/(document|header\d*|footer\d*)\.xml$/.test(name)) {
      continue;
    }
    const r = convertPart(zip.file(name).asText(), lists);
    rows += r.rows;
    zip.file(name, r.xml);
  }
  return { bytes: zip.generate({ type: "nodebuffer", compression: "DEFLATE" }), rows };
}

function fill(template, scope, level) {
  const zip = new PizZip(template);
  const doc = new Docxtemplater(zip, {
    paragraphLoop: true,
    linebreaks: true, // "\n" in a value becomes a line break, as in dealgate's filler
    stripInvalidXMLChars: true, // dealgate's filler drops characters XML cannot carry
    nullGetter(part) {
      throw new Error(`no value for {${part.value}}`);
    },
  });
  doc.render(scope);
  return level > 0 ? doc.toBuffer({ compressionOptions: { level } }) : doc.toBuffer();
}

function xmlEscape(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// check reads a filled DOCX back and verifies that the buyer, the total and every line's
// name and amount are in its document.xml, and that no placeholder or "undefined" is left.
function check(out, d) {
  const xml = new PizZip(out).file("word/document.xml").asText();
  const text = xml.replace(/<[^>]+>/g, "");
  const want = [["buyer.name", d.values["buyer.name"]], ["totals.gross", d.values["totals.gross"]]];
  (d.lists.lines || []).forEach((l, i) => {
    want.push([`lines[${i}].name`, l.name], [`lines[${i}].amount`, l.amount], [`lines[${i}].total`, l.total]);
  });
  const missing = want.filter(([, v]) => !v || !xml.includes(xmlEscape(v))).map(([k]) => k);
  if (missing.length) {
    throw new Error(`filled document lacks ${missing.join(", ")}`);
  }
  const left = text.match(/\{[^{}]*\}/);
  if (left) {
    throw new Error(`placeholder left in the filled document: ${left[0]}`);
  }
  if (text.includes("undefined")) {
    throw new Error('"undefined" in the filled document');
  }
  return want.length;
}

function main() {
  const o = args(process.argv);
  const docs = JSON.parse(fs.readFileSync(o.data, "utf8"));
  if (!Array.isArray(docs) || docs.length === 0) {
    throw new Error("--data must be a non-empty JSON array");
  }
  const scopes = docs.map(toDocxtemplater);
  const lists = new Set(Object.keys(docs[0].lists || {}));
  const conv = convertTemplate(fs.readFileSync(o.template), lists);
  if (conv.rows === 0) {
    throw new Error("no loop row found in the template");
  }
  const template = conv.bytes;

  const first = fill(template, scopes[0], o.level);
  const checked = check(first, docs[0]);
  if (o.out) {
    fs.writeFileSync(o.out, first);
  }
  for (let i = 0; i < o.warmup; i++) {
    fill(template, scopes[i % scopes.length], o.level);
  }

  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < o.n; i++) {
    bytes += fill(template, scopes[i % scopes.length], o.level).length;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;

  const pkg = (name) => require(`${name}/package.json`).version;
  process.stdout.write(
    JSON.stringify({
      tool: "docxtemplater",
      node: process.version,
      docxtemplater: pkg("docxtemplater"),
      pizzip: pkg("pizzip"),
      loop_rows: conv.rows,
      checked_values: checked,
      level: o.level || "default",
      warmup: o.warmup,
      n: o.n,
      wall_s: wall,
      cpu_s: cpu,
      per_s: o.n / wall,
      per_cpu_s: o.n / cpu,
      avg_bytes: Math.round(bytes / o.n),
    }) + "\n",
  );
}

try {
  main();
} catch (e) {
  process.stderr.write(`docxtemplater bench: ${e.stack || e}\n`);
  process.exit(1);
}
