// A sweep job: progress with Cancel, then the robust equilibria and sensitivity per concept.
"use strict";
const JID = Number(location.pathname.split("/").pop());
let job = null, doc = null;
const pct = p => p === null || p === undefined ? "—" : (100 * p).toFixed(1) + "%";

async function poll() {
  job = await api("GET", `/api/jobs/${JID}`);
  $("#back").href = `/scenarios/${job.scenario_id}/robustness`;
  if (job.params && job.params.spec) $("#spec").textContent = job.params.spec;
  if (["queued", "running"].includes(job.status)) {
    setHTML($("#status"), html`<p>${job.status} ${progressBar(job.progress)} <span class="note">${job.stage}</span>
      <button class="danger" id="cancel">Cancel</button></p>`);
    setTimeout(poll, 600); return;
  }
  if (job.status !== "done") {
    setHTML($("#status"), html`<div class="error">Job ${job.status}: ${job.error || ""}</div>
      ${["failed", "interrupted", "cancelled"].includes(job.status) ? html`<p><button class="secondary" id="rerun">Run again</button> <span class="note">A sweep run again on the same version resumes: stored variants are not computed twice.</span></p>` : ""}`);
    return;
  }
  const body = await api("GET", `/api/jobs/${JID}/sweep`);
  doc = body.result;
  $("#title").textContent = `Robustness: ${doc.name}`;
  const run = body.run;
  setHTML($("#status"), html`<p class="note">Scenario version ${job.version}${doc.variant ? `, variant ${doc.variant}` : ""}; finished ${when(job.finished_at)} (${run.computed.toLocaleString()} variants computed in ${run.seconds.toFixed(1)} s${run.already_done ? `, ${run.already_done.toLocaleString()} already stored` : ""}).</p>`);
  setHTML($("#summary"), html`${doc.n_variants.toLocaleString()} variants (${run.exhaustive ? "every variant of the space" : "random samples"}) over ${doc.factors.length} factor${doc.factors.length === 1 ? "" : "s"}. A state's probability is the share of variants in which it is an equilibrium; “reachable” is the share in which it can be reached from the status quo by unilateral improvements.${
    doc.target ? html` Target <code>${doc.target.pattern}</code>${doc.target.state ? ` (state ${doc.target.state})` : ""}.` : ""}`);
  $("#export").href = `/api/jobs/${JID}/sweep/export.zip`;
  setHTML($("#concept"), html`${doc.concepts.map(b => html`<option value="${b.concept}" ${b.concept === "seq" ? "selected" : ""}>${b.concept.toUpperCase()}</option>`)}`);
  $("#results").hidden = false;
  render();
}
function render() {
  const c = $("#concept").value, b = doc.concepts.find(x => x.concept === c);
  $("#fig-robust").src = `/api/jobs/${JID}/sweep/figures/robust?concept=${encodeURIComponent(c)}`;
  setHTML($("#top"), html`<table id="top-table"><tr><th>state</th><th>pattern</th><th>P(${c.toUpperCase()} equilibrium)</th><th>P(reachable)</th></tr>${
    b.top.map(r => html`<tr><td>${r.state ?? "—"}</td><td><code>${r.pattern}</code></td><td>${pct(r.p_equilibrium)}</td><td>${pct(r.p_reach)}</td></tr>`)}</table>${
    b.top.length ? "" : html`<p class="note">No state is a ${c} equilibrium in any variant.</p>`}`);
  const f = b.focus;
  if (f && b.sensitivity.length) {
    setHTML($("#sens-note"), html`How the chance that <code>${f.pattern}</code>${f.state ? ` (state ${f.state})` : ""} is a ${c.toUpperCase()} equilibrium (${pct(f.p[c])}) changes with each change to the model (${b.focus_reason}).`);
    $("#fig-sensitivity").src = `/api/jobs/${JID}/sweep/figures/sensitivity?concept=${encodeURIComponent(c)}`;
    $("#fig-sensitivity").hidden = false;
    setHTML($("#sens"), html`<table id="sens-table"><tr><th>change</th><th>effect</th><th>P with</th><th>P without</th><th>variants with</th></tr>${
      b.sensitivity.map(e => html`<tr><td>${e.level}</td><td>${(e.effect >= 0 ? "+" : "") + (100 * e.effect).toFixed(1)} pts</td><td>${pct(e.p_with)}</td><td>${pct(e.p_without)}</td><td>${e.n_with}</td></tr>`)}</table>`);
  } else {
    $("#fig-sensitivity").hidden = true; $("#fig-sensitivity").removeAttribute("src");
    $("#sens").textContent = "";
    $("#sens-note").textContent = f ? `No change to the model moves the ${c.toUpperCase()} answer for ${f.pattern}.` : "No state to explain.";
  }
}
$("#concept").addEventListener("change", render);
document.addEventListener("click", async ev => {
  const id = ev.target.id;
  if (id !== "cancel" && id !== "rerun") return;
  ev.target.disabled = true;
  try {
    if (id === "cancel") { await api("POST", `/api/jobs/${JID}/cancel`); }
    else { const j = await api("POST", `/api/jobs/${JID}/rerun`); location.href = `/jobs/${j.id}`; return; }
  } catch (e) { appendHTML($("#status"), errorBox(e)); }
});
poll().catch(e => setHTML($("#status"), errorBox(e)));
