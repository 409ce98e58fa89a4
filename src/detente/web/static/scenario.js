"use strict";
const SID = Number(location.pathname.split("/").pop());
let current = null;   // {version, text}
let form = null;      // plain data of the scenario
let dirty = false;

function showTab(name) {
  $$(".tabs button").forEach(b => b.classList.toggle("active", b.dataset.tab === name));
  $$("section[id^=tab-]").forEach(s => { s.hidden = s.id !== "tab-" + name; });
  if (name === "history") loadHistory();
  if (name === "analyses") loadJobs();
  if (name === "form" && dirtyYaml) reloadForm();
}
$$(".tabs button").forEach(b => b.addEventListener("click", () => showTab(b.dataset.tab)));
let dirtyYaml = false;

async function load() {
  const s = await api("GET", `/api/scenarios/${SID}`);
  current = {version: s.version, text: s.text};
  $("#title").textContent = s.name; document.title = s.name + " — Détente";
  $("#version").textContent = s.version;
  $("#export-yaml").href = `/api/scenarios/${SID}/export`;
  $("#export-gmcr").href = `/api/scenarios/${SID}/export?format=gmcr`;
  $("#yaml").value = s.text; dirtyYaml = false;
  await reloadForm();
}
async function reloadForm() {
  const f = await api("GET", `/api/scenarios/${SID}/form`);
  form = f.data; dirtyYaml = false; renderForm(); preview();
}

// ------------------------------------------------------------------ form
// Decision makers and options added in this editing session: their ids stay editable
// until the next save (renaming a saved id would break the statements that use it).
let fresh = new WeakSet();
const pendingPrefs = new Map();  // DM object -> preferences, while its id collides with another
const KINDS = ["prioritization", "weighted", "ranking"];
let lastPreview = null;

function dms() { return form.decision_makers || (form.decision_makers = []); }
function allOptions() { return dms().flatMap(d => (d.options || []).map(o => ({dm: d, o}))); }
function stmtText(item) { return typeof item === "string" ? item : (item && item.statement) || ""; }
function prefKind(p) { return KINDS.find(k => p && k in p) || "prioritization"; }

// Options in bit order (option_order when given, else file order), as option objects.
function bitOrder() {
  const all = allOptions();
  if (!Array.isArray(form.option_order)) return all.map(x => x.o);
  const out = [];
  for (const ref of form.option_order) {
    const r = String(ref).trim();
    let hit = all.filter(x => `${x.dm.id}.${x.o.id}` === r);
    if (!hit.length) hit = all.filter(x => x.o.id === r);
    if (hit.length !== 1) return null;
    out.push(hit[0].o);
  }
  return out.length === all.length ? out : null;
}
function resolveRef(ref, order) {
  const r = String(ref).trim(), all = allOptions();
  if (/^\d+$/.test(r)) return order ? order[Number(r) - 1] || null : null;
  let hit = all.filter(x => `${x.dm.id}.${x.o.id}` === r);
  if (!hit.length) hit = all.filter(x => x.o.id === r);
  return hit.length === 1 ? hit[0].o : null;
}
const isYes = v => v === true || (typeof v === "string" && /^[Yy]$/.test(v.trim()));
// The status quo as a Map(option object -> taken?), or null when the form cannot show it
// option by option (then the text field is the way to edit it).
function readSq() {
  const sq = form.status_quo, order = bitOrder(), out = new Map();
  allOptions().forEach(({o}) => out.set(o, false));
  if (sq == null || sq === "") return out;
  if (typeof sq === "string") {
    const p = sq.trim();
    if (!order || !/^[YyNn]*$/.test(p) || p.length !== order.length) return null;
    order.forEach((o, k) => out.set(o, p[k] === "Y" || p[k] === "y"));
    return out;
  }
  if (typeof sq !== "object" || Array.isArray(sq)) return null;
  for (const [ref, v] of Object.entries(sq)) {
    const o = resolveRef(ref, order);
    if (!o) return null;
    out.set(o, isYes(v));
  }
  return out;
}
// Write ``sq`` back in the form the scenario already uses: a Y/N pattern in bit order, or
// a mapping (its keys kept where they still name an option; unlisted options are N).
function writeSq(sq) {
  if (!sq) return;
  const old = form.status_quo, order = bitOrder();
  if (old != null && typeof old === "object" && !Array.isArray(old)) {
    const out = {}, done = new Set();
    for (const [ref, v] of Object.entries(old)) {
      const o = resolveRef(ref, order);
      if (!o || !sq.has(o) || done.has(o)) continue;
      done.add(o);
      if (isYes(v) === sq.get(o)) out[ref] = v;
      else if (sq.get(o)) out[ref] = "Y";
    }
    allOptions().forEach(({dm, o}) => { if (sq.get(o) && !done.has(o)) out[`${dm.id}.${o.id}`] = "Y"; });
    form.status_quo = out;
  } else if (old != null && old !== "" || [...sq.values()].some(Boolean)) {
    if (!order) return;
    form.status_quo = order.map(o => sq.get(o) ? "Y" : "N").join("");
  }
}
function sqText() {
  const sq = form.status_quo;
  return sq == null ? "" : typeof sq === "string" ? sq : JSON.stringify(sq);
}
// Run a change of the decision makers or options, keeping the status quo and option_order.
function structural(change) {
  const sq = readSq();
  change();
  writeSq(sq);
}
function uniqueId(prefix, taken) {
  let n = 1;
  while (taken.includes(prefix + n)) n++;
  return prefix + n;
}

// Every text that may name a DM or an option: statements, rules, the status quo mapping,
// the analysis block and the variants. An id is "used" once one of them names it.
function usageText(skip) {
  const parts = [];
  for (const [dm, p] of Object.entries(form.preferences || {})) {
    for (const k of ["prioritization", "weighted"]) (p && Array.isArray(p[k]) ? p[k] : []).forEach(it => parts.push(stmtText(it)));
    void dm;
  }
  (form.feasibility || []).forEach(r => parts.push(JSON.stringify(r)));
  if (form.status_quo && typeof form.status_quo === "object") parts.push(Object.keys(form.status_quo).filter(k => k !== skip).join(" "));
  if (form.analysis) parts.push(JSON.stringify(form.analysis));
  if (form.variants) parts.push(JSON.stringify(form.variants));
  return parts.join("\n");
}
const reEsc = s => String(s).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function dmUsed(d) {
  const text = usageText(), id = reEsc(d.id);
  return new RegExp(`(^|[^\\w.])${id}\\.\\w`).test(text) || new RegExp(`"${id}"`).test(text);
}
function optUsed(d, o) {
  const text = usageText(`${d.id}.${o.id}`);
  return new RegExp(`(^|[^\\w.])(${reEsc(d.id)}\\.)?${reEsc(o.id)}(?![\\w])`).test(text);
}
const dmEditable = d => fresh.has(d) || !dmUsed(d);
const optEditable = (d, o) => fresh.has(o) || !optUsed(d, o);

function renderDm(d, i) {
  const f = `decision_makers[${i + 1}]`, sq = readSq(), isNew = dmEditable(d);
  const id = isNew
    ? html`<label>Id <input type="text" size="14" title="Can be renamed until a statement, coalition or variant uses it" data-dm-id="${i}" data-field="${f}.id" value="${d.id}"></label>`
    : html`<code>${d.id}</code>`;
  const rows = (d.options || []).map((o, k) => {
    const g = `${f}.options[${k + 1}]`;
    const oid = optEditable(d, o)
      ? html`<code>${d.id}.</code><input type="text" class="id" data-opt-id="${i}:${k}" data-field="${g}.id" value="${o.id}" title="Can be renamed until a statement, rule, target or variant uses it">`
      : html`<code title="Used by a statement, rule, target or variant: the id is fixed">${d.id}.${o.id}</code>`;
    const taken = sq ? sq.get(o) : false;
    return html`<tr data-option="${d.id}.${o.id}"><td>${oid}</td>
      <td><label title="Taken (Y) in the status quo"><input type="checkbox" class="sq" data-sq="${i}:${k}" ${taken ? "checked" : ""} ${sq ? "" : "disabled"}> Y</label></td>
      <td class="label-col"><input type="text" data-path="decision_makers.${i}.options.${k}.label" data-field="${g}.label" value="${o.label || ""}" title="${o.label || ""}">
        <input type="text" class="desc" data-path="decision_makers.${i}.options.${k}.description" data-field="${g}.description" value="${o.description || ""}" placeholder="description (optional)"></td>
      <td><select data-path="decision_makers.${i}.options.${k}.reversibility" data-field="${g}.reversibility">
        ${["both", "up", "down"].map(r => html`<option ${(o.reversibility || "both") === r ? "selected" : ""}>${r}</option>`)}</select></td>
      <td><button class="secondary" data-opt-del="${i}:${k}" title="Remove this option">✕</button></td></tr>`;
  });
  return html`<div class="dm" data-dm-index="${i}">
    ${id} <label>Name <input type="text" data-path="decision_makers.${i}.name" data-field="${f}.name" value="${d.name || ""}" size="30"></label>
    <button class="danger" data-dm-del="${i}" title="Remove this decision maker and its preferences">Remove</button>
    <div class="scroll"><table class="options" data-field="${f}.options"><tr><th>option</th><th title="Taken in the status quo">status quo</th><th>label and description</th><th>reversibility</th><th></th></tr>
    ${rows.length ? rows : html`<tr><td colspan="5" class="note">No option yet: a decision maker needs at least one.</td></tr>`}
    </table></div><button class="secondary" data-opt-add="${i}">Add option</button></div>`;
}
function renderPrefs(d) {
  const p = (form.preferences || {})[d.id] || {prioritization: []};
  const kind = prefKind(p), f = `preferences.${d.id}`;
  const choose = html`<select data-pref-kind="${d.id}" title="Form of this DM's preferences">${KINDS.map(k =>
    html`<option value="${k}" ${k === kind ? "selected" : ""}>${k === "ranking" ? "explicit ranking" : k}</option>`)}</select>`;
  if (kind === "ranking") {
    return html`<div class="dm" data-field="${f}"><b>${d.name || d.id}</b> ${choose}
      <input type="text" size="50" data-ranking="${d.id}" data-field="${f}.ranking" value="${JSON.stringify(p.ranking ?? [])}">
      <p class="note">States best first, as Y/N patterns or state numbers; a list groups states that tie, e.g. <code>["YN", ["NN", "YY"], "NY"]</code>.</p></div>`;
  }
  const items = p[kind] || [];
  return html`<div class="dm" data-dm="${d.id}" data-kind="${kind}" data-field="${f}"><b>${d.name || d.id}</b> ${choose}
    ${items.map((it, j) => html`<div class="stmt"><span class="note">${j + 1}.</span>
      <input type="text" class="statement" data-dm="${d.id}" data-j="${j}" data-field="${f}.${kind}[${j + 1}]" value="${stmtText(it)}">
      ${kind === "weighted" ? html`<input type="text" size="5" class="weight" data-dm="${d.id}" data-j="${j}" data-field="${f}.${kind}[${j + 1}].weight" value="${it.weight ?? 1}">` : ""}
      <button class="secondary" data-up="${d.id}:${j}" title="Move up">↑</button>
      <button class="secondary" data-del="${d.id}:${j}" title="Remove">✕</button></div>`)}
    <button class="secondary" data-add="${d.id}">Add statement</button></div>`;
}
// Re-rendering replaces the inputs: keep the focus (and caret) on the same field.
function focusKey() {
  const a = document.activeElement;
  if (!a || a === document.body || !$("#tab-form").contains(a)) return null;
  const attr = ["field", "sq", "path"].find(k => a.dataset[k] !== undefined);
  if (!attr) return null;
  const name = "data-" + attr.replace(/[A-Z]/g, c => "-" + c.toLowerCase());
  return {sel: `[${name}="${CSS.escape(a.dataset[attr])}"]`, start: a.selectionStart, end: a.selectionEnd};
}
function restoreFocus(key) {
  if (!key) return;
  const el = $(key.sel, $("#tab-form"));
  if (!el) return;
  el.focus();
  if (key.start != null && el.setSelectionRange) { try { el.setSelectionRange(key.start, key.end); } catch (e) { /* not text */ } }
}
function renderForm() {
  const key = focusKey();
  renderFormFields();
  restoreFocus(key);
}
function renderFormFields() {
  $("#f-name").value = form.name || "";
  $("#f-sq").value = sqText();
  $("#f-sq-note").textContent = readSq() ? "" : "The status quo is written in a form the checkboxes cannot show; edit it as text.";
  setHTML($("#f-dms"), html`${dms().map(renderDm)}`);
  const rules = form.feasibility || [];
  const kinds = ["at_most_one", "exactly_one", "at_least_one", "infeasible", "require"];
  setHTML($("#f-feas"), rules.length ? html`${rules.map((r, j) => {
    const kind = kinds.find(k => k in r) || "infeasible";
    const v = Array.isArray(r[kind]) ? r[kind].join(", ") : (r[kind] ?? "");
    return html`<div class="stmt" data-rule="${j}"><select data-rule-kind="${j}">${kinds.map(k => html`<option ${k === kind ? "selected" : ""}>${k}</option>`)}</select>
      <input type="text" data-rule-value="${j}" data-field="feasibility[${j + 1}].${kind}" value="${v}">
      <button class="secondary" data-rule-del="${j}">✕</button></div>`;
  })}` : html`<p class="note">No rule: every combination of options is feasible.</p>`);
  setHTML($("#f-prefs"), html`${dms().map(renderPrefs)}`);
  if (typeof renderAnalysis === "function") renderAnalysis();
}
function setPath(obj, path, value) {
  const parts = path.split(".");
  let o = obj;
  parts.slice(0, -1).forEach(p => { o = o[isNaN(p) ? p : Number(p)]; });
  const last = parts[parts.length - 1];
  if (last === "description" && value === "") delete o[last]; else o[last] = value;
}
function prefItems(dm) {
  const p = form.preferences[dm];
  return p.prioritization || p.weighted;
}
function setStatement(list, j, text) {
  if (typeof list[j] === "string" || list[j] == null) list[j] = text;
  else list[j].statement = text;
}
function weightValue(w) {
  const m = String(w).match(/^\s*(-?[\d.]+)\s*\/\s*([\d.]+)\s*$/);
  return m ? Number(m[1]) / Number(m[2]) : Number(w);
}
// Another form of preferences for one DM, converted so that little is lost: weights
// 2^(q-t) keep a prioritization's ranking; weights sort into a prioritization; an explicit
// ranking starts from the preview's ranking when the preview shows all of it.
function convertPrefs(dmId, kind) {
  const p = form.preferences[dmId], old = prefKind(p);
  if (old === kind) return;
  const items = p[old] || [];
  let value;
  if (kind === "ranking") {
    const r = lastPreview && lastPreview.rankings.find(x => x.dm === dmId);
    const full = r && r.levels === r.top.length && !r.top.some(l => l.some(s => s.more));
    value = full ? r.top.map(l => l.length === 1 ? l[0].pattern : l.map(s => s.pattern)) : [];
  } else if (old === "ranking") value = [];
  else if (kind === "weighted") {
    value = items.map((it, t) => ({...(typeof it === "string" ? {statement: it} : it), weight: 2 ** (items.length - 1 - t)}));
  } else {
    value = items.map((it, t) => [it, t]).sort((a, b) => (weightValue(b[0].weight ?? 1) - weightValue(a[0].weight ?? 1)) || a[1] - b[1])
      .map(([it]) => { const {weight, ...rest} = it; return Object.keys(rest).length === 1 ? rest.statement : rest; });
  }
  delete p[old];
  p[kind] = value;
}
function renameDm(i, id) {
  const d = dms()[i], old = d.id, others = dms().filter(x => x !== d).map(x => x.id);
  const prefs = form.preferences = form.preferences || {};
  const p = pendingPrefs.has(d) ? pendingPrefs.get(d) : prefs[old];
  pendingPrefs.delete(d);
  if (!others.includes(old)) delete prefs[old];
  d.id = id;
  if (others.includes(id) || p === undefined) { if (p !== undefined) pendingPrefs.set(d, p); }
  else prefs[id] = p;
  if (Array.isArray(form.option_order)) {
    form.option_order = form.option_order.map(r => String(r).startsWith(old + ".") ? id + String(r).slice(old.length) : r);
  }
}
function renameOption(i, k, id) {
  const d = dms()[i], o = d.options[k], old = `${d.id}.${o.id}`;
  o.id = id;
  if (Array.isArray(form.option_order)) form.option_order = form.option_order.map(r => r === old ? `${d.id}.${id}` : r);
}
$("#tab-form").addEventListener("input", ev => {
  const t = ev.target;
  if (t.id === "f-name") form.name = t.value;
  else if (t.id === "f-sq") {
    const v = t.value.trim();
    if (v === "") delete form.status_quo;
    else if (v.startsWith("{")) { try { form.status_quo = JSON.parse(v); } catch (e) { return; } }
    else form.status_quo = v;
  } else if (t.dataset.dmId !== undefined) structural(() => renameDm(Number(t.dataset.dmId), t.value.trim()));
  else if (t.dataset.optId !== undefined) {
    const [i, k] = t.dataset.optId.split(":").map(Number);
    structural(() => renameOption(i, k, t.value.trim()));
  } else if (t.classList.contains("sq")) return;  // handled on change
  else if (t.dataset.path) setPath(form, t.dataset.path, t.value);
  else if (t.classList.contains("statement")) setStatement(prefItems(t.dataset.dm), Number(t.dataset.j), t.value);
  else if (t.classList.contains("weight")) {
    const list = prefItems(t.dataset.dm), j = Number(t.dataset.j);
    if (typeof list[j] === "string") list[j] = {statement: list[j]};
    list[j].weight = isNaN(Number(t.value)) || t.value === "" ? t.value : Number(t.value);
  } else if (t.dataset.ranking) { try { form.preferences[t.dataset.ranking].ranking = JSON.parse(t.value); } catch (e) { return; } }
  else if (t.dataset.ruleValue !== undefined) updateRule(Number(t.dataset.ruleValue));
  else return;
  dirty = true; preview();
});
$("#tab-form").addEventListener("change", ev => {
  const t = ev.target;
  if (t.dataset.ruleKind !== undefined) updateRule(Number(t.dataset.ruleKind));
  else if (t.classList.contains("sq")) {
    const [i, k] = t.dataset.sq.split(":").map(Number), sq = readSq();
    if (!sq) return;
    sq.set(dms()[i].options[k], t.checked); writeSq(sq); $("#f-sq").value = sqText();
  } else if (t.id === "f-sq" || t.dataset.dmId !== undefined || t.dataset.optId !== undefined) {
    // show the text's status quo in the boxes, or the new ids everywhere; after the focus
    // has moved on, so that re-rendering keeps it where the user went
    setTimeout(renderForm);
    return;
  }
  else if (t.dataset.prefKind) { convertPrefs(t.dataset.prefKind, t.value); renderForm(); }
  else if (t.tagName === "SELECT" && t.dataset.path) setPath(form, t.dataset.path, t.value);
  else return;
  dirty = true; preview();
});
function updateRule(j) {
  const kind = $(`[data-rule-kind="${j}"]`).value, v = $(`[data-rule-value="${j}"]`).value;
  const old = form.feasibility[j] || {};
  const rule = {[kind]: ["infeasible", "require"].includes(kind) ? v : v.split(",").map(s => s.trim()).filter(Boolean)};
  if (old.note) rule.note = old.note;
  form.feasibility[j] = rule;
}
function addDm() {
  const id = uniqueId("dm", dms().map(d => d.id));
  const d = {id, name: "", options: []};
  fresh.add(d); dms().push(d);
  form.preferences = form.preferences || {};
  form.preferences[id] = {prioritization: []};
}
function removeDm(i) {
  const d = dms()[i], others = dms().filter(x => x !== d).map(x => x.id);
  if (Array.isArray(form.option_order)) form.option_order = form.option_order.filter(r => !String(r).startsWith(d.id + "."));
  dms().splice(i, 1); pendingPrefs.delete(d);
  if (form.preferences && !others.includes(d.id)) delete form.preferences[d.id];
}
function addOption(i) {
  const d = dms()[i]; d.options = d.options || [];
  const o = {id: uniqueId("option", d.options.map(x => x.id)), label: "", reversibility: "both"};
  fresh.add(o); d.options.push(o);
  if (Array.isArray(form.option_order)) form.option_order.push(`${d.id}.${o.id}`);
}
function removeOption(i, k) {
  const d = dms()[i], ref = `${d.id}.${d.options[k].id}`;
  if (Array.isArray(form.option_order)) form.option_order = form.option_order.filter(r => r !== ref);
  d.options.splice(k, 1);
}
$("#tab-form").addEventListener("click", ev => {
  const b = ev.target.closest("button"); if (!b || b.id === "form-save") return;
  if (b.id === "f-add-rule") { form.feasibility = form.feasibility || []; form.feasibility.push({infeasible: ""}); }
  else if (b.id === "f-add-dm") structural(addDm);
  else if (b.id === "f-sq-clear") delete form.status_quo;
  else if (b.id === "f-sq-fix") form.status_quo = b.dataset.pattern;
  else if (b.dataset.dmDel !== undefined) structural(() => removeDm(Number(b.dataset.dmDel)));
  else if (b.dataset.optAdd !== undefined) structural(() => addOption(Number(b.dataset.optAdd)));
  else if (b.dataset.optDel !== undefined) { const [i, k] = b.dataset.optDel.split(":").map(Number); structural(() => removeOption(i, k)); }
  else if (b.dataset.ruleDel !== undefined) { form.feasibility.splice(Number(b.dataset.ruleDel), 1); if (!form.feasibility.length) delete form.feasibility; }
  else if (b.dataset.add) { const l = prefItems(b.dataset.add); l.push(form.preferences[b.dataset.add].weighted ? {statement: "", weight: 1} : ""); }
  else if (b.dataset.del) { const [dm, j] = b.dataset.del.split(":"); prefItems(dm).splice(Number(j), 1); }
  else if (b.dataset.up) { const [dm, j] = b.dataset.up.split(":"); const l = prefItems(dm), k = Number(j); if (k > 0) [l[k - 1], l[k]] = [l[k], l[k - 1]]; }
  else return;
  dirty = true; renderForm(); preview();
});
// Errors of the form are shown at the field: the closest input (or group) is outlined and
// the message is written right after it; the box under the form repeats it without any
// YAML line or column (the form's user never sees the YAML).
function markField(field, message) {
  $$(".field-error").forEach(e => e.classList.remove("field-error"));
  $$(".field-msg").forEach(e => e.remove());
  if (!field) return null;
  // the error's field may be deeper than an input (e.g. "...prioritization[2]" + text)
  let best = null;
  $$("[data-field]").forEach(el => { if (field.startsWith(el.dataset.field) && (!best || el.dataset.field.length > best.dataset.field.length)) best = el; });
  if (best) {
    best.classList.add("field-error");
    if (message) {
      const m = document.createElement("div");
      m.className = "field-msg error"; m.textContent = message;
      const cell = ["TABLE", "DIV"].includes(best.tagName) ? null : best.closest("td");
      if (cell) cell.append(m); else best.after(m);
    }
  }
  return best;
}
function formError(d) {
  const where = d.field ? html`<span class="note">(at ${d.field.replace(/\[(\d+)\]/g, " $1").replace(/\./g, " › ")})</span> ` : "";
  return html`<div class="error">${where}${d.message || "invalid"}</div>`;
}
// the analysis form creates empty containers as it renders: never send those
const tidy = () => { if (typeof tidyAnalysis === "function") tidyAnalysis(); };
const preview = debounce(async () => {
  const fix = $("#f-sq-fix"); if (fix) fix.remove();
  tidy();
  try {
    const p = await api("POST", "/api/preview", {data: form});
    if (!p.ok) {
      lastPreview = null; setHTML($("#preview"), formError(p.error)); markField(p.error.field, p.error.message);
      if (p.suggest_status_quo) {
        appendHTML($("#f-sq-note"), html`<button class="secondary" id="f-sq-fix" data-pattern="${p.suggest_status_quo}">Use ${p.suggest_status_quo} (the first feasible state)</button>`);
      }
      return;
    }
    lastPreview = p; markField(null);
    setHTML($("#preview"), html`<p>${p.n_states} feasible states; option order ${p.option_order.join(", ")}.</p>${
      p.rankings.map(r => html`<div class="dm" data-preview-dm="${r.dm}"><b>${r.name}</b> <span class="note">(${r.levels} level${r.levels === 1 ? "" : "s"}, best first${r.top.length < r.levels ? `; showing the first ${r.top.length} of ${r.levels} levels` : ""}${r.top.some(l => l.some(s => s.more)) ? "; long levels cut, with the number of states left out" : ""})</span><ol>${
        r.top.map(level => html`<li>${joinHtml(level.map(s => s.more ? `+${s.more} more` : html`${s.id} <span class="note">${s.pattern}</span>`), " = ")}</li>`)}</ol></div>`)}`);
  } catch (e) { setHTML($("#preview"), errorBox(e)); }
}, 250);

function showConflict(e, keep) {
  const box = $("#conflict");
  box.hidden = false;
  setHTML(box, html`<b>Not saved: conflict.</b> ${e.detail.message || e.message} Your edits are still here.
    <button id="load-latest" class="secondary">Load version ${e.detail.current_version} (discard my edits)</button>
    <button id="copy-mine" class="secondary">Save my text as a new version on top</button>`);
  $("#load-latest").onclick = async () => { box.hidden = true; await load(); };
  $("#copy-mine").onclick = async () => { box.hidden = true; current.version = e.detail.current_version; await keep(); };
}
async function saved(s) {
  // Fetch the stored text first and announce the save last, so that whoever sees
  // "Saved as version N" (a user or a test) also sees version N's text.
  const sc = await api("GET", `/api/scenarios/${SID}`);
  current = {version: s.version, text: sc.text};
  $("#yaml").value = sc.text; dirtyYaml = false; dirty = false;
  $("#version").textContent = s.version; $("#title").textContent = s.name;
  setHTML($("#save-status"), html`<p class="ok">Saved as version ${s.version}.</p>`);
}
async function saveForm() {
  $("#form-error").textContent = ""; $("#save-status").textContent = "";
  tidy();
  try {
    const s = await api("PUT", `/api/scenarios/${SID}/form`, {data: form, base_version: current.version});
    fresh = new WeakSet(); renderForm();  // saved ids are no longer edited here
    await saved(s);
  } catch (e) {
    if (e.status === 409) showConflict(e, saveForm);
    else { setHTML($("#form-error"), formError({...e.detail, message: e.detail.message || e.message})); markField(e.detail.field, e.detail.message); }
  }
}
$("#form-save").addEventListener("click", saveForm);

// ------------------------------------------------------------------ yaml
function yamlError(err) {
  if (!err) { $("#yaml-error").textContent = ""; return; }
  const lines = $("#yaml").value.split("\n");
  const ctx = err.line ? html`<pre class="lines">${err.line}: ${lines[err.line - 1] ?? ""}\n${" ".repeat(String(err.line).length + 2 + Math.max(0, (err.column || 1) - 1))}^</pre>` : "";
  setHTML($("#yaml-error"), html`<div class="error" data-line="${err.line ?? ""}">${errorText({detail: err})}${ctx}</div>`);
}
const checkYaml = debounce(async () => {
  const r = await api("POST", "/api/validate", {text: $("#yaml").value});
  yamlError(r.ok ? null : r.error);
  $("#yaml-check").textContent = r.ok ? `ok: ${r.n_dms} DMs, ${r.n_options} options, ${r.n_states} states` : "";
}, 300);
$("#yaml").addEventListener("input", () => { dirtyYaml = true; checkYaml(); });
async function saveYaml() {
  $("#save-status").textContent = "";
  try {
    await saved(await api("PUT", `/api/scenarios/${SID}`, {text: $("#yaml").value, base_version: current.version}));
    yamlError(null); await reloadForm();
  } catch (e) {
    if (e.status === 409) showConflict(e, saveYaml); else yamlError(e.detail);
  }
}
$("#yaml-save").addEventListener("click", saveYaml);

// --------------------------------------------------------------- history
async function loadHistory() {
  const vs = await api("GET", `/api/scenarios/${SID}/versions`);
  setHTML($("#history tbody"), html`${vs.map(v => html`<tr><td>${v.number}</td><td>${when(v.created_at)}</td><td>${v.message}</td>
    <td><button class="secondary" data-view="${v.number}">View</button> ${v.number !== current.version ? html`<button data-revert="${v.number}">Revert to this</button>` : "(current)"}</td></tr>`)}`);
  const opts = sel => html`${vs.map(v => html`<option value="${v.number}" ${v.number === sel ? "selected" : ""}>${v.number}${v.message ? " · " + v.message : ""}</option>`)}`;
  setHTML($("#diff-a"), opts(vs.length > 1 ? vs[1].number : vs[0].number));
  setHTML($("#diff-b"), opts(vs[0].number));
}
$("#diff-show").addEventListener("click", async () => {
  try {
    const d = await api("GET", `/api/scenarios/${SID}/diff?a=${$("#diff-a").value}&b=${$("#diff-b").value}`);
    const cls = {"+": "diff-add", "-": "diff-del", "@": "diff-hunk", " ": ""};
    setHTML($("#diff"), d.lines.length ? html`<p class="note">Version ${d.a} → version ${d.b}: ${d.lines.filter(l => l.kind === "-").length} lines removed, ${d.lines.filter(l => l.kind === "+").length} added${d.truncated ? " (first 4,000 diff lines)" : ""}.</p>
      <pre class="diff">${d.lines.map(l => html`<span class="${cls[l.kind]}">${l.kind === "@" ? l.text : l.kind + " " + l.text}</span>\n`)}</pre>`
      : html`<p class="note">Versions ${d.a} and ${d.b} have the same text.</p>`);
  } catch (e) { setHTML($("#diff"), errorBox(e)); }
});
$("#history").addEventListener("click", async ev => {
  const b = ev.target.closest("button"); if (!b) return;
  if (b.dataset.view) $("#history-text").textContent = (await api("GET", `/api/scenarios/${SID}/versions/${b.dataset.view}`)).text;
  if (b.dataset.revert) {
    try { await saved(await api("POST", `/api/scenarios/${SID}/versions/${b.dataset.revert}/revert`, {base_version: current.version})); await reloadForm(); }
    catch (e) { if (e.status === 409) showConflict(e, load); else setHTML($("#save-status"), errorBox(e)); }
    loadHistory();
  }
});

// -------------------------------------------------------------- analyses
let polling = null;
async function loadJobs() {
  const jobs = await api("GET", `/api/scenarios/${SID}/analyses`);
  setHTML($("#jobs tbody"), jobRows(jobs, "error"));
  const active = jobs.some(j => ["queued", "running"].includes(j.status));
  clearTimeout(polling);
  if (active) polling = setTimeout(loadJobs, 700);
}
async function start(kind) {
  $("#job-error").textContent = "";
  try { await api("POST", `/api/scenarios/${SID}/${kind}`, {}); } catch (e) { setHTML($("#job-error"), errorBox(e)); }
  loadJobs();
}
$("#run-analysis").addEventListener("click", () => start("analyses"));
$("#run-report").addEventListener("click", () => start("reports"));
jobActions(loadJobs, "#job-error");  // Cancel / Run again (jobs.js)
window.addEventListener("beforeunload", ev => { if (dirty || dirtyYaml) { ev.preventDefault(); ev.returnValue = ""; } });
load().then(() => { if (location.hash === "#analyses") showTab("analyses"); })
  .catch(e => setHTML($("#save-status"), errorBox(e)));
