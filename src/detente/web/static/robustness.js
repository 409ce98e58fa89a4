// The robustness page: a sweep form that writes a sweep spec, live checks, start, jobs.
"use strict";
const SID = Number(location.pathname.split("/")[2]);
let info = null;

function formValues() {
  return {
    name: $("#s-name").value, variant: $("#s-variant").value || null,
    seed: Number($("#s-seed").value || 0), samples: Math.max(1, Number($("#s-samples").value || 1)),
    mode: $("#s-mode").value,
    concepts: $$("#s-concepts input:checked").map(i => i.value),
    statements: $$("#s-dms tbody tr[data-dm]").map(tr => ({dm: tr.dataset.dm, swap: $(".swap", tr).checked, drop: $(".drop", tr).checked})),
  };
}
function fillForm(f) {
  $("#s-name").value = f.name;
  setHTML($("#s-variant"), html`<option value="">(base model)</option>${info.variants.map(v => html`<option value="${v}">${v}</option>`)}`);
  $("#s-variant").value = f.variant || "";
  const on = Object.fromEntries(f.statements.map(s => [s.dm, s]));
  setHTML($("#s-dms tbody"), html`${info.dms.map(d => d.statements
    ? html`<tr data-dm="${d.id}"><td>${d.name} <span class="note">(${d.statements.length} statements)</span></td>
       <td><input type="checkbox" class="swap" ${on[d.id] && on[d.id].swap ? "checked" : ""}></td><td><input type="checkbox" class="drop" ${on[d.id] && on[d.id].drop ? "checked" : ""}></td></tr>`
    : html`<tr><td>${d.name}</td><td colspan="2" class="note">ranked explicitly: no statements to change</td></tr>`)}`);
  $("#s-mode").value = f.mode; $("#s-samples").value = f.samples; $("#s-seed").value = f.seed;
  setHTML($("#s-concepts"), html`${info.concepts.map(c => html`<label><input type="checkbox" value="${c}" ${f.concepts.includes(c) ? "checked" : ""}> ${c}</label> `)}`);
}
function showError(el, e) {
  setHTML(el, html`<div class="error" data-line="${(e.detail && e.detail.line) || ""}">${errorText(e)}</div>`);
}
async function check() {
  $("#spec-error").textContent = "";
  try {
    const r = await api("POST", `/api/scenarios/${SID}/sweeps/check`, {spec: $("#spec").value});
    if (r.ok) {
      setHTML($("#spec-check"), html`<span class="ok">${r.n_variants.toLocaleString()} variants (${r.exhaustive ? "every variant" : "random samples"}) over ${r.factors.length} factor${r.factors.length === 1 ? "" : "s"}</span>; this server runs at most ${info.max_variants.toLocaleString()} per job.`);
    } else {
      $("#spec-check").textContent = "";
      showError($("#spec-error"), new ApiError(r.status, r.error));
    }
  } catch (e) { showError($("#spec-error"), e); }
}
const checkSoon = debounce(check, 300);
async function fromForm() {
  try { $("#spec").value = (await api("POST", "/api/sweep-spec", formValues())).text; checkSoon(); }
  catch (e) { showError($("#spec-error"), e); }
}
async function load() {
  info = await api("GET", `/api/scenarios/${SID}/sweep-form`);
  $("#back").href = `/scenarios/${SID}#analyses`;
  $("#version").textContent = info.version;
  const s = await api("GET", `/api/scenarios/${SID}`);
  $("#title").textContent = `Robustness sweep: ${s.name}`;
  fillForm(info.form);
  $("#spec").value = info.spec;
  check();
  renderJobs($("#sweep-jobs"), SID);
}
$("#sweep-form").addEventListener("change", fromForm);
$("#spec").addEventListener("input", checkSoon);
$("#start-sweep").addEventListener("click", async () => {
  $("#spec-error").textContent = "";
  $("#start-sweep").disabled = true;
  try {
    const job = await api("POST", `/api/scenarios/${SID}/sweeps`, {spec: $("#spec").value});
    setHTML($("#spec-check"), html`Sweep job ${job.id} started. <a href="/jobs/${job.id}">Follow it</a>`);
  } catch (e) { showError($("#spec-error"), e); }
  $("#start-sweep").disabled = false;
  renderJobs($("#sweep-jobs"), SID);
});
jobActions(() => renderJobs($("#sweep-jobs"), SID), "#spec-error");
load().catch(e => showError($("#spec-error"), e));
