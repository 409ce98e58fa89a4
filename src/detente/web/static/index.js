"use strict";
async function loadList() {
  const rows = await api("GET", "/api/scenarios");
  const tbody = $("#scenarios tbody");
  setHTML(tbody, html`${rows.map(s => html`<tr data-id="${s.id}">
    <td><a href="/scenarios/${s.id}">${s.name}</a></td><td>${s.version}</td><td>${when(s.updated_at)}</td>
    <td><button class="secondary" data-act="dup">Duplicate</button>
      <a class="button secondary" href="/api/scenarios/${s.id}/export">YAML</a>
      <a class="button secondary" href="/api/scenarios/${s.id}/export?format=gmcr">.gmcr</a>
      <button class="danger" data-act="del">Delete</button></td></tr>`)}`);
  $("#empty").hidden = rows.length > 0;
}
$("#scenarios").addEventListener("click", async ev => {
  const b = ev.target.closest("button"); if (!b) return;
  const id = b.closest("tr").dataset.id;
  try {
    if (b.dataset.act === "dup") await api("POST", `/api/scenarios/${id}/duplicate`);
    if (b.dataset.act === "del" && confirm("Delete this scenario?")) await api("DELETE", `/api/scenarios/${id}`);
    await loadList();
  } catch (e) { setHTML($("#list-error"), errorBox(e)); }
});
$("#import-button").addEventListener("click", async () => {
  const f = $("#import-file").files[0];
  const out = $("#import-error"); out.textContent = "";
  if (!f) { setHTML(out, html`<div class="error">Choose a file first.</div>`); return; }
  const fd = new FormData(); fd.append("file", f);
  try {
    const s = await api("POST", "/api/scenarios/import", fd, true);
    location.href = `/scenarios/${s.id}`;
  } catch (e) { setHTML(out, html`<div class="error">${f.name}: ${errorText(e)}</div>`); }
});
// The smallest valid scenario, to be completed in the form. Every value written here is
// either a constant or the name as a JSON string (a valid YAML double-quoted scalar).
function blankScenario(name) {
  return [
    "format: detente/1",
    `name: ${JSON.stringify(name || "New conflict")}`,
    "decision_makers:",
    "  - id: a", "    name: First decision maker", "    options:",
    "      - id: act", "        label: First option",
    "  - id: b", "    name: Second decision maker", "    options:",
    "      - id: act", "        label: Second option",
    "status_quo: NN",
    "preferences:",
    "  a:", "    prioritization: []",
    "  b:", "    prioritization: []",
    "",
  ].join("\n");
}
$("#blank-button").addEventListener("click", async () => {
  const out = $("#blank-error"); out.textContent = "";
  try {
    const s = await api("POST", "/api/scenarios", {text: blankScenario($("#blank-name").value.trim())});
    location.href = `/scenarios/${s.id}`;
  } catch (e) { setHTML(out, errorBox(e)); }
});
$("#create-button").addEventListener("click", async () => {
  const out = $("#create-error"); out.textContent = "";
  try {
    const s = await api("POST", "/api/scenarios", {text: $("#new-text").value});
    location.href = `/scenarios/${s.id}`;
  } catch (e) { setHTML(out, errorBox(e)); }
});
async function loadExamples() {
  const ex = await api("GET", "/api/examples");
  const seed = ex.filter(e => e.kind === "seed"), cases = ex.filter(e => e.kind !== "seed");
  const row = e => html`<li><button class="${e.kind === "seed" ? "" : "secondary"}" data-example="${e.key}">Open</button>
    <b>${e.name}</b> <span class="note">${e.n_dms} decision makers, ${e.n_options} options${e.kind === "seed" ? " · the bundled seed scenario" : " · " + e.key}</span>
    ${e.description ? html`<br><span class="note">${e.description}</span>` : ""}</li>`;
  setHTML($("#examples"), html`${seed.length ? html`<h3>Seed scenario</h3><ul class="examples">${seed.map(row)}</ul>` : ""}
    <h3>Catalogue of published cases</h3><ul class="examples">${cases.map(row)}</ul>`);
}
$("#examples").addEventListener("click", async ev => {
  const b = ev.target.closest("button[data-example]"); if (!b) return;
  b.disabled = true;
  try {
    const s = await api("POST", "/api/examples/open", {text: b.dataset.example});
    location.href = `/scenarios/${s.id}`;
  } catch (e) { b.disabled = false; setHTML($("#examples-error"), errorBox(e)); }
});
loadList().catch(e => { setHTML($("#list-error"), errorBox(e)); });
loadExamples().catch(e => { setHTML($("#examples-error"), errorBox(e)); });
