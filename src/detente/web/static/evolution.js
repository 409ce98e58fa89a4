// Likely evolution and commitment in the analysis page (issue 11 §5): the outcome
// distribution as a bar chart, the sortable commitment table, and the most probable path
// stepped on the state graph (window.__cy, drawn by analysis.js).
// Every text goes through textContent / DOM APIs: no HTML is built from strings here.
"use strict";

const EVO = {v: null, rows: [], sortKey: null, sortDir: 1, dist: null, path: null, step: 0};
const SVG_NS = "http://www.w3.org/2000/svg";

function evoEl(tag, attrs, text) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") el.className = v; else el.setAttribute(k, v);
  }
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}
function evoSvg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}
function evoProb(p) {
  if (p === null || p === undefined) return "–";
  if (p >= 1 - 1e-9) return "1";
  if (p <= 1e-12) return "0";
  return Number(p).toPrecision(3).replace(/\.?0+$/, "");
}
function evoStateName(o) { return o.name ? `${o.id} (${o.name})` : String(o.id); }

// The states the graph must show for the evolution paths (analysis.js adds them).
function evolutionStates(v) {
  const out = [];
  const add = evo => { if (evo) evo.outcomes.forEach(o => out.push(...o.path.states)); };
  add(v.evolution);
  if (v.commitment) add(v.commitment.package_evolution);
  return out;
}

// Outcome distribution as a horizontal bar chart (one bar per outcome, plus cycling).
function evoBarChart(dist, title) {
  const box = evoEl("div", {id: "evo-chart"});
  box.appendChild(evoEl("p", {class: "note", id: "evo-chart-title"}, title));
  const bars = dist.outcomes.map(o => ({label: `state ${evoStateName(o)}`, p: o.probability, id: o.id}));
  if (dist.cycling > 1e-12) bars.push({label: "cycling for ever", p: dist.cycling, id: null});
  bars.sort((a, b) => b.p - a.p);
  const shown = bars.slice(0, 12);
  const rowH = 22, labelW = 390, barW = 260, h = rowH * shown.length + 6;
  const svg = evoSvg("svg", {width: labelW + barW + 60, height: h, role: "img", "aria-label": title, class: "evo-bars"});
  shown.forEach((b, i) => {
    const y = 3 + i * rowH;
    const label = evoSvg("text", {x: labelW - 6, y: y + 15, "text-anchor": "end", "font-size": 12});
    label.textContent = b.label.length > 52 ? b.label.slice(0, 51) + "…" : b.label;
    const full = evoSvg("title", {}); full.textContent = b.label;
    label.appendChild(full);
    const rect = evoSvg("rect", {x: labelW, y: y + 3, width: Math.max(1, b.p * barW), height: rowH - 8,
      fill: b.id === null ? "#b03a2e" : "#2e8b57", "data-state": b.id === null ? "" : b.id, class: "evo-bar"});
    const val = evoSvg("text", {x: labelW + Math.max(1, b.p * barW) + 4, y: y + 15, "font-size": 12});
    val.textContent = evoProb(b.p);
    svg.append(label, rect, val);
  });
  box.appendChild(svg);
  const cut = shown.filter(b => b.label.length > 52);
  if (cut.length) {
    const ul = evoEl("ul", {class: "note"});
    cut.forEach(b => ul.appendChild(evoEl("li", {}, b.label)));
    box.appendChild(ul);
  }
  if (bars.length > shown.length) box.appendChild(evoEl("p", {class: "note"}, `${bars.length - shown.length} more outcomes not drawn.`));
  return box;
}

function evoShowDistribution(dist, title) {
  const old = document.getElementById("evo-chart");
  const chart = evoBarChart(dist, title);
  if (old) old.replaceWith(chart); else $("#evo-dist").appendChild(chart);
}

// Sortable commitment table.
const EVO_COLUMNS = [
  {key: "changes", title: "commitment (levers changed)", value: r => r.changes.length},
  {key: "start", title: "start", value: r => r.start ?? -1},
  {key: "outcomes", title: "outcomes (probability)", value: r => (r.outcomes[0] || {}).id || 0},
  {key: "p_target", title: "P(target)", value: r => r.p_target},
  {key: "p_better", title: "P(better)", value: r => r.p_better},
  {key: "safe", title: "safe", value: r => (r.safe ? 1 : 0)},
  {key: "hopeful", title: "hopeful", value: r => (r.hopeful ? 1 : 0)},
];
function evoLeverText(c, ref) {
  const l = c.levers.find(x => x.ref === ref);
  return l ? `${l.change} ${l.label}` : ref;
}
function evoTable(c) {
  const table = evoEl("table", {id: "commit-table", class: "sortable"});
  const head = evoEl("tr");
  EVO_COLUMNS.forEach(col => {
    const th = evoEl("th", {"data-key": col.key, tabindex: "0"},
      col.title + (EVO.sortKey === col.key ? (EVO.sortDir > 0 ? " ▲" : " ▼") : ""));
    th.addEventListener("click", () => evoSort(col.key));
    head.appendChild(th);
  });
  table.appendChild(head);
  EVO.rows.forEach(({row, i}) => {
    const tr = evoEl("tr", {"data-row": i});
    if (i === c.package) tr.className = "evo-package";
    const changes = row.changes.length ? row.changes.map(r => evoLeverText(c, r)).join("; ") : "(no commitment)";
    tr.appendChild(evoEl("td", {}, changes + (i === c.package ? "  [full package]" : "") + (i === c.best ? "  [best for the party]" : "")));
    tr.appendChild(evoEl("td", {}, row.start ?? "infeasible"));
    const stays = row.outcomes.length === 1 && row.outcomes[0].id === row.start && !(row.cycling > 0);
    tr.appendChild(evoEl("td", {}, stays ? `stays at ${evoStateName(row.outcomes[0])}: nobody moves`
      : row.outcomes.map(o => `${evoStateName(o)}: ${evoProb(o.probability)}`).join("; ") || "–"));
    tr.appendChild(evoEl("td", {class: row.p_target > 0 ? "yes" : ""}, evoProb(row.p_target)));
    tr.appendChild(evoEl("td", {}, evoProb(row.p_better)));
    tr.appendChild(evoEl("td", {}, row.safe ? "yes" : "no"));
    tr.appendChild(evoEl("td", {}, row.hopeful ? "yes" : "no"));
    tr.addEventListener("click", () => {
      evoShowDistribution({outcomes: row.outcomes, cycling: row.cycling || 0},
        `Outcome distribution after the commitment: ${changes}`);
    });
    table.appendChild(tr);
  });
  return table;
}
function evoSort(key) {
  const col = EVO_COLUMNS.find(c => c.key === key);
  EVO.sortDir = EVO.sortKey === key ? -EVO.sortDir : 1;
  EVO.sortKey = key;
  EVO.rows.sort((a, b) => (col.value(a.row) - col.value(b.row)) * EVO.sortDir || a.i - b.i);
  const c = EVO.v.commitment;
  $("#commit-table").replaceWith(evoTable(c));
}

// The most probable path of an outcome, stepped on the state graph.
function evoPathOptions(v) {
  const opts = [];
  const add = (evo, what) => {
    if (!evo) return;
    evo.outcomes.forEach(o => opts.push({label: `${what}: to ${o.id} (p = ${evoProb(o.probability)}, path p = ${evoProb(o.path.probability)})`, path: o.path}));
  };
  if (v.commitment) add(v.commitment.package_evolution, "after the full package");
  add(v.evolution, "no commitment");
  return opts;
}
function evoShowStep() {
  const text = $("#evo-step-text");
  const p = EVO.path;
  if (!p) { text.textContent = ""; return; }
  const k = Math.min(EVO.step, p.steps.length);
  text.textContent = k === 0 ? `start: state ${p.states[0]}`
    : `step ${k}/${p.steps.length}: ${p.steps[k - 1].changes.join("; ")} (${p.steps[k - 1].from} → ${p.steps[k - 1].to})`;
  const cy = window.__cy;
  if (!cy) return;
  cy.elements().removeClass("step onpath faded");
  cy.remove(".evopath");
  p.states.slice(0, k + 1).forEach(s => cy.$id(String(s)).addClass("onpath"));
  p.steps.slice(0, k).forEach((s, i) => {
    const es = cy.edges(`[source = "${s.from}"][target = "${s.to}"]`);
    if (es.length) es.addClass("step");
    else if (cy.$id(String(s.from)).length && cy.$id(String(s.to)).length) {
      cy.add({group: "edges", data: {id: `evo${i}`, source: String(s.from), target: String(s.to), colour: "#111"}, classes: "step evopath"});
    }
  });
  cy.elements().not(".onpath").not(".step").addClass("faded");
}

function renderEvolution(v) {
  const box = $("#evo");
  if (!box) return;
  box.replaceChildren();
  EVO.v = v; EVO.path = null; EVO.step = 0; EVO.sortKey = null; EVO.sortDir = 1;
  if (!v.evolution && !v.commitment) {
    box.appendChild(evoEl("p", {class: "note"}, "Likely evolution is computed for the main variant only (with a status quo)."));
    return;
  }
  const c = v.commitment;
  const dist = evoEl("div", {id: "evo-dist"});
  box.appendChild(dist);
  if (c && c.package_evolution) {
    const pk = c.rows[c.package];
    evoShowDistribution(c.package_evolution,
      `Outcome distribution if ${c.party.join(" + ")} commits to the full package first (${c.concept.toUpperCase()} free moves, ${c.choice} choice); P(target) = ${evoProb(pk ? pk.p_target : 0)}.`);
  } else if (v.evolution) {
    evoShowDistribution(v.evolution, `Outcome distribution from the status quo (${v.evolution.concept.toUpperCase()} free moves, ${v.evolution.choice} choice).`);
  }
  // path stepping
  const opts = evoPathOptions(v);
  if (opts.length) {
    const p = evoEl("p");
    p.appendChild(document.createTextNode("Most probable path "));
    const sel = evoEl("select", {id: "evo-path"});
    sel.appendChild(evoEl("option", {value: "-1"}, "(none)"));
    opts.forEach((o, i) => sel.appendChild(evoEl("option", {value: String(i)}, o.label)));
    const prev = evoEl("button", {class: "secondary", id: "evo-prev", type: "button"}, "◀");
    const next = evoEl("button", {class: "secondary", id: "evo-next", type: "button"}, "Step ▶");
    const text = evoEl("span", {class: "note", id: "evo-step-text"});
    sel.addEventListener("change", () => { const i = Number(sel.value); EVO.path = i >= 0 ? opts[i].path : null; EVO.step = 0; evoShowStep(); });
    next.addEventListener("click", () => { if (EVO.path) { EVO.step = Math.min(EVO.step + 1, EVO.path.steps.length); evoShowStep(); } });
    prev.addEventListener("click", () => { if (EVO.path) { EVO.step = Math.max(0, EVO.step - 1); evoShowStep(); } });
    p.append(sel, " ", prev, " ", next, " ", text);
    box.appendChild(p);
  }
  if (!c) return;
  const sure = c.minimal_sure.length
    ? "Minimal commitments that make the target sure: " + c.minimal_sure.map(s => s.map(r => evoLeverText(c, r)).join(" + ")).join(" | ")
    : "No commitment of these levers makes the target the sure outcome.";
  const possible = c.minimal_possible.length
    ? "Minimal commitments under which it is possible: " + c.minimal_possible.map(s => s.map(r => evoLeverText(c, r)).join(" + ")).join(" | ")
    : "None makes it even possible.";
  const verdict = evoEl("div", {id: "evo-verdict"});
  verdict.append(evoEl("p", {}, sure), evoEl("p", {}, possible));
  box.appendChild(verdict);
  box.appendChild(evoEl("p", {class: "note"},
    `${c.n_commitments} commitments by ${c.party.join(" + ")} (a lever left as today stays free). Click a column to sort, a row to chart its outcomes. P(better): probability of ending where ${c.party.join(" + ")} is better off than today.`));
  EVO.rows = c.rows.map((row, i) => ({row, i}));
  // 2^k rows: the table scrolls inside its own box (header kept in view), not the page
  const wrap = evoEl("div", {class: "scroll-x scroll-y", id: "evo-table-wrap"});
  wrap.appendChild(evoTable(c));
  box.appendChild(wrap);
}
