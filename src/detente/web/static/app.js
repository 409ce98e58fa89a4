// Shared helpers of the Détente workspace pages (no framework, no build step).
"use strict";
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
class ApiError extends Error {
  constructor(status, detail) {
    super((detail && detail.message) || `HTTP ${status}`);
    this.status = status; this.detail = detail || {};
  }
}
async function api(method, url, body, isForm) {
  const opts = {method, headers: {}};
  if (body !== undefined) {
    if (isForm) opts.body = body;
    else { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  }
  const r = await fetch(url, opts);
  if (r.status === 204) return null;
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) throw new ApiError(r.status, data && data.detail);
  return data;
}
function when(ts) { return ts ? new Date(ts * 1000).toLocaleString() : ""; }
function errorText(e) {
  const d = e.detail || {};
  const where = [d.line ? `line ${d.line}` : "", d.column ? `column ${d.column}` : ""].filter(Boolean).join(", ");
  return (where ? where + ": " : "") + (d.field ? d.field + ": " : "") + (d.message || e.message);
}
function debounce(fn, ms) { let t; return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); }; }
function progressBar(f) { return `<span class="progress"><span style="width:${Math.round(100 * (f || 0))}%"></span></span>`; }
