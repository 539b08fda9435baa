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
    account: function (v, f) { return v === "" || accountOK(v, digits(f.bik.value), false) ? "" : "Р/с: ключ не сходится с БИК"; },
    corr_account: function (v, f) { return v === "" || accountOK(v, digits(f.bik.value), true) ? "" : "К/с: ключ не сходится с БИК"; }
  };
  document.querySelectorAll("form[data-requisites]").forEach(function (form) {
    form.addEventListener("input", function (e) {
      var name = e.target.name, fn = checks[name];
      if (!fn) return;
      var v = digits(e.target.value), msg = v === "" && name === "inn" ? "" : fn(v, form);
      var err = document.getElementById("err-" + name);
      if (err) err.textContent = msg;
      e.target.classList.toggle("invalid", msg !== "");
    });
  });

  // Line items: add/remove rows and recompute totals (the server recomputes exactly).
  function parseNum(s) { var n = parseFloat(String(s).replace(/[\s\u00a0]/g, "").replace(",", ".")); return isNaN(n) ? 0 : n; }
  function fmt(n) { return n.toFixed(2).replace(".", ",").replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }
  document.querySelectorAll("table.lines").forEach(function (table) {
    function recalc() {
      var net = 0, vat = 0;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var q = tr.querySelector("[data-f=qty]"), p = tr.querySelector("[data-f=price]"), r = tr.querySelector("[data-f=vat_rate]");
        if (!q || !p) return;
        var a = Math.round(parseNum(q.value) * parseNum(p.value) * 100) / 100;
        var rate = r && /^\d+$/.test(r.value) ? Number(r.value) : 0;
        var v = Math.round(a * rate) / 100;
        net += a; vat += v;
        var cell = tr.querySelector("[data-out=amount]"); if (cell) cell.textContent = fmt(a);
      });
      var box = document.getElementById(table.dataset.totals);
      if (box) box.innerHTML = "Итого без НДС: <b>" + fmt(net) + "</b> · НДС: <b>" + fmt(vat) + "</b> · Всего: <b>" + fmt(net + vat) + "</b>";
    }
    table.addEventListener("input", recalc);
    var add = document.getElementById(table.dataset.add);
    if (add) add.addEventListener("click", function (e) {
      e.preventDefault();
      var tpl = table.querySelector("tbody tr:last-child");
      if (!tpl) return;
      var row = tpl.cloneNode(true), idx = table.querySelectorAll("tbody tr").length;
      row.querySelectorAll("input,select").forEach(function (el) {
        el.name = el.name.replace(/\[\d+\]/, "[" + idx + "]");
        if (el.tagName === "INPUT") el.value = el.dataset.f === "qty" ? "1" : "";
      });
      table.querySelector("tbody").appendChild(row);
      recalc();
    });
    table.addEventListener("change", function (e) {
      var sel = e.target;
      if (!sel.matches("select[data-f=sku]")) return;
      var opt = sel.selectedOptions[0], tr = sel.closest("tr");
      if (!opt || !opt.dataset.name) return;
      ["name", "unit", "price", "vat_rate"].forEach(function (f) {
        var el = tr.querySelector("[data-f=" + f + "]");
        if (el) el.value = opt.dataset[f.replace("_r", "R")] || opt.dataset[f] || "";
      });
      recalc();
    });
    recalc();
  });
})();
