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
function optRefs() {
  const out = [];
  (form.decision_makers || []).forEach(d => (d.options || []).forEach(o => out.push(`${d.id}.${o.id}`)));
  return out;
}
function stmtText(item) { return typeof item === "string" ? item : (item && item.statement) || ""; }
function renderForm() {
  $("#f-name").value = form.name || "";
  $("#f-sq").value = typeof form.status_quo === "string" ? form.status_quo : JSON.stringify(form.status_quo ?? "");
  $("#f-dms").innerHTML = (form.decision_makers || []).map((d, i) => `<div class="dm">
    <label>Name <input type="text" data-path="decision_makers.${i}.name" data-field="decision_makers[${i + 1}].name" value="${esc(d.name || "")}" size="30"></label> <code>${esc(d.id)}</code>
    <table><tr><th>option</th><th>label</th><th>reversibility</th></tr>
    ${(d.options || []).map((o, k) => `<tr><td><code>${esc(d.id)}.${esc(o.id)}</code></td>
      <td><input type="text" size="45" data-path="decision_makers.${i}.options.${k}.label" data-field="decision_makers[${i + 1}].options[${k + 1}].label" value="${esc(o.label || "")}"></td>
      <td><select data-path="decision_makers.${i}.options.${k}.reversibility" data-field="decision_makers[${i + 1}].options[${k + 1}].reversibility">
        ${["both", "up", "down"].map(r => `<option ${(o.reversibility || "both") === r ? "selected" : ""}>${r}</option>`).join("")}</select></td></tr>`).join("")}
    </table></div>`).join("");
  const rules = form.feasibility || [];
  const kinds = ["at_most_one", "exactly_one", "at_least_one", "infeasible", "require"];
  $("#f-feas").innerHTML = rules.length ? rules.map((r, j) => {
    const kind = kinds.find(k => k in r) || "infeasible";
    const v = Array.isArray(r[kind]) ? r[kind].join(", ") : (r[kind] ?? "");
    return `<div class="stmt" data-rule="${j}"><select data-rule-kind="${j}">${kinds.map(k => `<option ${k === kind ? "selected" : ""}>${k}</option>`).join("")}</select>
      <input type="text" data-rule-value="${j}" data-field="feasibility[${j + 1}].${kind}" value="${esc(v)}">
      <button class="secondary" data-rule-del="${j}">✕</button></div>`;
  }).join("") : `<p class="note">No rule: every combination of options is feasible.</p>`;
  $("#f-prefs").innerHTML = (form.decision_makers || []).map(d => {
    const p = (form.preferences || {})[d.id] || {prioritization: []};
    const kind = "weighted" in p ? "weighted" : ("ranking" in p ? "ranking" : "prioritization");
    if (kind === "ranking") return `<div class="dm"><b>${esc(d.name || d.id)}</b>: explicit ranking <input type="text" size="50" data-ranking="${esc(d.id)}" data-field="preferences.${esc(d.id)}.ranking" value="${esc(JSON.stringify(p.ranking))}"></div>`;
    const items = p[kind] || [];
    return `<div class="dm" data-dm="${esc(d.id)}" data-kind="${kind}"><b>${esc(d.name || d.id)}</b> <span class="note">(${kind})</span>
      ${items.map((it, j) => `<div class="stmt"><span class="note">${j + 1}.</span>
        <input type="text" class="statement" data-dm="${esc(d.id)}" data-j="${j}" data-field="preferences.${esc(d.id)}.${kind}[${j + 1}]" value="${esc(stmtText(it))}">
        ${kind === "weighted" ? `<input type="text" size="5" class="weight" data-dm="${esc(d.id)}" data-j="${j}" value="${esc(it.weight ?? 1)}">` : ""}
        <button class="secondary" data-up="${esc(d.id)}:${j}" title="Move up">↑</button>
        <button class="secondary" data-del="${esc(d.id)}:${j}" title="Remove">✕</button></div>`).join("")}
      <button class="secondary" data-add="${esc(d.id)}">Add statement</button></div>`;
  }).join("");
}
function setPath(obj, path, value) {
  const parts = path.split(".");
  let o = obj;
  parts.slice(0, -1).forEach(p => { o = o[isNaN(p) ? p : Number(p)]; });
  o[parts[parts.length - 1]] = value;
}
function prefItems(dm) {
  const p = form.preferences[dm];
  return p.prioritization || p.weighted;
}
function setStatement(list, j, text) {
  if (typeof list[j] === "string" || list[j] == null) list[j] = text;
  else list[j].statement = text;
}
$("#tab-form").addEventListener("input", ev => {
  const t = ev.target;
  if (t.id === "f-name") form.name = t.value;
  else if (t.id === "f-sq") form.status_quo = t.value;
  else if (t.dataset.path) setPath(form, t.dataset.path, t.value);
  else if (t.classList.contains("statement")) setStatement(prefItems(t.dataset.dm), Number(t.dataset.j), t.value);
  else if (t.classList.contains("weight")) {
    const list = prefItems(t.dataset.dm), j = Number(t.dataset.j);
    if (typeof list[j] === "string") list[j] = {statement: list[j]};
    list[j].weight = isNaN(Number(t.value)) || t.value === "" ? t.value : Number(t.value);
  } else if (t.dataset.ranking) { try { form.preferences[t.dataset.ranking].ranking = JSON.parse(t.value); } catch (e) { /* wait */ } }
  else if (t.dataset.ruleValue !== undefined) updateRule(Number(t.dataset.ruleValue));
  dirty = true; preview();
});
$("#tab-form").addEventListener("change", ev => {
  const t = ev.target;
  if (t.dataset.ruleKind !== undefined) { updateRule(Number(t.dataset.ruleKind)); dirty = true; preview(); }
  else if (t.tagName === "SELECT" && t.dataset.path) { setPath(form, t.dataset.path, t.value); dirty = true; preview(); }
});
function updateRule(j) {
  const kind = $(`[data-rule-kind="${j}"]`).value, v = $(`[data-rule-value="${j}"]`).value;
  const old = form.feasibility[j] || {};
  const rule = {[kind]: ["infeasible", "require"].includes(kind) ? v : v.split(",").map(s => s.trim()).filter(Boolean)};
  if (old.note) rule.note = old.note;
  form.feasibility[j] = rule;
}
$("#tab-form").addEventListener("click", ev => {
  const b = ev.target.closest("button"); if (!b || b.id === "form-save") return;
  if (b.id === "f-add-rule") { form.feasibility = form.feasibility || []; form.feasibility.push({infeasible: ""}); }
  else if (b.dataset.ruleDel !== undefined) { form.feasibility.splice(Number(b.dataset.ruleDel), 1); if (!form.feasibility.length) delete form.feasibility; }
  else if (b.dataset.add) { const l = prefItems(b.dataset.add); l.push(form.preferences[b.dataset.add].weighted ? {statement: "", weight: 1} : ""); }
  else if (b.dataset.del) { const [dm, j] = b.dataset.del.split(":"); prefItems(dm).splice(Number(j), 1); }
  else if (b.dataset.up) { const [dm, j] = b.dataset.up.split(":"); const l = prefItems(dm), k = Number(j); if (k > 0) [l[k - 1], l[k]] = [l[k], l[k - 1]]; }
  else return;
  dirty = true; renderForm(); preview();
});
function markField(field) {
  $$(".field-error").forEach(e => e.classList.remove("field-error"));
  if (!field) return null;
  // the error's field may be deeper than an input (e.g. "...prioritization[2]" + text)
  let best = null;
  $$("[data-field]").forEach(el => { if (field.startsWith(el.dataset.field) && (!best || el.dataset.field.length > best.dataset.field.length)) best = el; });
  if (best) best.classList.add("field-error");
  return best;
}
const preview = debounce(async () => {
  try {
    const p = await api("POST", "/api/preview", {data: form});
    if (!p.ok) { $("#preview").innerHTML = `<div class="error">${esc(errorText({detail: p.error}))}</div>`; markField(p.error.field); return; }
    markField(null);
    $("#preview").innerHTML = `<p>${p.n_states} feasible states; option order ${esc(p.option_order.join(", "))}.</p>` +
      p.rankings.map(r => `<div class="dm" data-preview-dm="${esc(r.dm)}"><b>${esc(r.name)}</b> <span class="note">(${r.levels} levels, best first)</span><ol>` +
        r.top.map(level => `<li>${level.map(s => s.more ? `+${s.more} more` : `${s.id} <span class="note">${esc(s.pattern)}</span>`).join(" = ")}</li>`).join("") + "</ol></div>").join("");
  } catch (e) { $("#preview").innerHTML = `<div class="error">${esc(errorText(e))}</div>`; }
}, 250);

function showConflict(e, keep) {
  const box = $("#conflict");
  box.hidden = false;
  box.innerHTML = `<b>Not saved: conflict.</b> ${esc(e.detail.message || e.message)} Your edits are still here. ` +
    `<button id="load-latest" class="secondary">Load version ${e.detail.current_version} (discard my edits)</button> ` +
    `<button id="copy-mine" class="secondary">Save my text as a new version on top</button>`;
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
  $("#save-status").innerHTML = `<p class="ok">Saved as version ${s.version}.</p>`;
}
async function saveForm() {
  $("#form-error").innerHTML = ""; $("#save-status").innerHTML = "";
  try {
    await saved(await api("PUT", `/api/scenarios/${SID}/form`, {data: form, base_version: current.version}));
  } catch (e) {
    if (e.status === 409) showConflict(e, saveForm);
    else { $("#form-error").innerHTML = `<div class="error">${esc(errorText(e))}</div>`; markField(e.detail.field); }
  }
}
$("#form-save").addEventListener("click", saveForm);

// ------------------------------------------------------------------ yaml
function yamlError(err) {
  if (!err) { $("#yaml-error").innerHTML = ""; return; }
  const lines = $("#yaml").value.split("\n");
  const ctx = err.line ? `<pre class="lines">${err.line}: ${esc(lines[err.line - 1] ?? "")}\n${" ".repeat(String(err.line).length + 2 + Math.max(0, (err.column || 1) - 1))}^</pre>` : "";
  $("#yaml-error").innerHTML = `<div class="error" data-line="${err.line ?? ""}">${esc(errorText({detail: err}))}${ctx}</div>`;
}
const checkYaml = debounce(async () => {
  const r = await api("POST", "/api/validate", {text: $("#yaml").value});
  yamlError(r.ok ? null : r.error);
  $("#yaml-check").textContent = r.ok ? `ok: ${r.n_dms} DMs, ${r.n_options} options, ${r.n_states} states` : "";
}, 300);
$("#yaml").addEventListener("input", () => { dirtyYaml = true; checkYaml(); });
async function saveYaml() {
  $("#save-status").innerHTML = "";
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
  $("#history tbody").innerHTML = vs.map(v => `<tr><td>${v.number}</td><td>${esc(when(v.created_at))}</td><td>${esc(v.message)}</td>
    <td><button class="secondary" data-view="${v.number}">View</button> ${v.number !== current.version ? `<button data-revert="${v.number}">Revert to this</button>` : "(current)"}</td></tr>`).join("");
}
$("#history").addEventListener("click", async ev => {
  const b = ev.target.closest("button"); if (!b) return;
  if (b.dataset.view) $("#history-text").textContent = (await api("GET", `/api/scenarios/${SID}/versions/${b.dataset.view}`)).text;
  if (b.dataset.revert) {
    try { await saved(await api("POST", `/api/scenarios/${SID}/versions/${b.dataset.revert}/revert`, {base_version: current.version})); await reloadForm(); }
    catch (e) { if (e.status === 409) showConflict(e, load); else alert(errorText(e)); }
    loadHistory();
  }
});

// -------------------------------------------------------------- analyses
let polling = null;
async function loadJobs() {
  const jobs = await api("GET", `/api/scenarios/${SID}/analyses`);
  $("#jobs tbody").innerHTML = jobs.map(j => `<tr data-job="${j.id}" data-status="${j.status}"><td>${j.id}</td><td>${j.kind}</td><td>${j.version}</td>
    <td>${esc(j.status)}${j.error ? `<div class="error">${esc(j.error)}</div>` : ""}</td><td>${progressBar(j.progress)} <span class="note">${esc(j.stage)}</span></td>
    <td>${j.status === "done" ? (j.kind === "report" ? `<a class="button" href="/api/jobs/${j.id}/report.html">Download report</a>` : `<a class="button" href="/jobs/${j.id}">Open results</a>`) : ""}
    ${["failed", "interrupted"].includes(j.status) ? `<button class="secondary" data-rerun="${j.id}">Run again</button>` : ""}</td></tr>`).join("");
  const active = jobs.some(j => ["queued", "running"].includes(j.status));
  clearTimeout(polling);
  if (active) polling = setTimeout(loadJobs, 700);
}
async function start(kind) {
  $("#job-error").innerHTML = "";
  try { await api("POST", `/api/scenarios/${SID}/${kind}`, {}); } catch (e) { $("#job-error").innerHTML = `<div class="error">${esc(errorText(e))}</div>`; }
  loadJobs();
}
$("#run-analysis").addEventListener("click", () => start("analyses"));
$("#run-report").addEventListener("click", () => start("reports"));
$("#jobs").addEventListener("click", async ev => {
  const b = ev.target.closest("button[data-rerun]"); if (!b) return;
  await api("POST", `/api/jobs/${b.dataset.rerun}/rerun`); loadJobs();
});
window.addEventListener("beforeunload", ev => { if (dirty || dirtyYaml) { ev.preventDefault(); ev.returnValue = ""; } });
load().then(() => { if (location.hash === "#analyses") showTab("analyses"); })
  .catch(e => { $("#save-status").innerHTML = `<div class="error">${esc(errorText(e))}</div>`; });
