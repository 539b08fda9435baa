// dealgate: small, self-contained helpers. Pages work without JavaScript; this only adds
// requisites checks as you type and live totals in line-item tables.
(function () {
  "use strict";
  function digits(s) { return s.replace(/[\s\u00a0-]/g, ""); }
  function innOK(v) {
    if (!/^\d{10}$|^\d{12}$/.test(v)) return false;
    var d = v.split("").map(Number);
    function ctl(w) { var s = 0; for (var i = 0; i < w.length; i++) s += d[i] * w[i]; return s % 11 % 10; }
    if (v.length === 10) return v.slice(0, 2) !== "00" && ctl([2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[9];
    return ctl([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[10] && ctl([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[11];
  }
  function ogrnOK(v) {
    if (/^\d{13}$/.test(v)) return Number(BigInt(v.slice(0, 12)) % 11n % 10n) === Number(v[12]);
    if (/^\d{15}$/.test(v)) return Number(BigInt(v.slice(0, 14)) % 13n % 10n) === Number(v[14]);
    return false;
  }
  function accountOK(acc, bik, corr) {
    if (!/^\d{20}$/.test(acc) || !/^\d{9}$/.test(bik)) return false;
    var s = (corr ? "0" + bik.slice(4, 6) : bik.slice(6, 9)) + acc, w = [7, 1, 3], sum = 0;
    for (var i = 0; i < 23; i++) sum += Number(s[i]) * w[i % 3];
    return sum % 10 === 0;
  }
  var checks = {
    inn: function (v) { return innOK(v) ? "" : "ИНН: неверная длина или контрольная цифра"; },
    ogrn: function (v) { return v === "" || ogrnOK(v) ? "" : "ОГРН: неверная контрольная цифра"; },
    kpp: function (v) { return v === "" || /^\d{4}[\dA-Z]{2}\d{3}$/.test(v) ? "" : "КПП: 9 знаков"; },
    bik: function (v) { return v === "" || /^04\d{7}$/.test(v) ? "" : "БИК: 9 цифр, начинается с 04"; },
    account: function (v, bik) { return v === "" || bik === "" || accountOK(v, bik, false) ? "" : "Р/с: ключ не сходится с БИК"; },
    corr_account: function (v, bik) { return v === "" || bik === "" || accountOK(v, bik, true) ? "" : "К/с: ключ не сходится с БИК"; }
  };
  // Requisites are checked as they are typed — in the client form (inputs named inn, bik…) and
  // in every party of a document form or the seller profile (buyer.inn, seller.bik…). The
  // server checks them again.
  function checkRequisite(el) {
    var name = el.name || "", dot = name.lastIndexOf("."), key = name.slice(dot + 1), prefix = name.slice(0, dot + 1);
    var fn = checks[key];
    if (!fn) return;
    var bikEl = el.form && el.form.elements[prefix + "bik"];
    var v = digits(el.value), msg = v === "" && key === "inn" ? "" : fn(v, bikEl ? digits(bikEl.value) : "");
    var label = el.closest("label"), err = document.getElementById("err-" + name) || (label && label.querySelector(".field-error"));
    if (err) err.textContent = msg;
    el.classList.toggle("invalid", msg !== "");
  }
  document.querySelectorAll("form[data-requisites], form.docform").forEach(function (form) {
    form.addEventListener("input", function (e) {
      if (!e.target.name) return;
      checkRequisite(e.target);
      var key = e.target.name.slice(e.target.name.lastIndexOf(".") + 1);
      if (key === "bik") {
        var prefix = e.target.name.slice(0, e.target.name.lastIndexOf(".") + 1);
        ["account", "corr_account"].forEach(function (k) { var x = form.elements[prefix + k]; if (x && x.value) checkRequisite(x); });
      }
    });
  });

  // Tables of rows (item lines, participants, milestones…): add and remove rows. Inputs are
  // named by JSON path ("lines[3].qty"); a new row takes the next free index, so removing and
  // adding never reuses a name. The server drops blank rows and renumbers the rest.
  function parseNum(s) { var n = parseFloat(String(s).replace(/[\s\u00a0]/g, "").replace(",", ".")); return isNaN(n) ? 0 : n; }
  function fmt(n) { return n.toFixed(2).replace(".", ",").replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }
  function rateOf(v, def) {
    if (v === "без НДС") return 0;
    if (/^\d+$/.test(v)) return Number(v);
    return /^\d+$/.test(def || "") ? Number(def) : 0;
  }
  document.querySelectorAll("table.rows").forEach(function (table) {
    var box = table.closest("fieldset") || table.parentNode;
    var next = Number(table.dataset.next || table.querySelectorAll("tbody tr").length);
    var isLines = table.classList.contains("lines");
    function recalc() {
      if (!isLines) return;
      var net = 0, vat = 0, no = 0;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var f = function (n) { return tr.querySelector("[data-f=" + n + "]"); };
        var q = f("qty"), p = f("price"), d = f("discount_percent"), r = f("vat_rate");
        var cell = tr.querySelector("[data-out=amount]"), num = tr.querySelector("td.no");
        if (num) num.textContent = String(++no);
        if (!p || (p.value.trim() === "" && (!f("name") || f("name").value.trim() === ""))) { if (cell) cell.textContent = ""; return; }
        var qty = q && q.value.trim() !== "" ? parseNum(q.value) : 1;
        var price = parseNum(p.value) * (1 - (d ? parseNum(d.value) : 0) / 100);
        price = Math.round(price * 100) / 100;
        var a = Math.round(qty * price * 100) / 100;
        var v = Math.round(a * rateOf(r ? r.value : "", table.dataset.defaultVat)) / 100;
        net += a; vat += v;
        if (cell) cell.textContent = fmt(a);
      });
      var out = document.getElementById(table.dataset.totals);
      if (out) {
        out.textContent = "";
        if (net === 0 && vat === 0) return;
        [[table.dataset.lNet || "Итого без НДС", net], [table.dataset.lVat || "НДС", vat], [table.dataset.lGross || "Всего", net + vat]].forEach(function (x, i) {
          if (i) out.appendChild(document.createTextNode(" · "));
          out.appendChild(document.createTextNode(x[0] + ": "));
          var b = document.createElement("b"); b.textContent = fmt(x[1]); out.appendChild(b);
        });
      }
    }
    function addRow() {
      var rows = table.querySelectorAll("tbody tr");
      var tpl = rows[rows.length - 1];
      if (!tpl) return;
      var row = tpl.cloneNode(true), idx = next++;
      row.querySelectorAll("input,select,textarea").forEach(function (el) {
        el.name = el.name.replace(/\[\d+\]/, "[" + idx + "]");
        if (el.id) el.id = el.id.replace(/-\d+-/, "-" + idx + "-");
        if (el.type === "hidden") { el.parentNode.removeChild(el); return; }
        if (el.type === "checkbox") el.checked = false;
        else if (el.tagName === "SELECT") el.selectedIndex = 0;
        else el.value = "";
        el.classList.remove("invalid");
      });
      row.querySelectorAll(".field-error").forEach(function (e) { e.textContent = ""; });
      row.querySelectorAll("label.invalid, td.invalid").forEach(function (e) { e.classList.remove("invalid"); });
      var cell = row.querySelector("[data-out=amount]"); if (cell) cell.textContent = "";
      table.querySelector("tbody").appendChild(row);
      var first = row.querySelector("select,input,textarea");
      if (first) first.focus();
      recalc();
    }
    var add = box.querySelector(".add-row");
    if (add) add.addEventListener("click", function (e) { e.preventDefault(); addRow(); });
    table.addEventListener("click", function (e) {
      var btn = e.target.closest("button.remove");
      if (!btn) return;
      e.preventDefault();
      var tr = btn.closest("tr");
      if (table.querySelectorAll("tbody tr").length > 1) tr.parentNode.removeChild(tr);
      else tr.querySelectorAll("input,textarea").forEach(function (el) { el.value = ""; });
      recalc();
    });
    table.addEventListener("input", recalc);
    table.addEventListener("change", function (e) {
      var sel = e.target;
      if (sel.matches("select[data-f=sku]")) {
        var opt = sel.selectedOptions[0], tr = sel.closest("tr");
        if (opt && opt.dataset.name) {
          var put = function (f, v) { var el = tr.querySelector("[data-f=" + f + "]"); if (el && v !== undefined) el.value = v; };
          put("name", opt.dataset.name); put("unit", opt.dataset.unit); put("okei", opt.dataset.okei);
          put("price", opt.dataset.price); put("vat_rate", opt.dataset.vatRate);
          var q = tr.querySelector("[data-f=qty]"); if (q && q.value.trim() === "") q.value = "1";
        }
      }
      recalc();
    });
    recalc();
  });

  // A folded party shows its name; keep that in step with what is typed.
  document.querySelectorAll("details.party").forEach(function (d) {
    var out = d.querySelector("[data-summary]"), name = d.querySelector("input[name$='.name']");
    if (out && name) name.addEventListener("input", function () { out.textContent = name.value; });
  });

  // A form section holding an error opens, and the first error gets the focus.
  var firstErr = document.querySelector(".docform .invalid input, .docform .invalid select, .docform .invalid textarea, .docform input.invalid");
  if (firstErr) {
    var p = firstErr.closest("details");
    while (p) { p.open = true; p = p.parentElement && p.parentElement.closest("details"); }
  }
})();
