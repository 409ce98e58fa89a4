"use strict";
const JID = Number(location.pathname.split("/").pop());
const DM_COLOURS = ["#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e"];
let doc = null, job = null, cy = null, expanded = [], selected = null, pathIdx = -1;
const TITLES = {nash: "Nash", gmr: "GMR", smr: "SMR", seq: "SEQ", sim: "SIM", seq_sim: "SEQ+SIM", cnash: "CNash", cgmr: "CGMR", cseq: "CSEQ"};
const variant = () => doc.variants.find(v => v.name === $("#variant").value);
const sid = s => `<span class="state" data-state="${s}">${s}</span>`;

async function poll() {
  job = await api("GET", `/api/jobs/${JID}`);
  $("#back").href = `/scenarios/${job.scenario_id}#analyses`;
  if (["queued", "running"].includes(job.status)) {
    $("#status").innerHTML = `<p>${esc(job.status)} ${progressBar(job.progress)} <span class="note">${esc(job.stage)}</span> <button class="danger" id="cancel-job">Cancel</button></p>`;
    setTimeout(poll, 600); return;
  }
  if (job.status !== "done") { $("#status").innerHTML = `<div class="error">Job ${esc(job.status)}: ${esc(job.error || "")}</div>`; return; }
  doc = (await api("GET", `/api/jobs/${JID}/result`)).result;
  $("#status").innerHTML = `<p class="note">Scenario version ${job.version}; finished ${esc(when(job.finished_at))}.</p>`;
  $("#title").textContent = doc.name;
  $("#variant").innerHTML = doc.variants.map(v => `<option ${v.name === doc.main_variant ? "selected" : ""}>${esc(v.name)}</option>`).join("");
  $("#concept").innerHTML = doc.concepts.map(c => `<option value="${c}" ${c === doc.headline ? "selected" : ""}>${TITLES[c] || c}</option>`).join("");
  $("#results").hidden = false;
  renderSide(); renderVariant();
}
function renderSide() {
  $("#side").innerHTML = `<table><tr><th>concept</th>${doc.variants.map(v => `<th>${esc(v.name)}</th>`).join("")}</tr>` +
    doc.concepts.map(c => `<tr><td>${TITLES[c]}</td>${doc.variants.map(v => {
      const ids = v.equilibria[c] || [], n = v.stable_counts[c];
      return `<td>${n} equilibri${n === 1 ? "um" : "a"}${n ? ": " + ids.slice(0, 6).join(", ") + (n > 6 ? ", …" : "") : ""}</td>`; }).join("")}</tr>`).join("") +
    `<tr><td>status quo</td>${doc.variants.map(v => `<td>${v.status_quo ?? "—"}</td>`).join("")}</tr></table>`;
}
function renderVariant() {
  const v = variant(); expanded = []; pathIdx = -1; selected = null;
  const dms = v.decision_makers;
  $("#eq").innerHTML = `<p class="note">${esc(v.description)} ${v.n_states} states. Rows: the status quo, path states and equilibria${v.table_truncated ? " (first 60)" : ""}. ✓ = equilibrium (stable for every DM).</p>
    <table id="eq-table"><tr><th>state</th><th>pattern</th>${doc.concepts.map(c => `<th>${TITLES[c]}</th>`).join("")}</tr>` +
    v.table.map(r => `<tr><td>${sid(r.id)}${r.status_quo ? " (status quo)" : ""}</td><td><code>${esc(r.pattern)}</code></td>${doc.concepts.map(c => {
      const st = r.stable[c]; const all = st.every(Boolean);
      return `<td class="${all ? "yes" : ""}" title="${dms.map((d, i) => `${d.name}: ${st[i] ? "stable" : "unstable"}`).join("; ")}">${all ? "✓" : st.filter(Boolean).length + "/" + st.length}</td>`; }).join("")}</tr>`).join("") + "</table>";
  $("#paths").innerHTML = v.paths.length ? "<ol>" + v.paths.map(p => `<li>to ${p.kind} ${sid(p.to)}${p.coalitions ? " (with coalitions)" : ""}: ${p.steps.length ? p.steps.map(s => `${esc(s.movers.join("+"))}: ${s.from}→${s.to}`).join(", ") : "already there"}</li>`).join("") + "</ol>"
    : `<p class="note">${v.status_quo ? "No equilibrium is reachable from the status quo." : "No status quo given."}</p>`;
  $("#path").innerHTML = `<option value="-1">(none)</option>` + v.paths.map((p, i) => `<option value="${i}">to ${p.kind === "target" ? "target " : ""}${p.to}${p.coalitions ? " (coalitions)" : ""}</option>`).join("");
  const co = v.coalitions;
  $("#coal").innerHTML = co ? `<p class="note">Coalitions: ${esc(co.names.join("; "))}</p><table><tr><th>concept</th><th>equilibria</th></tr>` +
    Object.entries(co.equilibria).map(([c, ids]) => `<tr><td>${TITLES[c] || c}</td><td>${co.counts[c] ? `${co.counts[c]}: ${ids.slice(0, 20).map(sid).join(", ")}${co.counts[c] > 20 ? ", …" : ""}` : "none"}</td></tr>`).join("") + "</table>" : "";
  const cc = v.concessions;
  // criteria: a concept ("seq": the target is SEQ-stable), "reach" / "reach_coalition"
  // (reachable from the status quo without / with coalitions), or "seq+reach_coalition"
  const crit = c => c.split("+").map(p => p === "reach" ? "reachable" : p === "reach_coalition" ? "reachable with coalitions" : (TITLES[p] || p) + "-stable").join(" and ");
  const setText = s => s.length ? "{" + s.map(esc).join(", ") + "}" : "no concession needed";
  $("#conc").innerHTML = cc ? `<p>Levers of ${esc(cc.dm)} towards target ${sid(cc.target)}. A set of levers is <i>sufficient</i> for a criterion when making those concessions (and no others) meets it; minimal sufficient sets:</p>
    <ul>${cc.criteria.map(c => `<li>${esc(crit(c))}: ${cc.minimal[c].length ? cc.minimal[c].map(setText).join(" or ") : "no set of levers suffices"}</li>`).join("")}</ul>
    <div class="scroll-x"><table id="conc-table"><tr><th>levers used</th><th>state</th>${cc.criteria.map(c => `<th>${esc(crit(c))}</th>`).join("")}</tr>` +
    cc.sets.map(s => `<tr><td>${esc(s.levers.join(", ") || "(none)")}</td><td>${s.state ? sid(s.state) : "infeasible"}</td>${cc.criteria.map(c => `<td class="${s.met[c] ? "yes" : ""}">${s.met[c] ? "✓" : ""}</td>`).join("")}</tr>`).join("") +
    `</table></div>${cc.n_sets > cc.sets.length ? `<p class="note">First ${cc.sets.length} of ${cc.n_sets} sets.</p>` : ""}` : `<p class="note">No target and levers in the scenario's analysis block.</p>`;
  if (window.renderEvolution) renderEvolution(v);
  drawGraph();
}
async function explain(state) {
  const v = variant(), c = $("#concept").value;
  $("#explain").innerHTML = "…";
  try {
    const e = await api("GET", `/api/jobs/${JID}/explain?variant=${encodeURIComponent(v.name)}&state=${state}&concept=${c}`);
    $("#explain").innerHTML = `<p><b>State ${e.state}</b> <code>${esc(e.pattern)}</code>: ${e.equilibrium ? `an equilibrium under ${TITLES[c]}` : `not an equilibrium under ${TITLES[c]}`}.</p><p>${esc(e.description)}</p>` +
      e.dms.map(d => `<pre class="lines">${esc(d.lines.join("\n"))}</pre>`).join("");
  } catch (err) { $("#explain").innerHTML = `<div class="error">${esc(errorText(err))}</div>`; }
  selected = state; $("#expand").disabled = !cy;
  if (cy) { cy.$("node").unselect(); cy.$id(String(state)).select(); }
}
document.addEventListener("click", ev => { const s = ev.target.closest(".state"); if (s) explain(Number(s.dataset.state)); });
document.addEventListener("click", ev => {
  if (ev.target.id !== "cancel-job") return;
  ev.target.disabled = true;
  api("POST", `/api/jobs/${JID}/cancel`).catch(e => $("#status").insertAdjacentHTML("beforeend", `<div class="error">${esc(errorText(e))}</div>`));
});

async function drawGraph() {
  const v = variant();
  const paths = v.paths.flatMap(p => p.states).concat(window.evolutionStates ? evolutionStates(v) : []);
  const q = new URLSearchParams({variant: v.name, concept: $("#concept").value, moves: $("#moves").value, paths: paths.join(","), expand: expanded.join(",")});
  const g = await api("GET", `/api/jobs/${JID}/graph?${q}`);
  const colour = Object.fromEntries(g.decision_makers.map((d, i) => [d.id, DM_COLOURS[i % DM_COLOURS.length]]));
  $("#graph-note").innerHTML = `Showing ${g.nodes.length} of ${g.n_states} states (${g.n_equilibria} ${TITLES[g.concept]} equilibria)${g.truncated ? "; filtered: select a state and press Expand to see more" : ""}. Edge colours: ` +
    g.decision_makers.map(d => `<span style="color:${colour[d.id]}">■ ${esc(d.name)}</span>`).join(" ");
  if (!window.cytoscape) {
    $("#cy").innerHTML = `<div class="panel note">The interactive graph needs the Cytoscape files (run <code>make setup</code> with npm available). States shown: ` +
      g.nodes.map(n => sid(n.id)).join(", ") + "</div>";
    $("#cy").style.height = "auto"; return;
  }
  if (window.cytoscapeDagre && !window.__dagreRegistered) { cytoscape.use(window.cytoscapeDagre); window.__dagreRegistered = true; }
  const els = g.nodes.map(n => ({data: {id: String(n.id), label: `${n.id}`, sq: n.status_quo ? 1 : 0, eq: n.equilibrium ? 1 : 0, more: n.hidden_neighbours}, classes: [n.status_quo ? "sq" : "", n.equilibrium ? "eq" : ""].join(" ")}))
    .concat(g.edges.map((e, i) => ({data: {id: "e" + i, source: String(e.source), target: String(e.target), colour: colour[e.dm], dm: e.dm}})));
  if (cy) cy.destroy();
  cy = cytoscape({
    container: $("#cy"), elements: els,
    style: [
      {selector: "node", style: {label: "data(label)", "font-size": 9, width: 18, height: 18, "background-color": "#9aa5b4", "text-valign": "center", color: "#111"}},
      {selector: "node.eq", style: {"background-color": "#2e8b57", color: "#fff"}},
      {selector: "node.sq", style: {"background-color": "#e0a800", shape: "diamond", width: 26, height: 26}},
      {selector: "node.onpath", style: {"border-width": 3, "border-color": "#111"}},
      {selector: "node:selected", style: {"border-width": 4, "border-color": "#1f3a5f"}},
      {selector: "edge", style: {width: 1, "line-color": "data(colour)", "target-arrow-color": "data(colour)", "target-arrow-shape": "triangle", "curve-style": "bezier", opacity: 0.55, "arrow-scale": 0.6}},
      {selector: "edge.step", style: {width: 4, opacity: 1}},
      {selector: ".faded", style: {opacity: 0.15}},
    ],
    // a layered (dagre) drawing reads well for a few paths; with many states and moves it
    // degenerates into one long strip, so larger neighbourhoods get a force-directed layout
    layout: g.nodes.length <= 40 && g.edges.length <= 120 && window.cytoscapeDagre
      ? {name: "dagre", rankDir: "LR", nodeSep: 8, rankSep: 40}
      : {name: "cose", animate: false, nodeRepulsion: () => 8000, idealEdgeLength: () => 60, randomize: false},
    maxZoom: 2.5, minZoom: 0.05,
  });
  cy.on("tap", "node", ev => explain(Number(ev.target.id())));
  window.__cy = cy;  // for tests and the console
  showStep();
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
  $("#step-text").textContent = upto === 0 ? `start: status quo ${p.states[0]}` : `step ${upto}/${p.steps.length}: ${p.steps[upto - 1].movers.join("+")} moves ${p.steps[upto - 1].from} → ${p.steps[upto - 1].to}`;
}
$("#path").addEventListener("change", () => { pathIdx = 0; showStep(); });
$("#step-next").addEventListener("click", () => { const p = variant().paths[Number($("#path").value)]; if (p) { pathIdx = Math.min((pathIdx < 0 ? 0 : pathIdx) + 1, p.steps.length); showStep(); } });
$("#step-prev").addEventListener("click", () => { pathIdx = Math.max(0, (pathIdx < 0 ? 0 : pathIdx) - 1); showStep(); });
$("#expand").addEventListener("click", () => { if (selected && !expanded.includes(selected)) { expanded.push(selected); drawGraph(); } });
$("#variant").addEventListener("change", renderVariant);
$("#concept").addEventListener("change", () => { drawGraph(); if (selected) explain(selected); });
$("#moves").addEventListener("change", drawGraph);
$("#report").addEventListener("click", async () => {
  const r = await api("POST", `/api/scenarios/${job.scenario_id}/reports`, {version: job.version});
  const tick = async () => {
    const j = await api("GET", `/api/jobs/${r.id}`);
    if (j.status === "done") $("#report-status").innerHTML = `<a class="button" href="/api/jobs/${r.id}/report.html">Download the HTML report</a>`;
    else if (["failed", "interrupted"].includes(j.status)) $("#report-status").innerHTML = `<span class="error">${esc(j.error)}</span>`;
    else { $("#report-status").innerHTML = `${progressBar(j.progress)} <span class="note">${esc(j.stage)}</span>`; setTimeout(tick, 800); }
  };
  tick();
});
poll().catch(e => { $("#status").innerHTML = `<div class="error">${esc(errorText(e))}</div>`; });
