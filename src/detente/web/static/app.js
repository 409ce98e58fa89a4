// Shared helpers of the Détente workspace pages (no framework, no build step).
//
// Escaping by construction: markup is built only with the html`...` tag, which escapes
// every interpolated value unless that value is itself an html`...` fragment (or an array
// of them); setHTML/appendHTML accept fragments only. No other file touches innerHTML, so
// no user text (names, labels, descriptions, errors) can become markup.
"use strict";
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;"};
class Html { constructor(s) { this.s = s; } }
function piece(v) {
  if (v instanceof Html) return v.s;
  if (Array.isArray(v)) return v.map(piece).join("");
  if (v === null || v === undefined) return "";
  return String(v).replace(/[&<>"'`]/g, c => ESC[c]);
}
function html(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => { out += piece(v) + strings[i + 1]; });
  return new Html(out);
}
// Fragments (or plain values, escaped) joined by ``sep`` (plain text, escaped too).
function joinHtml(items, sep) { return new Html(items.map(piece).join(piece(sep))); }
function setHTML(el, h) {
  if (!(h instanceof Html)) throw new TypeError("setHTML takes an html`...` fragment");
  el.innerHTML = h.s;
}
function appendHTML(el, h) {
  if (!(h instanceof Html)) throw new TypeError("appendHTML takes an html`...` fragment");
  el.insertAdjacentHTML("beforeend", h.s);
}
const errorBox = e => html`<div class="error">${errorText(e)}</div>`;
class ApiError extends Error {
  constructor(status, detail) {
    super((detail && detail.message) || `HTTP ${status}`);
    this.status = status; this.detail = detail || {};
  }
}
// Every request carries X-Detente: 1, which a cross-site form or no-cors fetch cannot
// send; the server refuses state-changing requests without it.
async function api(method, url, body, isForm) {
  const opts = {method, headers: {"X-Detente": "1"}, credentials: "same-origin"};
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
function progressBar(f) { return html`<progress class="progress" max="100" value="${Math.round(100 * (f || 0))}"></progress>`; }
