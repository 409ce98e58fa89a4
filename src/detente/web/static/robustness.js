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
  $("#s-variant").innerHTML = `<option value="">(base model)</option>` + info.variants.map(v => `<option value="${esc(v)}">${esc(v)}</option>`).join("");
  $("#s-variant").value = f.variant || "";
  const on = Object.fromEntries(f.statements.map(s => [s.dm, s]));
  $("#s-dms tbody").innerHTML = info.dms.map(d => d.statements
    ? `<tr data-dm="${esc(d.id)}"><td>${esc(d.name)} <span class="note">(${d.statements.length} statements)</span></td>
       <td><input type="checkbox" class="swap" ${on[d.id] && on[d.id].swap ? "checked" : ""}></td><td><input type="checkbox" class="drop" ${on[d.id] && on[d.id].drop ? "checked" : ""}></td></tr>`
    : `<tr><td>${esc(d.name)}</td><td colspan="2" class="note">ranked explicitly: no statements to change</td></tr>`).join("");
  $("#s-mode").value = f.mode; $("#s-samples").value = f.samples; $("#s-seed").value = f.seed;
  $("#s-concepts").innerHTML = info.concepts.map(c => `<label><input type="checkbox" value="${esc(c)}" ${f.concepts.includes(c) ? "checked" : ""}> ${esc(c)}</label> `).join("");
}
function showError(el, e) {
  el.innerHTML = `<div class="error" ${e.detail && e.detail.line ? `data-line="${e.detail.line}"` : ""}>${esc(errorText(e))}</div>`;
}
async function check() {
  $("#spec-error").innerHTML = "";
  try {
    const r = await api("POST", `/api/scenarios/${SID}/sweeps/check`, {spec: $("#spec").value});
    if (r.ok) {
      $("#spec-check").innerHTML = `<span class="ok">${r.n_variants.toLocaleString()} variants (${r.exhaustive ? "every variant" : "random samples"}) over ${r.factors.length} factor${r.factors.length === 1 ? "" : "s"}</span>; this server runs at most ${info.max_variants.toLocaleString()} per job.`;
    } else {
      $("#spec-check").innerHTML = "";
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
  $("#spec-error").innerHTML = "";
  $("#start-sweep").disabled = true;
  try {
    const job = await api("POST", `/api/scenarios/${SID}/sweeps`, {spec: $("#spec").value});
    $("#spec-check").innerHTML = `Sweep job ${job.id} started. <a href="/jobs/${job.id}">Follow it</a>`;
  } catch (e) { showError($("#spec-error"), e); }
  $("#start-sweep").disabled = false;
  renderJobs($("#sweep-jobs"), SID);
});
jobActions(() => renderJobs($("#sweep-jobs"), SID));
load().catch(e => showError($("#spec-error"), e));
