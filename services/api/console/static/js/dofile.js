// Running the client's own do-file: its text (typed, pasted or opened), the files it uses,
// the engine and the reports; "Check" asks the API what will not work, per line, without a
// job; "Run" creates the job, uploads the do-file and every file, submits it and opens the
// job's page. docs/dofiles.md.
import { api, showError, clearErrors, ApiError } from "./console.js";
import { uploadFile } from "./uploads.js";

const form = document.getElementById("dofile-form");
const source = document.getElementById("source");
const nameField = document.getElementById("name");
const list = document.getElementById("chosen");
const status = document.getElementById("run-status");
const directBytes = Number(form.dataset.directUploadBytes);
/** Files the do-file reads or runs, by name (a second file of the same name replaces it). */
const chosen = new Map();
const TEXTS = /\.(do|ado)$/i;

function say(text) { status.textContent = text; }

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

// ---- the do-file and its files ----------------------------------------------------------

document.getElementById("open-dofile").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  source.value = await file.text();
  nameField.value = file.name.endsWith(".do") ? file.name : `${file.name.replace(/\.[^.]*$/, "")}.do`;
});

function showChosen() {
  const rows = [...chosen.values()].map((file) => {
    const li = document.createElement("li");
    li.dataset.file = file.name;
    const label = document.createElement("span");
    label.textContent = `${file.name} · ${formatSize(file.size)}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.textContent = "remove";
    remove.setAttribute("aria-label", `remove ${file.name}`);
    remove.addEventListener("click", () => { chosen.delete(file.name); showChosen(); });
    const progress = document.createElement("progress");
    progress.className = "upload";
    progress.max = 100;
    progress.value = 0;
    progress.hidden = true;
    li.append(label, " ", remove, progress);
    return li;
  });
  list.replaceChildren(...rows);
}

function add(files) {
  for (const file of files) chosen.set(file.name, file);
  showChosen();
}

const drop = form.querySelector("[data-drop]");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  add(e.dataTransfer.files);
});
const picker = document.getElementById("files");
picker.addEventListener("change", () => { add(picker.files); picker.value = ""; });
if (picker.files.length) add(picker.files);  // picked before this module ran

// ---- checking ---------------------------------------------------------------------------

const checkSection = document.getElementById("check-section");

/** List what the check found (an answer of POST /v1/dofiles/check, or a refused submit's
 * details), each problem with its file, line, what it stops and the line as written. */
function showProblems(problems, verdict) {
  document.getElementById("check-verdict").textContent = verdict;
  const items = problems.map((p) => {
    const li = document.createElement("li");
    li.className = p.engines?.length ? "problem stops" : "problem warning";
    const where = document.createElement("code");
    where.textContent = `${p.file}:${p.line}`;
    const what = p.engines?.length ? `stops ${p.engines.join(", ")}` : "warning";
    const rc = p.rc ? ` r(${p.rc})` : "";
    li.append(where, ` ${what}${rc}: ${p.message}`);
    if (p.text) {
      const text = document.createElement("pre");
      text.className = "code";
      text.textContent = p.text;
      li.append(text);
    }
    return li;
  });
  document.getElementById("problems").replaceChildren(...items);
  checkSection.hidden = false;
}

async function texts() {
  const found = {};
  for (const file of chosen.values()) if (TEXTS.test(file.name)) found[file.name] = await file.text();
  return found;
}

function engine() { return document.getElementById("engine").value || undefined; }

async function check() {
  clearErrors();
  say("Checking…");
  try {
    const answer = await api("POST", "/v1/dofiles/check", {
      source: source.value, name: nameField.value.trim(), files: [...chosen.keys()],
      texts: await texts(), engine: engine(),
    });
    const engines = answer.engines.length ? answer.engines.join(", ") : "no engine";
    showProblems(answer.problems, answer.ok
      ? `It can run as it is on: ${engines}.`
      : `It cannot run as it is on the engine asked for (it can on: ${engines}).`);
    say("");
  } catch (error) {
    say("");
    await showError(error);
  }
}

document.getElementById("check").addEventListener("click", check);

// ---- running ----------------------------------------------------------------------------

async function run() {
  clearErrors();
  const name = nameField.value.trim();
  if (chosen.has(name)) {
    await showError(new ApiError(0, { error_code: "INPUT_NAME_INVALID",
      message: `${name} is both the do-file's name and a file you added: rename one of them` }));
    return;
  }
  // The do-file goes as an upload of its own under its name (as `ss run-do` sends it), so the
  // submit's check and the log name it as the check above did, whatever its length.
  const uploads = [new File([source.value], name, { type: "text/plain" }), ...chosen.values()];
  const dofile = { input: name };
  const formats = [...form.querySelectorAll('input[name="format"]:checked')].map((b) => b.value);
  const button = document.getElementById("run");
  button.disabled = true;
  let job = null;
  try {
    say("Creating the job…");
    job = await api("POST", "/v1/jobs", { dofile, engine: engine(), output_formats: formats });
    for (const file of uploads) {
      const row = list.querySelector(`li[data-file="${CSS.escape(file.name)}"] progress`);
      await uploadFile(job.id, file, { progress: row ?? document.createElement("progress"), say, directBytes });
    }
    say("Submitting…");
    await api("POST", `/v1/jobs/${job.id}/submit`, undefined, { headers: { "idempotency-key": `console-${job.id}` } });
    say("Queued: opening the job…");
    location.assign(`/console/jobs/${job.id}`);
  } catch (error) {
    button.disabled = false;
    say(job ? `Job ${job.id} was created but not submitted.` : "");
    if (error instanceof ApiError && error.code === "DOFILE_CHECK_FAILED") {
      showProblems(error.details.problems ?? [], error.message);
    }
    await showError(error);
  }
}

form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
