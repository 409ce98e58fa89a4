// The analysis block and the variants of a scenario, edited in the form (scenario page).
//
// Works on the plain data of scenario.js (``form``): ``form.analysis`` (target, target_name,
// levers, coalitions, variants, main_variant, baseline, concepts) and ``form.variants``
// (name -> {description, extends, fix, preferences}). Markup only through html`...`.
"use strict";
const CONCEPTS = ["nash", "gmr", "smr", "seq", "sim", "seq_sim"];
const CONCEPT_TITLES = {nash: "Nash", gmr: "GMR", smr: "SMR", seq: "SEQ", sim: "SIM", seq_sim: "SEQ+SIM"};
let serverInfo = {analysis_keys: []};
api("GET", "/api/info").then(i => { serverInfo = i; if (form) renderAnalysis(); }).catch(() => {});
const knowsBaseline = () => (serverInfo.analysis_keys || []).includes("baseline");

function analysis() { return form.analysis && typeof form.analysis === "object" ? form.analysis : (form.analysis = {}); }
function variantsMap() { return form.variants && typeof form.variants === "object" && !Array.isArray(form.variants) ? form.variants : (form.variants = {}); }
function optRefs() { return allOptions().map(({dm, o}) => ({ref: `${dm.id}.${o.id}`, dm, o})); }
// Drop empty keys so that an untouched block writes nothing into the YAML.
function tidyAnalysis() {
  const a = form.analysis;
  if (a && typeof a === "object") {
    for (const k of Object.keys(a)) {
      const v = a[k];
      if (v == null || v === "" || (Array.isArray(v) && !v.length) || (typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length)) delete a[k];
    }
    if (!Object.keys(a).length) delete form.analysis;
  }
  if (form.variants && typeof form.variants === "object" && !Object.keys(form.variants).length) delete form.variants;
}
// The target as Map(ref -> "Y" | "N"); options not listed keep their status quo value ("").
function readTarget() {
  const t = analysis().target, out = new Map();
  if (typeof t === "string") {
    const order = bitOrder() || allOptions().map(x => x.o), refs = new Map(optRefs().map(r => [r.o, r.ref]));
    order.forEach((o, k) => { if (t[k]) out.set(refs.get(o), /[Yy]/.test(t[k]) ? "Y" : "N"); });
  } else if (t && typeof t === "object") {
    for (const [ref, v] of Object.entries(t)) {
      const o = resolveRef(ref, bitOrder());
      const r = o ? optRefs().find(x => x.o === o).ref : ref;
      out.set(r, isYes(v) ? "Y" : "N");
    }
  }
  return out;
}
function sqValue(o) { const sq = readSq(); return sq && sq.get(o) ? "Y" : "N"; }
function variantNames() { return Object.keys(variantsMap()); }
function compared() { const v = analysis().variants; return Array.isArray(v) ? v.map(String) : null; }

function renderTargetTable() {
  const t = readTarget(), levers = new Set((analysis().levers || []).map(String));
  const rows = optRefs().map(({ref, dm, o}) => html`<tr><td><code>${ref}</code> <span class="note">${o.label || ""}</span></td>
    <td><select data-target="${ref}" title="Value of this option in the target state">
      ${[["", `as status quo (${sqValue(o)})`], ["Y", "Y (taken)"], ["N", "N (not taken)"]].map(([v, l]) => html`<option value="${v}" ${(t.get(ref) || "") === v ? "selected" : ""}>${l}</option>`)}</select></td>
    <td><label title="A concession of ${dm.name || dm.id} to test"><input type="checkbox" data-lever="${ref}" ${levers.has(ref) ? "checked" : ""}> lever</label></td></tr>`);
  return html`<div class="scroll"><table class="analysis-target" data-field="analysis.target"><tr><th>option</th><th>in the target</th><th data-field="analysis.levers">concession (lever)</th></tr>${rows}</table></div>`;
}
function renderCoalitions() {
  const cs = Array.isArray(analysis().coalitions) ? analysis().coalitions : [];
  return html`${cs.map((c, j) => html`<div class="stmt coalition" data-field="analysis.coalitions[${j + 1}]"><span class="note">${j + 1}.</span>
    ${dms().map(d => html`<label><input type="checkbox" data-coal="${j}" data-coal-dm="${d.id}" ${(c || []).map(String).includes(d.id) ? "checked" : ""}> ${d.name || d.id}</label>`)}
    <button class="secondary" data-coal-del="${j}" title="Remove this coalition">✕</button></div>`)}
    <button class="secondary" id="f-add-coal">Add coalition</button>`;
}
function renderVariant(name, k) {
  const v = variantsMap()[name] || {}, f = `variants.${name}`;
  const fix = v.fix && typeof v.fix === "object" ? v.fix : {};
  const fixOf = ref => { const hit = Object.entries(fix).find(([r]) => r === ref || resolveRef(r, bitOrder()) === (optRefs().find(x => x.ref === ref) || {}).o); return hit ? (isYes(hit[1]) ? "Y" : "N") : ""; };
  const prefs = v.preferences && typeof v.preferences === "object" ? v.preferences : {};
  const others = variantNames().filter(n => n !== name);
  return html`<div class="dm variant" data-variant="${name}" data-field="${f}">
    <label>Name <input type="text" class="id" data-var-name="${k}" data-field="${f}.name" value="${name}"></label>
    <label>extends <select data-var-extends="${name}" data-field="${f}.extends"><option value="">(the base model)</option>${others.map(n => html`<option ${v.extends === n ? "selected" : ""}>${n}</option>`)}</select></label>
    <button class="danger" data-var-del="${name}" title="Remove this variant">Remove</button>
    <label class="wide">Description <input type="text" data-var-desc="${name}" data-field="${f}.description" value="${v.description || ""}" placeholder="what this variant assumes"></label>
    <details ${Object.keys(fix).length ? "open" : ""}><summary>Fixed options (${Object.keys(fix).length})</summary><div class="scroll"><table data-field="${f}.fix">${optRefs().map(({ref}) => html`<tr><td><code>${ref}</code></td><td>
      <select data-var-fix="${name}" data-ref="${ref}">${[["", "free"], ["Y", "held at Y"], ["N", "held at N"]].map(([x, l]) => html`<option value="${x}" ${fixOf(ref) === x ? "selected" : ""}>${l}</option>`)}</select></td></tr>`)}</table></div></details>
    <details ${Object.keys(prefs).length ? "open" : ""}><summary>Preference overrides (${Object.keys(prefs).length})</summary>${dms().map(d => {
      const p = prefs[d.id], on = p !== undefined, items = on ? (p.prioritization || p.weighted || []) : [];
      const editable = !on || Array.isArray(p.prioritization);
      return html`<div class="override" data-field="${f}.preferences.${d.id}"><label><input type="checkbox" data-var-ovr="${name}" data-dm="${d.id}" ${on ? "checked" : ""} ${editable ? "" : "disabled"}> replace the preferences of ${d.name || d.id}</label>
        ${on && editable ? html`${items.map((it, j) => html`<div class="stmt"><span class="note">${j + 1}.</span><input type="text" class="vstatement" data-var="${name}" data-dm="${d.id}" data-j="${j}" data-field="${f}.preferences.${d.id}.prioritization[${j + 1}]" value="${stmtText(it)}">
          <button class="secondary" data-var-stmt-del="${name}:${d.id}:${j}" title="Remove">✕</button></div>`)}
          <button class="secondary" data-var-stmt-add="${name}:${d.id}">Add statement</button>` : on ? html`<span class="note">(not a prioritization: edit it in the YAML view)</span>` : ""}</div>`;
    })}</details></div>`;
}
function renderAnalysis() {
  const box = $("#f-analysis");
  if (!box || !form) return;
  const a = analysis(), names = variantNames(), cmp = compared();
  const all = ["base", ...names], shown = cmp || all;
  const concepts = Array.isArray(a.concepts) ? a.concepts.map(String) : CONCEPTS;
  setHTML(box, html`
    <h3>Target and levers</h3>
    <p class="note">The state you want to study: choose the options that differ from the status quo. Levers are the concessions of one decision maker whose necessity and sufficiency are tested (they need a target).</p>
    <label>Target name <input type="text" id="f-target-name" data-field="analysis.target_name" size="30" value="${a.target_name || ""}" placeholder="the target"></label>
    ${renderTargetTable()}
    <h3>Coalitions of interest</h3>
    <p class="note">Groups of decision makers that may move jointly (coalition stability and reachability).</p>
    <div id="f-coalitions" data-field="analysis.coalitions">${renderCoalitions()}</div>
    <h3>Variants</h3>
    <p class="note">What-if versions of the model: options held fixed, preferences replaced. The base model is always there as <code>base</code>.</p>
    <div id="f-variants" data-field="variants">${names.map(renderVariant)}</div>
    <button class="secondary" id="f-add-variant">Add variant</button>
    <h3>What to compare</h3>
    <div data-field="analysis.variants">Variants compared: ${all.map(n => html`<label><input type="checkbox" data-cmp="${n}" ${shown.includes(n) ? "checked" : ""}> ${n}</label> `)}</div>
    <p><label>Variant under study (main) <select id="f-main" data-field="analysis.main_variant"><option value="">(the first compared)</option>${shown.map(n => html`<option ${a.main_variant === n ? "selected" : ""}>${n}</option>`)}</select></label>
    <label>Baseline <select id="f-baseline" data-field="analysis.baseline" ${knowsBaseline() || a.baseline ? "" : "disabled"}><option value="">(none chosen)</option>${shown.map(n => html`<option ${a.baseline === n ? "selected" : ""}>${n}</option>`)}</select></label>
    <span class="note" id="f-baseline-note">${knowsBaseline() ? "the variant the others are compared against" : "this server's scenario format does not know the baseline key yet"}</span></p>
    <div data-field="analysis.concepts">Solution concepts: ${CONCEPTS.map(c => html`<label><input type="checkbox" data-concept="${c}" ${concepts.includes(c) ? "checked" : ""}> ${CONCEPT_TITLES[c]}</label> `)}</div>`);
}
// Rename a variant everywhere it is named (compared list, main, baseline, extends).
function renameVariant(old, name) {
  const vs = variantsMap(), out = {};
  for (const [k, v] of Object.entries(vs)) out[k === old ? name : k] = v;
  for (const v of Object.values(out)) if (v && v.extends === old) v.extends = name;
  form.variants = out;
  const a = analysis();
  if (Array.isArray(a.variants)) a.variants = a.variants.map(n => n === old ? name : n);
  if (a.main_variant === old) a.main_variant = name;
  if (a.baseline === old) a.baseline = name;
}
function changed() { tidyAnalysis(); dirty = true; preview(); }
function setTarget(ref, value) {
  const a = analysis(), t = readTarget();
  if (value) t.set(ref, value); else t.delete(ref);
  a.target = Object.fromEntries(t);
}
function toggleList(list, item, on) {
  const l = (list || []).filter(x => String(x) !== item);
  if (on) l.push(item);
  return l;
}
$("#tab-form").addEventListener("change", ev => {
  const t = ev.target, a = analysis();
  if (t.dataset.target !== undefined) setTarget(t.dataset.target, t.value);
  else if (t.dataset.lever !== undefined) a.levers = toggleList(a.levers, t.dataset.lever, t.checked);
  else if (t.dataset.coal !== undefined) { const j = Number(t.dataset.coal); a.coalitions[j] = toggleList(a.coalitions[j], t.dataset.coalDm, t.checked); }
  else if (t.dataset.cmp !== undefined) {
    const all = ["base", ...variantNames()];
    const now = all.filter(n => n === t.dataset.cmp ? t.checked : (compared() || all).includes(n));
    a.variants = now.length === all.length ? undefined : now;
    if (a.main_variant && !now.includes(a.main_variant)) delete a.main_variant;
    if (a.baseline && !now.includes(a.baseline)) delete a.baseline;
    renderAnalysis();
  } else if (t.id === "f-main") a.main_variant = t.value;
  else if (t.id === "f-baseline") a.baseline = t.value;
  else if (t.dataset.concept !== undefined) {
    const now = CONCEPTS.filter(c => c === t.dataset.concept ? t.checked : (Array.isArray(a.concepts) ? a.concepts : CONCEPTS).includes(c));
    a.concepts = now.length === CONCEPTS.length ? undefined : now;
  } else if (t.dataset.varExtends !== undefined) { const v = variantsMap()[t.dataset.varExtends]; if (t.value) v.extends = t.value; else delete v.extends; }
  else if (t.dataset.varFix !== undefined) {
    const v = variantsMap()[t.dataset.varFix], fix = v.fix && typeof v.fix === "object" ? v.fix : {};
    const o = (optRefs().find(x => x.ref === t.dataset.ref) || {}).o;
    for (const r of Object.keys(fix)) if (r === t.dataset.ref || resolveRef(r, bitOrder()) === o) delete fix[r];
    if (t.value) fix[t.dataset.ref] = t.value;
    if (Object.keys(fix).length) v.fix = fix; else delete v.fix;
    renderAnalysis();
  } else if (t.dataset.varOvr !== undefined) {
    const v = variantsMap()[t.dataset.varOvr];
    v.preferences = v.preferences && typeof v.preferences === "object" ? v.preferences : {};
    if (t.checked) {
      const cur = (form.preferences || {})[t.dataset.dm] || {};
      v.preferences[t.dataset.dm] = {prioritization: Array.isArray(cur.prioritization) ? cur.prioritization.map(stmtText) : [""]};
    } else delete v.preferences[t.dataset.dm];
    if (!Object.keys(v.preferences).length) delete v.preferences;
    renderAnalysis();
  } else if (t.dataset.varName !== undefined) { setTimeout(renderForm); return; }
  else return;
  changed();
});
$("#tab-form").addEventListener("input", ev => {
  const t = ev.target;
  if (t.id === "f-target-name") analysis().target_name = t.value;
  else if (t.dataset.varName !== undefined) {
    const old = variantNames()[Number(t.dataset.varName)], name = t.value.trim();
    if (!name || name === old || variantNames().includes(name)) return;
    renameVariant(old, name);
  } else if (t.dataset.varDesc !== undefined) variantsMap()[t.dataset.varDesc].description = t.value;
  else if (t.classList.contains("vstatement")) {
    const l = variantsMap()[t.dataset.var].preferences[t.dataset.dm].prioritization;
    setStatement(l, Number(t.dataset.j), t.value);
  } else return;
  changed();
});
$("#tab-form").addEventListener("click", ev => {
  const b = ev.target.closest("button"); if (!b) return;
  const a = analysis();
  if (b.id === "f-add-coal") { a.coalitions = Array.isArray(a.coalitions) ? a.coalitions : []; a.coalitions.push(dms().map(d => d.id)); }
  else if (b.dataset.coalDel !== undefined) a.coalitions.splice(Number(b.dataset.coalDel), 1);
  else if (b.id === "f-add-variant") {
    const name = uniqueId("variant", variantNames());
    variantsMap()[name] = {description: ""};
    if (Array.isArray(a.variants)) a.variants.push(name);
  } else if (b.dataset.varDel !== undefined) {
    const name = b.dataset.varDel;
    delete variantsMap()[name];
    for (const v of Object.values(variantsMap())) if (v && v.extends === name) delete v.extends;
    if (Array.isArray(a.variants)) a.variants = a.variants.filter(n => n !== name);
    if (a.main_variant === name) delete a.main_variant;
    if (a.baseline === name) delete a.baseline;
  } else if (b.dataset.varStmtAdd !== undefined) {
    const [name, dm] = b.dataset.varStmtAdd.split(":");
    variantsMap()[name].preferences[dm].prioritization.push("");
  } else if (b.dataset.varStmtDel !== undefined) {
    const [name, dm, j] = b.dataset.varStmtDel.split(":");
    variantsMap()[name].preferences[dm].prioritization.splice(Number(j), 1);
  } else return;
  ev.stopPropagation();
  tidyAnalysis(); renderForm(); changed();
}, true);
