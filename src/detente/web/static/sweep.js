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
    doc.target ? html` Target <code>${doc.target.pattern}</code>${doc.target.state ? ` (state ${doc.target.state})` : ""}${doc.target.label ? `: ${doc.target.label}` : ""}.` : ""}`);
  $("#export").href = `/api/jobs/${JID}/sweep/export.zip`;
  setHTML($("#concept"), html`${doc.concepts.map(b => html`<option value="${b.concept}" ${b.concept === "seq" ? "selected" : ""}>${b.concept.toUpperCase()}</option>`)}`);
  $("#results").hidden = false;
  render();
}
function render() {
  const c = $("#concept").value, b = doc.concepts.find(x => x.concept === c);
  $("#fig-robust").src = `/api/jobs/${JID}/sweep/figures/robust?concept=${encodeURIComponent(c)}`;
  // a chart as a table: full labels that wrap, a bar (meter) per probability
  const bar = p => p == null ? "" : html`<meter min="0" max="1" value="${p}"></meter> `;
  setHTML($("#top"), html`<table id="top-table"><tr><th>state</th><th>pattern</th><th>what differs from the status quo</th><th>P(${c.toUpperCase()} equilibrium)</th><th>P(reachable)</th></tr>${
    b.top.map(r => html`<tr><td>${r.state ?? "—"}</td><td><code>${r.pattern}</code></td><td class="label-cell">${r.label || ""}</td><td>${bar(r.p_equilibrium)}${pct(r.p_equilibrium)}</td><td>${bar(r.p_reach)}${pct(r.p_reach)}</td></tr>`)}</table>
    <p class="note">Over ${doc.n_variants.toLocaleString()} variants; state ids are those of the scenario${doc.variant ? ` with variant ${doc.variant}` : ""} (a variant that removes options has none).</p>${
    b.top.length ? "" : html`<p class="note">No state is a ${c} equilibrium in any variant.</p>`}`);
  const f = b.focus;
  if (f && b.sensitivity.length) {
    setHTML($("#sens-note"), html`How the chance that <code>${f.pattern}</code>${f.state ? ` (state ${f.state})` : ""}${f.label ? ` (${f.label})` : ""} is a ${c.toUpperCase()} equilibrium (${pct(f.p[c])}) changes with each change to the model (${b.focus_reason}).`);
    $("#fig-sensitivity").src = `/api/jobs/${JID}/sweep/figures/sensitivity?concept=${encodeURIComponent(c)}`;
    $("#fig-sensitivity").hidden = false;
    const base = b.baselines || [];
    setHTML($("#sens"), html`${base.length ? html`<table id="baseline-table"><tr><th>baseline: no change to</th><th>P</th><th>samples</th></tr>${
      base.map(e => html`<tr><td>${e.factor}</td><td>${bar(e.p)}${pct(e.p)}</td><td>${e.n.toLocaleString()}</td></tr>`)}</table>` : ""}
      <table id="sens-table"><tr><th>change</th><th>effect</th><th>P with the change</th><th>P without</th><th>samples with / without</th></tr>${
      b.sensitivity.map(e => html`<tr><td class="label-cell">${e.level}</td><td>${(e.effect >= 0 ? "+" : "") + (100 * e.effect).toFixed(1)} pts</td><td>${bar(e.p_with)}${pct(e.p_with)}</td><td>${pct(e.p_without)}</td><td>${e.n_with.toLocaleString()} / ${(e.n_without ?? doc.n_variants - e.n_with).toLocaleString()}</td></tr>`)}</table>`);
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
