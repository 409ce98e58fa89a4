// A scenario's jobs with Cancel / Run again buttons (robustness and sweep pages).
"use strict";
const ACTIVE = ["queued", "running"];
function jobLink(j) {
  if (j.status !== "done") return "";
  if (j.kind === "report") return html`<a class="button" href="/api/jobs/${j.id}/report.html">Download report</a>`;
  return html`<a class="button" href="/jobs/${j.id}">Open results</a>`;
}
function jobButtons(j) {
  if (ACTIVE.includes(j.status)) return html`<button class="danger" data-cancel="${j.id}">Cancel</button>`;
  if (["failed", "interrupted", "cancelled"].includes(j.status)) return html`<button class="secondary" data-rerun="${j.id}">Run again</button>`;
  return "";
}
// The rows of a jobs table; ``errorClass``: the class of a job's error line.
function jobRows(jobs, errorClass) {
  return html`${jobs.map(j => html`<tr data-job="${j.id}" data-status="${j.status}"><td>${j.id}</td><td>${j.kind}</td><td>${j.version}</td>
    <td>${j.status}${j.error ? html`<div class="${errorClass}">${j.error}</div>` : ""}</td><td>${progressBar(j.progress)} <span class="note">${j.stage}</span></td>
    <td>${jobLink(j)} ${jobButtons(j)}</td></tr>`)}`;
}
let jobsTimer = null;
async function renderJobs(table, sid) {
  const jobs = await api("GET", `/api/scenarios/${sid}/analyses`);
  setHTML($("tbody", table), jobRows(jobs, "note"));
  clearTimeout(jobsTimer);
  if (jobs.some(j => ACTIVE.includes(j.status))) jobsTimer = setTimeout(() => renderJobs(table, sid), 700);
}
// Cancel and Run again buttons anywhere on the page; ``after`` refreshes the view and
// ``errors`` (a selector) shows a refusal, e.g. 429 when the job queue is full.
function jobActions(after, errors) {
  document.addEventListener("click", async ev => {
    const c = ev.target.closest("button[data-cancel]"), r = ev.target.closest("button[data-rerun]");
    if (!c && !r) return;
    (c || r).disabled = true;
    try {
      if (c) await api("POST", `/api/jobs/${c.dataset.cancel}/cancel`);
      else await api("POST", `/api/jobs/${r.dataset.rerun}/rerun`);
      $(errors).textContent = "";
    } catch (e) { setHTML($(errors), errorBox(e)); }
    after();
  });
}
