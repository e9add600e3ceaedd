// debtlint graph page: highlight the nodes matching the filter (or the one clicked, or those of a
// finding) and their neighbours up to N steps, dimming the rest. No library, no network.
(function () {
  "use strict";
  var nodes = JSON.parse(document.getElementById("graph-data").textContent);
  var filter = document.getElementById("filter");
  var depth = document.getElementById("depth");
  var status = document.getElementById("status");
  var canvas = document.getElementById("canvas");
  var zoom = document.getElementById("zoom");
  var nodeEls = document.querySelectorAll("#graph .node");
  var edgeEls = document.querySelectorAll("#graph .edge");

  function neighbourhood(start, steps) {
    var seen = {};
    var frontier = start.slice();
    start.forEach(function (id) { seen[id] = true; });
    for (var step = 0; step < steps; step++) {
      var next = [];
      frontier.forEach(function (id) {
        nodes[id].adj.forEach(function (other) {
          if (!seen[other]) { seen[other] = true; next.push(other); }
        });
      });
      frontier = next;
    }
    return seen;
  }

  function show(matches, label) {
    if (matches === null) {
      nodeEls.forEach(function (el) { el.classList.remove("dim", "match"); });
      edgeEls.forEach(function (el) { el.classList.remove("dim", "on"); });
      status.textContent = "";
      return;
    }
    var steps = Math.max(0, parseInt(depth.value, 10) || 0);
    var keep = neighbourhood(matches, steps);
    var isMatch = {};
    matches.forEach(function (id) { isMatch[id] = true; });
    nodeEls.forEach(function (el) {
      el.classList.toggle("dim", !keep[el.id]);
      el.classList.toggle("match", !!isMatch[el.id]);
    });
    edgeEls.forEach(function (el) {
      var on = keep[el.dataset.source] && keep[el.dataset.target];
      el.classList.toggle("dim", !on);
      el.classList.toggle("on", !!on);
    });
    status.textContent = matches.length + " " + (matches.length === 1 ? "node" : "nodes") +
      " match " + label + ", " + Object.keys(keep).length + " shown";
  }

  function applyFilter() {
    var query = filter.value.trim().toLowerCase();
    if (!query) { show(null); return; }
    var matches = Object.keys(nodes).filter(function (id) {
      var node = nodes[id];
      return node.id.toLowerCase().indexOf(query) >= 0 ||
        node.name.toLowerCase().indexOf(query) >= 0;
    });
    show(matches, "“" + filter.value.trim() + "”");
  }

  filter.addEventListener("input", applyFilter);
  depth.addEventListener("input", applyFilter);
  document.getElementById("clear").addEventListener("click", function () {
    filter.value = "";
    show(null);
  });
  nodeEls.forEach(function (el) {
    el.addEventListener("click", function (event) {
      event.stopPropagation();
      filter.value = nodes[el.id].id;
      applyFilter();
    });
  });
  document.querySelectorAll("#findings tbody tr").forEach(function (row) {
    row.addEventListener("click", function () {
      var ids = row.dataset.nodes ? row.dataset.nodes.split(" ") : [];
      if (!ids.length) { return; }
      filter.value = "";
      show(ids, "this finding");
      document.getElementById(ids[0]).scrollIntoView({ block: "center", inline: "center" });
    });
  });
  zoom.addEventListener("click", function () {
    var fit = canvas.classList.toggle("fit");
    zoom.textContent = fit ? "Actual size" : "Fit to window";
  });
  var shortcuts = document.getElementById("shortcuts");
  if (shortcuts) {
    shortcuts.addEventListener("change", function () {
      canvas.classList.toggle("hide-shortcuts", !shortcuts.checked);
    });
  }
  // A picture scaled below half size is unreadable: show it at actual size, scrollable.
  var svg = document.getElementById("graph");
  if (canvas.clientWidth < 0.5 * svg.width.baseVal.value) {
    zoom.click();
  }
  // graph.html#filter=train.csv opens with that filter applied: a link to a view.
  var hash = window.location.hash;
  if (hash.indexOf("#filter=") === 0) {
    filter.value = decodeURIComponent(hash.slice("#filter=".length));
    applyFilter();
  }
  // Tells tests (and the curious) that the script ran to the end under the page's CSP.
  document.documentElement.setAttribute("data-viewer", "ready");
})();
