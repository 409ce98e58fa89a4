"use strict";
const JID = Number(location.pathname.split("/").pop());
const DM_COLOURS = ["#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e"];
let doc = null, job = null, cy = null, expanded = [], selected = null, pathIdx = -1;
const TITLES = {nash: "Nash", gmr: "GMR", smr: "SMR", seq: "SEQ", sim: "SIM", seq_sim: "SEQ+SIM", cnash: "CNash", cgmr: "CGMR", cseq: "CSEQ"};
const variant = () => doc.variants.find(v => v.name === $("#variant").value);
const sid = s => html`<span class="state" data-state="${s}">${s}</span>`;
const title = c => TITLES[c] || c;

async function poll() {
  job = await api("GET", `/api/jobs/${JID}`);
  $("#back").href = `/scenarios/${job.scenario_id}#analyses`;
  if (["queued", "running"].includes(job.status)) {
    setHTML($("#status"), html`<p>${job.status} ${progressBar(job.progress)} <span class="note">${job.stage}</span> <button class="danger" id="cancel-job">Cancel</button></p>`);
    setTimeout(poll, 600); return;
  }
  if (job.status !== "done") { setHTML($("#status"), html`<div class="error">Job ${job.status}: ${job.error || ""}</div>`); return; }
  doc = (await api("GET", `/api/jobs/${JID}/result`)).result;
  setHTML($("#status"), html`<p class="note">Scenario version ${job.version}; finished ${when(job.finished_at)}.</p>`);
  $("#title").textContent = doc.name;
  setHTML($("#variant"), html`${doc.variants.map(v => html`<option ${v.name === doc.main_variant ? "selected" : ""}>${v.name}</option>`)}`);
  setHTML($("#concept"), html`${doc.concepts.map(c => html`<option value="${c}" ${c === doc.headline ? "selected" : ""}>${title(c)}</option>`)}`);
  $("#results").hidden = false;
  renderSide(); renderVariant();
}
// Variants whose states are numbered differently (other options, or other feasible states):
// the same id may then name different states in two columns.
function numberingWarning() {
  const first = doc.variants[0];
  if (!first) return html``;
  const sig = v => (v.options || []).map(o => o.ref).join(",");
  const odd = doc.variants.filter(v => sig(v) !== sig(first) || v.n_states !== first.n_states);
  return odd.length ? html`<p class="verdict-warn" id="numbering-warning">⚠ ${joinHtml(odd.map(v => html`<b>${v.name}</b>`), ", ")} number${odd.length === 1 ? "s" : ""} the states differently from ${first.name} (${joinHtml(odd.map(v => `${v.n_states} states, ${(v.options || []).length} options`), "; ")} against ${first.n_states} states, ${(first.options || []).length} options): the same state id may name a different state.</p>` : html``;
}
const mark = b => b == null ? html`<td class="note">—</td>` : b ? html`<td class="yes">✓</td>` : html`<td class="no">✗</td>`;
function renderVerdicts() {
  const withTarget = doc.variants.filter(v => v.target != null);
  if (!withTarget.length) { setHTML($("#verdicts"), html`<p class="note">No target in the scenario's analysis block: set one in the form (Analysis: what to study).</p>`); return; }
  const route = v => { const tv = v.target_verdict || {}; return tv.route || (tv.reachable ? "separate moves" : tv.reachable_coalition ? "needs joint moves" : tv.reachable === false ? "not reachable" : "—"); };
  setHTML($("#verdicts"), html`<p>Is ${doc.target_name || "the target"} stable, and can it be reached from the status quo? One column per variant${doc.baseline ? html` (baseline: <b>${doc.baseline}</b>)` : ""}.</p>
    <table id="verdict-table"><tr><th></th>${doc.variants.map(v => html`<th>${v.name}${v.name === doc.main_variant ? " (main)" : ""}${v.name === doc.baseline ? " (baseline)" : ""}</th>`)}</tr>
    <tr><td>target state</td>${doc.variants.map(v => v.target != null ? html`<td>${sid(v.target)}</td>` : html`<td class="note">not in this variant</td>`)}</tr>
    ${doc.concepts.map(c => html`<tr><td>${title(c)}-stable</td>${doc.variants.map(v => mark(v.target_verdict ? v.target_verdict.stable[c] : null))}</tr>`)}
    <tr><td>reachable by separate moves</td>${doc.variants.map(v => mark(v.target_verdict ? v.target_verdict.reachable : null))}</tr>
    <tr><td>reachable with coalitions</td>${doc.variants.map(v => mark(v.target_verdict ? v.target_verdict.reachable_coalition : null))}</tr>
    <tr><td>route</td>${doc.variants.map(v => html`<td>${route(v)}</td>`)}</tr></table>${numberingWarning()}`);
}
function renderSide() {
  renderVerdicts();
  setHTML($("#side"), html`<table><tr><th>concept</th>${doc.variants.map(v => html`<th>${v.name}</th>`)}</tr>${
    doc.concepts.map(c => html`<tr><td>${title(c)}</td>${doc.variants.map(v => {
      const ids = v.equilibria[c] || [], n = v.stable_counts[c];
      return html`<td>${n} equilibri${n === 1 ? "um" : "a"}${n ? ": " + ids.slice(0, 6).join(", ") + (n > 6 ? ", …" : "") : ""}</td>`; })}</tr>`)}
    <tr><td>status quo</td>${doc.variants.map(v => html`<td>${v.status_quo ?? "—"}</td>`)}</tr></table>`);
}
function renderVariant() {
  const v = variant(); expanded = []; pathIdx = -1; selected = null;
  const dms = v.decision_makers;
  // the DM names go into a title attribute: escaped like every other value (html``)
  setHTML($("#eq"), html`<p class="note">${v.description} ${v.n_states} states. Rows: the status quo, path states and equilibria${v.table_truncated ? " (first 60)" : ""}. ✓ = equilibrium (stable for every DM).</p>
    <table id="eq-table"><tr><th>state</th><th>pattern</th>${doc.concepts.map(c => html`<th>${title(c)}</th>`)}</tr>${
    v.table.map(r => html`<tr><td>${sid(r.id)}${r.status_quo ? " (status quo)" : ""}${r.target || r.id === v.target ? " (target)" : ""}</td><td><code>${r.pattern}</code></td>${doc.concepts.map(c => {
      const st = r.stable[c]; const all = st.every(Boolean);
      return html`<td class="${all ? "yes" : ""}" title="${dms.map((d, i) => `${d.name}: ${st[i] ? "stable" : "unstable"}`).join("; ")}">${all ? "✓" : st.filter(Boolean).length + "/" + st.length}</td>`; })}</tr>`)}</table>`);
  setHTML($("#paths"), v.paths.length ? html`<ol>${v.paths.map(p => html`<li>to ${p.kind} ${sid(p.to)}${p.coalitions ? " (with coalitions)" : ""}: ${p.steps.length ? html`<ol class="steps">${p.steps.map(s => html`<li>${s.from} → ${s.to}: ${s.changes && s.changes.length ? s.changes.join("; ") : s.movers.join(" + ") + " move"}${s.joint_of_all ? html` <span class="note">(a joint move of all parties)</span>` : ""}</li>`)}</ol>` : "already there"}</li>`)}</ol>`
    : html`<p class="note">${v.status_quo ? "No equilibrium is reachable from the status quo." : "No status quo given."}</p>`);
  setHTML($("#path"), html`<option value="-1">(none)</option>${v.paths.map((p, i) => html`<option value="${i}">to ${p.kind === "target" ? "target " : ""}${p.to}${p.coalitions ? " (coalitions)" : ""}</option>`)}`);
  const co = v.coalitions;
  const coRows = (which, label) => co[which] ? html`${co.names.map((n, i) => html`<tr><td>${(co.labels || co.names)[i]}</td><td>${label}</td>${Object.keys(co.equilibria).map(c => mark(co[which][c] ? co[which][c][i] : null))}</tr>`)}` : html``;
  setHTML($("#coal"), co ? html`<p class="note">Coalition stability: a state is stable for a coalition when no joint move of its members improves it for all of them without being sanctioned (CNash, CGMR, CSEQ).</p>
    ${co.target_stable || co.status_quo_stable ? html`<table id="coal-table"><tr><th>coalition</th><th>state</th>${Object.keys(co.equilibria).map(c => html`<th>${title(c)}</th>`)}</tr>
      ${coRows("target_stable", html`target ${v.target ? sid(v.target) : ""}`)}${coRows("status_quo_stable", html`status quo ${v.status_quo ? sid(v.status_quo) : ""}`)}</table>` : ""}
    <table><tr><th>concept</th><th>coalition equilibria (stable for every coalition)</th></tr>${
    Object.entries(co.equilibria).map(([c, ids]) => html`<tr><td>${title(c)}</td><td>${co.counts[c] ? html`${co.counts[c]}: ${joinHtml(ids.slice(0, 20).map(sid), ", ")}${co.counts[c] > 20 ? ", …" : ""}` : "none"}</td></tr>`)}</table>` : html``);
  const cc = v.concessions;
  // criteria: a concept ("seq": the target is SEQ-stable), "reach" / "reach_coalition"
  // (reachable from the status quo without / with coalitions), or "seq+reach_coalition"
  const crit = c => c.split("+").map(p => p === "reach" ? "reachable" : p === "reach_coalition" ? "reachable with coalitions" : (TITLES[p] || p) + "-stable").join(" and ");
  // levers by their labels (the option ids in a tooltip of the table)
  const label = ref => ((v.options || []).find(o => o.ref === ref) || {}).label || ref;
  const setText = s => s.length ? "{" + s.map(label).join("; ") + "}" : "no concession needed";
  setHTML($("#conc"), cc ? html`<p>Levers of ${((v.decision_makers || []).find(d => d.id === cc.dm) || {}).name || cc.dm} towards target ${sid(cc.target)}. A set of levers is <i>sufficient</i> for a criterion when making those concessions (and no others) meets it; minimal sufficient sets:</p>
    <ul>${cc.criteria.map(c => html`<li>${crit(c)}: ${cc.minimal[c].length ? cc.minimal[c].map(setText).join(" or ") : "no set of levers suffices"}</li>`)}</ul>
    <div class="scroll-x"><table id="conc-table"><tr><th>levers used</th><th>state</th>${cc.criteria.map(c => html`<th>${crit(c)}</th>`)}</tr>${
    cc.sets.map(s => html`<tr><td title="${s.levers.join(", ")}">${s.levers.map(label).join("; ") || "(none)"}</td><td>${s.state ? sid(s.state) : "infeasible"}</td>${cc.criteria.map(c => html`<td class="${s.met[c] ? "yes" : ""}">${s.met[c] ? "✓" : ""}</td>`)}</tr>`)}
    </table></div>${cc.n_sets > cc.sets.length ? html`<p class="note">First ${cc.sets.length} of ${cc.n_sets} sets.</p>` : ""}` : html`<p class="note">No target and levers in the scenario's analysis block.</p>`);
  if (window.renderEvolution) renderEvolution(v);
  drawGraph();
}
async function explain(state) {
  const v = variant(), c = $("#concept").value;
  $("#explain").textContent = "…";
  try {
    const e = await api("GET", `/api/jobs/${JID}/explain?variant=${encodeURIComponent(v.name)}&state=${state}&concept=${c}`);
    setHTML($("#explain"), html`<p><b>State ${e.state}</b> <code>${e.pattern}</code>: ${e.equilibrium ? "an" : "not an"} equilibrium under ${title(c)}.</p><p>${e.description}</p>${
      e.dms.map(d => html`<pre class="lines">${d.lines.join("\n")}</pre>`)}`);
  } catch (err) { setHTML($("#explain"), errorBox(err)); }
  selected = state; $("#expand").disabled = !cy;
  if (cy) { cy.$("node").unselect(); cy.$id(String(state)).select(); }
}
document.addEventListener("click", ev => { const s = ev.target.closest(".state"); if (s) explain(Number(s.dataset.state)); });
document.addEventListener("click", ev => {
  if (ev.target.id !== "cancel-job") return;
  ev.target.disabled = true;
  api("POST", `/api/jobs/${JID}/cancel`).catch(e => appendHTML($("#status"), errorBox(e)));
});

async function drawGraph() {
  const v = variant();
  // the states of the chosen path (by default the path to the target, else the first),
  // and those of the evolution path being stepped (evolution.js)
  const chosen = v.paths[Number($("#path").value)] || v.paths.find(x => x.kind === "target") || v.paths[0];
  const paths = (chosen ? chosen.states : []).concat(window.evolutionStates ? evolutionStates(v) : []);
  const q = new URLSearchParams({variant: v.name, concept: $("#concept").value, moves: $("#moves").value, paths: paths.join(","), expand: expanded.join(",")});
  const g = await api("GET", `/api/jobs/${JID}/graph?${q}`);
  const colour = Object.fromEntries(g.decision_makers.map((d, i) => [d.id, DM_COLOURS[i % DM_COLOURS.length]]));
  const swatch = Object.fromEntries(g.decision_makers.map((d, i) => [d.id, `dm-c${i % DM_COLOURS.length}`]));
  setHTML($("#graph-note"), html`Showing ${g.nodes.length} of ${g.n_states} states (${g.n_equilibria} ${title(g.concept)} equilibria): the status quo, the target, the paths between them and the equilibria nearest to them${g.moves === "all" ? html`; <b>all moves</b>: at most ${g.max_nodes} states and ${g.max_edges} moves are drawn, moves that are not improvements dashed` : ""}${g.truncated ? "; filtered: select a state and press Expand to see more" : ""}. Hover a state for its options. Edge colours: ${
    joinHtml(g.decision_makers.map(d => html`<span class="${swatch[d.id]}">■ ${d.name}</span>`), " ")}`);
  if (!window.cytoscape) {
    setHTML($("#cy"), html`<div class="panel note">The interactive graph needs the Cytoscape files (run <code>make setup</code> with npm available). States shown: ${
      joinHtml(g.nodes.map(n => sid(n.id)), ", ")}</div>`);
    $("#cy").classList.add("no-graph"); return;
  }
  if (window.cytoscapeDagre && !window.__dagreRegistered) { cytoscape.use(window.cytoscapeDagre); window.__dagreRegistered = true; }
  const byId = new Map(g.nodes.map(n => [n.id, n]));
  const els = g.nodes.map(n => ({data: {id: String(n.id), label: String(n.id), w: 14 + 8 * String(n.id).length, more: n.hidden_neighbours},
    classes: [n.status_quo ? "sq" : "", n.target ? "target" : "", n.equilibrium ? "eq" : ""].join(" ")}))
    .concat(g.edges.map((e, i) => ({data: {id: "e" + i, source: String(e.source), target: String(e.target), colour: colour[e.dm], dm: e.dm}, classes: e.improvement ? "imp" : "move"})));
  if (cy) cy.destroy();
  const small = g.nodes.length <= 40 && g.edges.length <= 120 && g.n_states <= 64 && window.cytoscapeDagre;
  const spine = graphSpine(v, g, byId);
  cy = cytoscape({
    container: $("#cy"), elements: els,
    style: [
      // ids of 4-7 digits stay legible: the node is as wide as its label, 12 px text
      {selector: "node", style: {label: "data(label)", "font-size": 12, "font-weight": 600, width: "data(w)", height: 22, shape: "round-rectangle", "background-color": "#c5ccd6", "text-valign": "center", "text-halign": "center", color: "#111", "border-width": 1, "border-color": "#7a8594"}},
      {selector: "node.eq", style: {"background-color": "#2e8b57", color: "#fff"}},
      {selector: "node.sq", style: {"background-color": "#e0a800", color: "#111", height: 28, "font-size": 13}},
      {selector: "node.target", style: {"border-width": 4, "border-color": "#c2185b", height: 28, "font-size": 13}},
      {selector: "node.onpath", style: {"border-width": 3, "border-color": "#111"}},
      {selector: "node.target.onpath", style: {"border-color": "#c2185b", "border-width": 5}},
      {selector: "node:selected", style: {"border-width": 4, "border-color": "#1f3a5f"}},
      {selector: "edge", style: {width: 1.2, "line-color": "data(colour)", "target-arrow-color": "data(colour)", "target-arrow-shape": "triangle", "curve-style": "straight", opacity: 0.45, "arrow-scale": 0.7}},
      {selector: "edge.move", style: {width: 0.6, opacity: 0.25, "line-style": "dashed"}},
      {selector: "edge.hint", style: {width: 2, opacity: 0.7, "line-style": "dashed"}},
      {selector: "edge.step", style: {width: 4, opacity: 1}},
      {selector: ".faded", style: {opacity: 0.15}},
    ],
    // small graphs: a layered drawing; real cases: the path from the status quo to the
    // target as a horizontal spine, equilibria above it and other states below, each next
    // to the spine state it is closest to (graphPositions)
    layout: small ? {name: "dagre", rankDir: "LR", nodeSep: 10, rankSep: 50}
      : {name: "preset", positions: graphPositions(g, spine)},
    maxZoom: 2.5, minZoom: 0.05,
  });
  spine.forEach(id => cy.$id(String(id)).addClass("spine"));
  // the chosen path's moves that are not drawn (joint moves): a dashed hint
  spine.slice(1).forEach((id, i) => {
    const a = String(spine[i]), b = String(id);
    if (!cy.edges(`[source = "${a}"][target = "${b}"]`).length) cy.add({group: "edges", data: {id: `h${i}`, source: a, target: b, colour: "#333"}, classes: "hint"});
  });
  if (!small && spine.length) {
    cy.fit(undefined, 20);
    if (cy.zoom() < 0.6) { cy.zoom(0.6); cy.center(cy.$(".spine")); }
  }
  cy.on("tap", "node", ev => explain(Number(ev.target.id())));
  cy.on("mouseover", "node", ev => showTip(byId.get(Number(ev.target.id())), ev.target.renderedPosition()));
  cy.on("mouseout", "node", () => { $("#cy-tip").hidden = true; });
  cy.on("viewport", () => { $("#cy-tip").hidden = true; });
  window.__cy = cy;  // for tests and the console
  showStep();
}
// The spine: the states of the first path to the target (else the first path), else the
// status quo and the target.
function graphSpine(v, g, byId) {
  const p = v.paths[Number($("#path").value)] || v.paths.find(x => x.kind === "target") || v.paths[0];
  const ids = p ? p.states : [g.status_quo, g.target];
  return ids.filter((x, i) => x != null && byId.has(x) && ids.indexOf(x) === i);
}
function graphPositions(g, spine) {
  const pos = {}, adj = new Map(g.nodes.map(n => [n.id, []]));
  g.edges.forEach(e => { adj.get(e.source).push(e.target); adj.get(e.target).push(e.source); });
  const anchor = new Map(), queue = [];
  spine.forEach((id, i) => { anchor.set(id, i); queue.push(id); });
  while (queue.length) {  // breadth first from the spine: each state joins its nearest spine state
    const s = queue.shift();
    for (const t of adj.get(s) || []) if (!anchor.has(t)) { anchor.set(t, anchor.get(s)); queue.push(t); }
  }
  // the states of each spine state in a block (equilibria above, others below), as wide
  // as needed so that blocks do not overlap: ids stay apart and legible
  const groups = new Map();
  const last = Math.max(0, spine.length - 1);
  const onSpine = new Set(spine);
  g.nodes.forEach(n => {
    if (onSpine.has(n.id)) return;
    const k = anchor.has(n.id) ? anchor.get(n.id) : last + 1;  // not connected: to the right
    const key = k + (n.equilibrium ? "u" : "d");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(n.id);
  });
  const cols = k => Math.max(...["u", "d"].map(x => Math.ceil(Math.sqrt(((groups.get(k + x) || []).length) * 2))), 1);
  const xs = [];
  let x = 0;
  for (let k = 0; k <= last + 1; k++) { const w = cols(k) * 70; xs.push(x + w / 2); x += w + 60; }
  spine.forEach((id, i) => { pos[id] = {x: xs[i], y: 0}; });
  for (const [key, ids] of groups) {
    const k = Number(key.slice(0, -1)), up = key.endsWith("u"), c = cols(k);
    ids.forEach((id, n) => {
      const col = n % c, row = Math.floor(n / c) + 1;
      pos[id] = {x: xs[k] + (col - (c - 1) / 2) * 70, y: (up ? -1 : 1) * (row * 46 + 10)};
    });
  }
  return pos;
}
function showTip(n, at) {
  if (!n) return;
  const tip = $("#cy-tip"), v = variant();
  const diff = n.differs || [];
  setHTML(tip, html`<b>State ${n.id}</b> <code>${n.pattern}</code>${n.status_quo ? " · status quo" : ""}${n.target ? " · target" : ""}
    <br>${n.equilibrium ? `equilibrium under ${n.concepts.map(title).join(", ")}` : n.concepts.length ? `stable for all under ${n.concepts.map(title).join(", ")}` : "not an equilibrium"}
    <br>${n.status_quo ? "" : v.status_quo ? (diff.length ? html`Differs from the status quo:<ul>${diff.map(d => html`<li>${d}</li>`)}</ul>` : "same options as the status quo") : "no status quo"}`);
  tip.hidden = false;
  tip.style.left = `${Math.round(at.x + 16)}px`;
  tip.style.top = `${Math.round(at.y + 10)}px`;
}
function showStep() {
  if (!cy) return;
  cy.elements().removeClass("step onpath faded");
  const pi = Number($("#path").value);
  if (pi < 0) { $("#step-text").textContent = ""; return; }
  const p = variant().paths[pi];
  const upto = Math.min(pathIdx < 0 ? p.steps.length : pathIdx, p.steps.length);
  p.states.slice(0, upto + 1).forEach(s => cy.$id(String(s)).addClass("onpath"));
  cy.remove(".pathedge");
  p.steps.slice(0, upto).forEach((s, i) => {
    const es = cy.edges(`[source = "${s.from}"][target = "${s.to}"]`);
    // coalition moves (and edges left out of a filtered graph) are drawn for the path only
    if (es.length) es.addClass("step");
    else cy.add({group: "edges", data: {id: `p${i}`, source: String(s.from), target: String(s.to), colour: "#111"}, classes: "step pathedge"});
  });
  cy.elements().not(".onpath").not(".step").addClass("faded");
  const st = p.steps[upto - 1];
  $("#step-text").textContent = upto === 0 ? `start: status quo ${p.states[0]}` : `step ${upto}/${p.steps.length}: ${st.from} → ${st.to}: ${st.changes && st.changes.length ? st.changes.join("; ") : st.movers.join("+") + " moves"}`;
}
$("#path").addEventListener("change", async () => {
  pathIdx = 0;
  const p = variant().paths[Number($("#path").value)];
  if (cy && p && p.states.some(x => !cy.$id(String(x)).length)) await drawGraph();  // centre on it
  showStep();
});
$("#step-next").addEventListener("click", () => { const p = variant().paths[Number($("#path").value)]; if (p) { pathIdx = Math.min((pathIdx < 0 ? 0 : pathIdx) + 1, p.steps.length); showStep(); } });
$("#step-prev").addEventListener("click", () => { pathIdx = Math.max(0, (pathIdx < 0 ? 0 : pathIdx) - 1); showStep(); });
$("#expand").addEventListener("click", () => { if (selected && !expanded.includes(selected)) { expanded.push(selected); drawGraph(); } });
$("#variant").addEventListener("change", renderVariant);
$("#concept").addEventListener("change", () => { drawGraph(); if (selected) explain(selected); });
$("#moves").addEventListener("change", drawGraph);
// One click: build the report (a job) and download it as soon as it is done; the file is
// named after the scenario and its version (the server's Content-Disposition).
function download(url) {
  const a = document.createElement("a");
  a.href = url; a.download = ""; a.id = "report-link"; a.className = "button";
  a.textContent = "Download the HTML report again";
  $("#report-status").replaceChildren(a);
  a.click();
}
$("#report").addEventListener("click", async () => {
  $("#report").disabled = true;
  try {
    const r = await api("POST", `/api/scenarios/${job.scenario_id}/reports`, {version: job.version});
    const tick = async () => {
      const j = await api("GET", `/api/jobs/${r.id}`);
      if (j.status === "done") { $("#report").disabled = false; download(`/api/jobs/${r.id}/report.html`); }
      else if (["failed", "interrupted", "cancelled"].includes(j.status)) { $("#report").disabled = false; setHTML($("#report-status"), html`<span class="error">${j.error}</span>`); }
      else { setHTML($("#report-status"), html`${progressBar(j.progress)} <span class="note">${j.stage}</span>`); setTimeout(tick, 800); }
    };
    tick();
  } catch (e) { $("#report").disabled = false; setHTML($("#report-status"), errorBox(e)); }
});
poll().catch(e => setHTML($("#status"), errorBox(e)));
