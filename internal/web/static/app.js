// DataPull's only script. The pages work without it; it adds the live
// sync page (server-sent events), the workspace switcher's auto-submit
// and the hop to the provider's sign-in page.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function num(n) { return Number(n || 0).toLocaleString("en-GB"); }

  function bytes(n) {
    n = Number(n || 0);
    if (n < 1024) return n + " B";
    var units = "KMGTPE", i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
    return n.toFixed(1) + " " + units[i] + "iB";
  }

  function secs(s) {
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m " + String(s % 60).padStart(2, "0") + "s";
    return Math.floor(m / 60) + "h " + String(m % 60).padStart(2, "0") + "m";
  }

  function classOf(status) {
    switch (status) {
      case "completed": case "ok": return "good";
      case "running": case "queued": return "busy";
      case "partial": case "stopped": return "warn";
      case "failed": return "bad";
    }
    return "plain";
  }

  function workspaceSwitch() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
  }

  // The connect page sends the browser on to the provider once; coming
  // back to the page (the Back button) leaves it there.
  function followSignIn() {
    var link = document.querySelector("a[data-auto-follow]");
    if (!link) return;
    var key = "datapull-followed:" + location.pathname;
    if (sessionStorage.getItem(key)) return;
    sessionStorage.setItem(key, "1");
    location.assign(link.href);
  }

  function liveSync() {
    var box = document.getElementById("progress");
    if (!box || box.dataset.live !== "true" || !window.EventSource) return;
    var field = function (name) { return box.querySelector('[data-p="' + name + '"]'); };
    var set = function (name, text) { var el = field(name); if (el) el.textContent = text; };
    var details = document.getElementById("details");
    var pinned = box.dataset.pull ? Number(box.dataset.pull) : 0;
    var after = Number(box.dataset.after || 0);
    var running = true, elapsed = Number((field("elapsed") || {}).dataset ? field("elapsed").dataset.seconds : 0);
    var lagMax = 0, count = 0;
    var refreshing = false, again = false;

    function refresh() {
      if (refreshing) { again = true; return; }
      refreshing = true;
      var url = box.dataset.part;
      fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { details.innerHTML = html; })
        .catch(function () {})
        .finally(function () { refreshing = false; if (again) { again = false; refresh(); } });
    }

    var es = new EventSource(box.dataset.events);
    es.addEventListener("progress", function (msg) {
      var p = JSON.parse(msg.data);
      if (pinned && p.pull !== pinned) return;
      if (!pinned && p.pull <= after) return; // the previous pull, not the queued one
      var lag = Date.now() - p.emitted;
      lagMax = Math.max(lagMax, lag);
      count++;
      document.body.dataset.sseLagMax = String(lagMax);
      document.body.dataset.sseEvents = String(count);
      if (!pinned) {
        pinned = p.pull;
        box.dataset.pull = String(p.pull);
        box.dataset.part = "/pulls/" + p.pull + "?part=details";
        var q = box.querySelector("[data-queued]");
        if (q) q.remove();
      }
      var status = field("status");
      if (status) { status.textContent = p.status; status.className = "pill " + classOf(p.status); }
      var resumed = field("resumed");
      if (resumed) resumed.hidden = !p.resumed;
      set("done", p.done);
      set("endpoints", p.endpoints);
      var bar = field("bar");
      if (bar) { bar.max = Math.max(p.endpoints, 1); bar.value = p.done; bar.textContent = p.done + " of " + p.endpoints; }
      set("records", num(p.records));
      set("current", p.current || "—");
      set("bytes", bytes(p.bytes));
      set("calls", num(p.calls));
      elapsed = p.elapsed;
      set("elapsed", secs(elapsed));
      set("eta", p.eta >= 0 ? "about " + secs(p.eta) + " left" : "—");
      running = p.status === "running";
      // The latency test sets window.datapullTrace before the page loads
      // and reads when each state was applied; nothing else sets it.
      if (Array.isArray(window.datapullTrace)) window.datapullTrace.push([p.seq, Date.now()]);
      if (p.kind === "endpoint_done" || p.kind === "note" || p.kind === "pull_started" || p.kind === "pull_finished") refresh();
      if (p.kind === "pull_finished") { es.close(); box.dataset.live = "false"; set("current", "—"); set("eta", "—"); }
    });

    setInterval(function () {
      if (!running) return;
      elapsed += 1;
      set("elapsed", secs(elapsed));
    }, 1000);
  }

  onReady(function () {
    workspaceSwitch();
    followSignIn();
    liveSync();
  });
})();
