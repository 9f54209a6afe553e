// A template's run form: files by drag-and-drop (read once to fill the variable pickers),
// parameters, output formats, then create → upload → submit through the JSON API, and on to
// the job's page. "Try with example data" does the same with the template's bundled example.
import { api, showError, clearErrors, ApiError } from "./console.js";
import { uploadFile } from "./uploads.js";

const form = document.getElementById("run-form");
const template = form.dataset.template;
const example = JSON.parse(form.dataset.example);
const directBytes = Number(form.dataset.directUploadBytes);
const previewMax = Number(form.dataset.previewMaxBytes);
const status = document.getElementById("run-status");
const TEXT = /\.(csv|tsv|txt|tab)$/i;
const WORKBOOK = /\.(xlsx|xls)$/i;

/** input name -> { file, preview, sheet } */
const chosen = new Map();
const $ = (selector, root = form) => root.querySelector(selector);

function say(text) { status.textContent = text; }

function formatSize(bytes) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let n = bytes, u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return u ? `${n.toFixed(1)} ${units[u]}` : `${n} B`;
}

// ---- files and previews ----------------------------------------------------------------

/** The bytes the preview reads: the file, or the head of a large text file (whole lines). */
async function previewBody(file) {
  if (file.size <= previewMax) return file;
  if (!TEXT.test(file.name)) return null;
  const head = new Uint8Array(await file.slice(0, 8 * 1024 * 1024).arrayBuffer());
  const end = head.lastIndexOf(10);
  return new Blob([end > 0 ? head.subarray(0, end + 1) : head]);
}

async function readColumns(input) {
  const entry = chosen.get(input);
  const box = $(`[data-preview="${input}"]`);
  const body = await previewBody(entry.file);
  if (body === null) {
    entry.preview = null;
    entry.unreadable = true;
    box.textContent = "This file is too large to read here: type the variable names below.";
    updatePickers();
    return;
  }
  const sheet = entry.sheet ? `&sheet=${encodeURIComponent(entry.sheet)}` : "";
  try {
    entry.preview = await api("POST", `/console/preview?name=${encodeURIComponent(entry.file.name)}${sheet}`,
                              body, { raw: true, headers: { "content-type": "application/octet-stream" } });
  } catch (error) {
    entry.preview = null;
    await showError(error, box);
    updatePickers();
    return;
  }
  showPreview(input, entry.preview);
  updatePickers();
}

function showPreview(input, preview) {
  const box = $(`[data-preview="${input}"]`);
  const table = document.createElement("table");
  table.className = "data";
  const caption = document.createElement("caption");
  caption.className = "small muted";
  caption.textContent = `${preview.source.format.toUpperCase()} · ${preview.columns.length} columns · first rows as SS reads them`;
  table.append(caption);
  const head = table.createTHead().insertRow();
  for (const column of preview.columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column.name;
    th.title = `${column.original} (${column.kind})`;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of preview.rows.slice(0, 5)) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().textContent = cell === null ? "." : String(cell);
  }
  const scroll = document.createElement("div");
  scroll.className = "scroll";
  scroll.append(table);
  box.replaceChildren(scroll);
  const sheets = (preview.source.sheets ?? []).filter((s) => s.worksheet && !s.hidden);
  const label = $(`[data-sheet-label="${input}"]`);
  const select = $(`[data-sheet="${input}"]`);
  label.hidden = sheets.length < 2;
  if (sheets.length >= 2 && select.options.length === 0) {
    for (const s of sheets) select.add(new Option(s.name, s.name, false, s.name === preview.source.sheet));
  }
}

function choose(input, file) {
  chosen.set(input, { file, preview: null, sheet: null, unreadable: false });
  const label = $(`[data-sheet="${input}"]`);
  label.replaceChildren();
  $(`[data-sheet-label="${input}"]`).hidden = true;
  $(`[data-status="${input}"]`).textContent = `${file.name} · ${formatSize(file.size)}`;
  $(`[data-preview="${input}"]`).textContent = "Reading the columns…";
  return readColumns(input);
}

for (const drop of form.querySelectorAll("[data-drop]")) {
  const input = drop.dataset.drop;
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) choose(input, e.dataTransfer.files[0]);
  });
}
form.addEventListener("change", (e) => {
  const picker = e.target.closest("[data-file]");
  if (picker && picker.files.length) choose(picker.dataset.file, picker.files[0]);
  const sheet = e.target.closest("[data-sheet]");
  if (sheet) { chosen.get(sheet.dataset.sheet).sheet = sheet.value; readColumns(sheet.dataset.sheet); }
});
// A file picked before this module ran (a slow page, or one the browser restored on "back")
// fired its change event before the listener above existed: read it now.
for (const picker of form.querySelectorAll("[data-file]")) {
  if (picker.files.length && !chosen.has(picker.dataset.file)) choose(picker.dataset.file, picker.files[0]);
}

// ---- parameter widgets ------------------------------------------------------------------

function columnsFor(select) {
  const inputs = select.dataset.inputs.split(" ").filter(Boolean);
  const known = inputs.map((i) => chosen.get(i)?.preview?.columns).filter(Boolean);
  if (!known.length) return null;
  const wanted = select.dataset.varType;
  const fits = (c) => wanted === "any" || !wanted || (wanted === "string") === (c.kind === "string");
  // A variable of several inputs (merge keys) must be in each of them.
  const names = known.map((cols) => new Set(cols.filter(fits).map((c) => c.name)));
  return known[0].filter(fits).map((c) => c.name).filter((n) => names.every((s) => s.has(n)));
}

/** Fill each variable picker from the columns read; with none known, type names instead. */
function updatePickers() {
  for (const field of form.querySelectorAll('[data-widget="variable"], [data-widget="variables"]')) {
    const names = columnsFor(field);
    if (names === null && field.tagName === "SELECT" && [...chosen.values()].some((e) => e.unreadable)) {
      const text = document.createElement("input");
      for (const a of ["id", "data-param", "data-widget", "data-var-type", "data-inputs", "aria-describedby"]) {
        if (field.hasAttribute(a)) text.setAttribute(a, field.getAttribute(a));
      }
      text.type = "text";
      text.placeholder = field.multiple ? "variable names separated by spaces" : "variable name";
      text.dataset.typed = "1";
      field.replaceWith(text);
      continue;
    }
    if (names === null || field.tagName !== "SELECT") continue;
    const kept = new Set([...field.selectedOptions].map((o) => o.value));
    const blank = field.multiple ? [] : [field.options[0] ?? new Option("— pick a variable —", "")];
    field.replaceChildren(...blank, ...names.map((n) => new Option(n, n, false, kept.has(n))));
  }
}

function setParam(name, value) {
  const field = $(`[data-param="${name}"]`);
  if (!field) return;
  if (field.dataset.widget === "flag") field.checked = Boolean(value);
  else if (field.tagName === "SELECT" && field.multiple) {
    const wanted = new Set(Array.isArray(value) ? value : [value]);
    for (const option of field.options) option.selected = wanted.has(option.value);
  } else if (field.tagName === "SELECT") {
    if (![...field.options].some((o) => o.value === String(value))) field.add(new Option(value, value));
    field.value = String(value);
  } else field.value = Array.isArray(value) ? value.join(" ") : String(value);
}

function readParams() {
  const params = {};
  for (const field of form.querySelectorAll("[data-param]")) {
    const name = field.dataset.param, widget = field.dataset.widget;
    let value;
    if (widget === "flag") value = field.checked;
    else if (field.tagName === "SELECT" && field.multiple) value = [...field.selectedOptions].map((o) => o.value);
    else if (widget === "names" || (widget === "variables" && field.dataset.typed)) value = field.value.trim().split(/\s+/).filter(Boolean);
    else if (widget === "integer" || widget === "number") value = field.value.trim() === "" ? undefined : Number(field.value);
    else value = field.value.trim();
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) continue;
    params[name] = value;
  }
  return params;
}

function showFieldErrors(error) {
  for (const p of form.querySelectorAll(".field-error")) p.textContent = "";
  for (const f of form.querySelectorAll(".field.invalid")) f.classList.remove("invalid");
  const named = [];
  if (error.details?.param) named.push([error.details.param, error.message]);
  for (const p of error.details?.problems ?? []) if (p.param) named.push([p.param, p.message]);
  for (const f of error.details?.fields ?? []) {
    const match = /^params\.([A-Za-z_][A-Za-z0-9_]*)/.exec(f.field ?? "");
    if (match) named.push([match[1], f.message]);
  }
  for (const [name, message] of named) {
    const slot = $(`[data-error-for="${name}"]`);
    if (!slot) continue;
    slot.textContent = message;
    slot.closest(".field").classList.add("invalid");
  }
  const first = named.length ? $(`[data-param="${named[0][0]}"]`) : null;
  first?.focus();
}

// ---- running ----------------------------------------------------------------------------

function upload(jobId, input, entry) {
  return uploadFile(jobId, entry.file, { progress: $(`[data-progress="${input}"]`), say, directBytes,
                                         sheet: entry.sheet });
}

async function run() {
  clearErrors();
  const formats = [...form.querySelectorAll('input[name="format"]:checked')].map((b) => b.value);
  const inputs = {}, sheets = {};
  for (const [input, entry] of chosen) {
    inputs[input] = entry.file.name;
    if (entry.sheet) sheets[entry.file.name] = entry.sheet;
  }
  const run = document.getElementById("run");
  run.disabled = true;
  let job = null;
  try {
    say("Creating the job…");
    job = await api("POST", "/v1/jobs", { template_id: template, params: readParams(), output_formats: formats, inputs, sheets });
    for (const [input, entry] of chosen) await upload(job.id, input, entry);
    say("Submitting…");
    await api("POST", `/v1/jobs/${job.id}/submit`, undefined, { headers: { "idempotency-key": `console-${job.id}` } });
    say("Queued: opening the job…");
    location.assign(`/console/jobs/${job.id}`);
  } catch (error) {
    run.disabled = false;
    say(job ? `Job ${job.id} was created but not submitted.` : "");
    showFieldErrors(error);
    await showError(error);
  }
}

form.addEventListener("submit", (e) => { e.preventDefault(); run(); });

document.getElementById("try-example").addEventListener("click", async () => {
  clearErrors();
  say("Fetching the example data…");
  try {
    for (const [input, file] of Object.entries(example.inputs)) {
      const response = await fetch(`/v1/templates/${template}/examples/${encodeURIComponent(file)}`, { credentials: "same-origin" });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
      await choose(input, new File([await response.blob()], file, { type: response.headers.get("content-type") ?? "" }));
    }
    for (const [name, value] of Object.entries(example.params)) setParam(name, value);
  } catch (error) {
    say("");
    await showError(error);
    return;
  }
  await run();
});
