// A scenario's jobs with Cancel / Run again buttons (robustness and sweep pages).
"use strict";
const ACTIVE = ["queued", "running"];
function jobLink(j) {
  if (j.status !== "done") return "";
  if (j.kind === "report") return `<a class="button" href="/api/jobs/${j.id}/report.html">Download report</a>`;
  return `<a class="button" href="/jobs/${j.id}">Open results</a>`;
}
function jobButtons(j) {
  if (ACTIVE.includes(j.status)) return `<button class="danger" data-cancel="${j.id}">Cancel</button>`;
  if (["failed", "interrupted", "cancelled"].includes(j.status)) return `<button class="secondary" data-rerun="${j.id}">Run again</button>`;
  return "";
}
let jobsTimer = null;
async function renderJobs(table, sid) {
  const jobs = await api("GET", `/api/scenarios/${sid}/analyses`);
  $("tbody", table).innerHTML = jobs.map(j => `<tr data-job="${j.id}" data-status="${esc(j.status)}"><td>${j.id}</td><td>${esc(j.kind)}</td><td>${j.version}</td>
    <td>${esc(j.status)}${j.error ? `<div class="note">${esc(j.error)}</div>` : ""}</td><td>${progressBar(j.progress)} <span class="note">${esc(j.stage)}</span></td>
    <td>${jobLink(j)} ${jobButtons(j)}</td></tr>`).join("");
  clearTimeout(jobsTimer);
  if (jobs.some(j => ACTIVE.includes(j.status))) jobsTimer = setTimeout(() => renderJobs(table, sid), 700);
}
// Cancel and Run again buttons anywhere on the page; ``after`` refreshes the view.
function jobActions(after) {
  document.addEventListener("click", async ev => {
    const c = ev.target.closest("button[data-cancel]"), r = ev.target.closest("button[data-rerun]");
    if (!c && !r) return;
    (c || r).disabled = true;
    try {
      if (c) await api("POST", `/api/jobs/${c.dataset.cancel}/cancel`);
      else await api("POST", `/api/jobs/${r.dataset.rerun}/rerun`);
    } catch (e) { alert(errorText(e)); }
    after();
  });
}
