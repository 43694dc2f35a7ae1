/// The gallery's stylesheet and script, inlined into every page so a page works from a
/// file:// URL with no network and no files besides its thumbnails.
enum GalleryAssets {
    /// Distinct hues for class colours, by class position; unknown ids are grey.
    static let palette = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
                          "#9a6324", "#469990", "#808000", "#000075", "#e6beff"]

    static func color(_ index: Int) -> String { index < 0 ? "#888888" : palette[index % palette.count] }

    static let css = """
    :root { --bg: #f6f6f4; --ink: #1d1d1b; --muted: #6b6b66; --line: #d8d8d2; --card: #fff; --accent: #2b59c3; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
    header.page { padding: 16px 24px 8px; }
    header.page h1 { margin: 0 0 4px; font-size: 20px; }
    header.page p { margin: 0; color: var(--muted); }
    .controls { position: sticky; top: 0; z-index: 5; display: flex; flex-wrap: wrap; gap: 12px; align-items: center;
                padding: 8px 24px; background: #fffffff0; border-bottom: 1px solid var(--line); }
    .controls label { display: inline-flex; gap: 6px; align-items: center; }
    .controls select, .controls button { font: inherit; padding: 3px 6px; }
    .controls .count { color: var(--muted); }
    .controls .export { margin-left: auto; background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: 5px 12px; cursor: pointer; }
    nav.pages { padding: 6px 24px; }
    nav.pages a, nav.pages span { margin-right: 8px; }
    nav.pages span { font-weight: 600; }
    section.group { padding: 8px 24px 16px; }
    section.group h2 { font-size: 16px; margin: 12px 0 8px; }
    section.group h2 small { color: var(--muted); font-weight: normal; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px; outline: none; }
    .card.current { border-color: var(--accent); box-shadow: 0 0 0 2px var(--accent); }
    .card[data-verdict="ok"] { border-left: 5px solid #3cb44b; }
    .card[data-verdict]:not([data-verdict=""]):not([data-verdict="ok"]) { border-left: 5px solid #e6194b; }
    .frame { position: relative; width: 100%; overflow: hidden; background: #dcdcd6; border-radius: 3px; }
    .frame img { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
    .frame .blank { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
                    color: var(--muted); font-size: 12px; padding: 8px; text-align: center; }
    .box { position: absolute; border: 2px solid var(--c); pointer-events: none; }
    .box.clipped { border-style: dashed; }
    .box span { position: absolute; left: -2px; top: -2px; transform: translateY(-100%); background: var(--c); color: #fff;
                font-size: 10px; line-height: 1.3; padding: 0 3px; white-space: nowrap; }
    .box.top span { transform: none; }
    .box.pred { border-width: 1px; border-style: dotted; }
    .box.pred span { background: transparent; color: var(--c); font-weight: 600; text-shadow: 0 0 2px #fff; transform: none; top: auto; bottom: 0; }
    body.hide-preds .box.pred { display: none; }
    .meta { margin-top: 6px; font-size: 12px; }
    .meta code { word-break: break-all; }
    .meta .reason { color: var(--muted); }
    .meta ul { margin: 4px 0 0; padding-left: 16px; }
    .verdicts { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 6px; }
    .verdicts button { font: 11px system-ui, sans-serif; padding: 2px 6px; border: 1px solid var(--line); background: #fafafa;
                       border-radius: 3px; cursor: pointer; }
    .verdicts button[aria-pressed="true"] { background: var(--ink); color: #fff; border-color: var(--ink); }
    .fixes { display: flex; gap: 4px; margin-top: 4px; }
    .fixes select, .fixes input { font: 11px system-ui, sans-serif; min-width: 0; }
    .fixes input { flex: 1; }
    .help { color: var(--muted); font-size: 12px; padding: 0 24px 24px; }
    .report-section { padding: 8px 24px; }
    .report-section h2 { font-size: 16px; margin: 16px 0 8px; }
    table.checks { border-collapse: collapse; width: 100%; background: var(--card); }
    table.checks td, table.checks th { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
    .status { font-weight: 600; text-transform: uppercase; font-size: 12px; }
    .status.pass { color: #2e7d32; } .status.warn, .status.exception { color: #b26a00; }
    .status.fail, .status.error { color: #c62828; } .status.skipped { color: var(--muted); }
    table.checks ul { margin: 4px 0 0; padding-left: 16px; color: var(--muted); font-size: 12px; }
    .charts { display: flex; flex-wrap: wrap; gap: 24px; }
    .charts figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
    .charts figcaption { font-weight: 600; margin-bottom: 4px; }
    .verdict-line { font-size: 15px; }
    """

    /// Filters, keyboard navigation, verdicts (kept in localStorage per sheet, so the pages
    /// of one sample share them) and the audit.csv export. Sets data attributes on <html>
    /// when done, for the browser test to see that it ran.
    static let script = """
    (function () {
      "use strict";
      var root = document.documentElement;
      var rows = JSON.parse(document.getElementById("qc-rows").textContent);
      var storeKey = "qcpass-audit:" + document.body.getAttribute("data-sheet");
      var state = {};
      try { state = JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { state = {}; }
      function save() { try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode: keep in memory */ } }
      var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
      var info = cards.map(function (card) {
        return { card: card, image: card.getAttribute("data-image"),
                 classes: JSON.parse(card.getAttribute("data-classes")), checks: JSON.parse(card.getAttribute("data-checks")) };
      });
      var current = -1;

      function entry(image) { return state[image] || (state[image] = { verdict: "", corrected_class: "", note: "" }); }
      function show(item) {
        var s = state[item.image] || {};
        item.card.setAttribute("data-verdict", s.verdict || "");
        item.card.querySelectorAll(".verdicts button").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.getAttribute("data-verdict") === s.verdict));
        });
        var sel = item.card.querySelector("select.corrected"); if (sel) sel.value = s.corrected_class || "";
        var note = item.card.querySelector("input.note"); if (note) note.value = s.note || "";
      }
      function counts() {
        var shown = info.filter(function (i) { return !i.card.hidden; }).length;
        var reviewed = rows.filter(function (r) { return state[r.image] && state[r.image].verdict; }).length;
        document.getElementById("qc-count").textContent = shown + " of " + info.length + " images shown · " +
          reviewed + " of " + rows.length + " reviewed";
      }
      function setVerdict(item, verdict) {
        var s = entry(item.image);
        s.verdict = s.verdict === verdict ? "" : verdict;
        save(); show(item); counts();
      }
      info.forEach(function (item, index) {
        show(item);
        item.card.querySelectorAll(".verdicts button").forEach(function (b) {
          b.addEventListener("click", function () { focus(index); setVerdict(item, b.getAttribute("data-verdict")); });
        });
        var sel = item.card.querySelector("select.corrected");
        if (sel) sel.addEventListener("change", function () { entry(item.image).corrected_class = sel.value; save(); });
        var note = item.card.querySelector("input.note");
        if (note) note.addEventListener("input", function () { entry(item.image).note = note.value; save(); });
        item.card.addEventListener("click", function () { focus(index); });
      });

      function filter() {
        var cls = document.getElementById("qc-class").value, chk = document.getElementById("qc-check").value;
        info.forEach(function (i) {
          i.card.hidden = !((cls === "" || i.classes.indexOf(cls) >= 0) && (chk === "" || i.checks.indexOf(chk) >= 0));
        });
        document.querySelectorAll("section.group").forEach(function (sec) {
          sec.hidden = !sec.querySelector(".card:not([hidden])");
        });
        counts();
      }
      document.getElementById("qc-class").addEventListener("change", filter);
      document.getElementById("qc-check").addEventListener("change", filter);
      var preds = document.getElementById("qc-preds");
      function togglePreds() { document.body.classList.toggle("hide-preds", !preds.checked); }
      preds.addEventListener("change", togglePreds);

      function focus(index) {
        if (current >= 0 && info[current]) info[current].card.classList.remove("current");
        current = index;
        var card = info[index].card;
        card.classList.add("current");
        card.focus({ preventScroll: true });
        card.scrollIntoView({ block: "nearest" });
      }
      function step(delta) {
        var i = current;
        for (var n = 0; n < info.length; n++) {
          i = i + delta;
          if (i < 0 || i >= info.length) return;
          if (!info[i].card.hidden) { focus(i); return; }
        }
      }
      var keys = { "1": "ok", "2": "mislabeled", "3": "missing_labels", "4": "bad_box", "5": "duplicate", "6": "other" };
      document.addEventListener("keydown", function (e) {
        var tag = (e.target && e.target.tagName) || "";
        if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) return;
        if (e.key === "j" || e.key === "ArrowDown" || e.key === "ArrowRight") { step(1); e.preventDefault(); }
        else if (e.key === "k" || e.key === "ArrowUp" || e.key === "ArrowLeft") { step(-1); e.preventDefault(); }
        else if (e.key === "p") { preds.checked = !preds.checked; togglePreds(); }
        else if (keys[e.key] && current >= 0) { setVerdict(info[current], keys[e.key]); }
      });

      function csvField(v) {
        v = String(v == null ? "" : v);
        return /[",\\r\\n]/.test(v) || /^\\s|\\s$/.test(v) ? "\\"" + v.replace(/"/g, "\\"\\"") + "\\"" : v;
      }
      document.getElementById("qc-export").addEventListener("click", function () {
        var lines = ["image,bucket,reason,finding_id,box_ref,verdict,corrected_class,note"];
        rows.forEach(function (r) {
          var s = state[r.image] || {};
          lines.push([r.image, r.bucket, r.reason, r.finding_id, "", s.verdict || "", s.corrected_class || "", s.note || ""]
            .map(csvField).join(","));
        });
        var blob = new Blob([lines.join("\\n") + "\\n"], { type: "text/csv" });
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "audit.csv";
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });

      togglePreds();
      filter();
      root.setAttribute("data-qc-cards", String(cards.length));
      root.setAttribute("data-qc-boxes", String(document.querySelectorAll(".card .box.label").length));
      root.setAttribute("data-qc-predictions", String(document.querySelectorAll(".card .box.pred").length));
      root.setAttribute("data-qc-ready", "true");
    })();
    """
}
