// rfc-bot site: filters and search on the index. No framework, no network.
// The filter state lives in the URL fragment (#q=retry&status=Draft), so a view can be shared.
"use strict";
(function () {
  var list = document.getElementById("rfcs");
  if (!list) return;
  var rows = Array.prototype.slice.call(list.querySelectorAll("li.rfc"));
  var controls = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var pills = Array.prototype.slice.call(document.querySelectorAll("[data-status-pill]"));
  var shown = document.getElementById("shown");
  var SEP = String.fromCharCode(31);

  function state() {
    var s = {};
    controls.forEach(function (c) { if (c.value) s[c.dataset.filter] = c.value; });
    return s;
  }

  // Word-order independent: every word of the query must occur somewhere in the row's text.
  function matches(row, s) {
    if (s.status !== undefined && row.dataset.status !== s.status) return false;
    if (s.app && row.dataset.apps.split(SEP).indexOf(s.app) < 0) return false;
    if (s.author && row.dataset.authors.split(SEP).indexOf(s.author) < 0) return false;
    var words = (s.q || "").toLowerCase().split(/\s+/).filter(Boolean);
    var text = row.dataset.text;
    return words.every(function (w) { return text.indexOf(w.replace(/^#/, "")) >= 0; });
  }

  function apply(s) {
    var count = 0;
    rows.forEach(function (row) {
      var ok = matches(row, s);
      row.hidden = !ok;
      if (ok) count += 1;
    });
    pills.forEach(function (p) {
      p.setAttribute("aria-pressed", String(p.dataset.statusPill === s.status));
    });
    shown.textContent = count + " of " + rows.length + " shown";
  }

  function toFragment(s) {
    var params = new URLSearchParams(s).toString();
    var target = params ? "#" + params : location.pathname + location.search;
    history.replaceState(null, "", target);
  }

  function fromFragment() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    controls.forEach(function (c) {
      var value = params.get(c.dataset.filter) || "";
      if (c.tagName === "SELECT" && !Array.prototype.some.call(c.options, function (o) {
        return o.value === value;
      })) value = "";
      c.value = value;
    });
    apply(state());
  }

  controls.forEach(function (c) {
    c.addEventListener("input", function () { var s = state(); apply(s); toFragment(s); });
  });
  pills.forEach(function (p) {
    p.addEventListener("click", function () {
      var select = document.getElementById("f-status");
      select.value = select.value === p.dataset.statusPill ? "" : p.dataset.statusPill;
      var s = state(); apply(s); toFragment(s);
    });
  });
  var form = document.querySelector("form.filters");
  if (form) form.addEventListener("submit", function (e) { e.preventDefault(); });
  window.addEventListener("hashchange", fromFragment);
  fromFragment();
})();
