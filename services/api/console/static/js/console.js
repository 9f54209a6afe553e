// Shared by every console page: calling the API with the session's CSRF token, showing its
// refusals, and live regions refreshed over Server-Sent Events.

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

/** A refusal of the API: its catalogued code, status and message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error_code ?? "INTERNAL_ERROR";
    this.details = body?.details ?? {};
  }
}

/** `fetch` a same-origin API route as the logged-in session; JSON in and out. */
export async function api(method, url, body, { headers = {}, raw = false } = {}) {
  const init = { method, credentials: "same-origin", headers: { accept: "application/json", ...headers } };
  if (method !== "GET") init.headers["x-csrf-token"] = csrf();
  if (body !== undefined) {
    if (raw) init.body = body;
    else { init.body = JSON.stringify(body); init.headers["content-type"] = "application/json"; }
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** PUT `body` to `url` with upload progress (fetch cannot report it); `extra` headers. */
export function putWithProgress(url, body, onProgress, { sameOrigin = true, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (sameOrigin) { xhr.setRequestHeader("x-csrf-token", csrf()); xhr.setRequestHeader("accept", "application/json"); }
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let parsed = null;
      try { parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { parsed = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve({ body: parsed, etag: xhr.getResponseHeader("etag") });
      else reject(new ApiError(xhr.status, parsed));
    };
    xhr.onerror = () => reject(new ApiError(0, { error_code: "NETWORK", message: "the upload could not reach the server" }));
    xhr.send(body);
  });
}

let meanings = null;
async function meaningOf(code) {
  if (meanings === null) {
    try { meanings = await api("GET", "/console/error-codes"); } catch { meanings = {}; }
  }
  return meanings[code]?.meaning ?? "";
}

/** Show a refusal in the page: its code, the API's message, and what the code means. */
export async function showError(error, where = document.getElementById("alerts")) {
  if (error instanceof ApiError && error.status === 401) {
    location.assign(`/console/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  const box = document.createElement("div");
  box.className = "error";
  const code = document.createElement("code");
  code.textContent = error.code ?? "ERROR";
  const strong = document.createElement("strong");
  strong.append(code);
  box.append(strong, " ", error.message);
  for (const field of [...(error.details?.fields ?? []), ...(error.details?.problems ?? [])]) {
    const line = document.createElement("div");
    line.className = "small";
    // a field of the request, a template's parameter, or a line of a do-file
    const where = field.field ?? field.param ?? (field.file ? `${field.file}:${field.line}` : "");
    line.textContent = where ? `${where}: ${field.message}` : field.message;
    box.append(line);
  }
  const meaning = error.code ? await meaningOf(error.code) : "";
  if (meaning) {
    const p = document.createElement("p");
    p.className = "small";
    p.textContent = meaning;
    box.append(p);
  }
  where.replaceChildren(box);
  where.hidden = false;
  if (where.id === "alerts") where.scrollIntoView({ block: "nearest" });
}

export function clearErrors(where = document.getElementById("alerts")) {
  where.replaceChildren();
}

/** Keep `[data-live]` regions current: each SSE event of their `data-event` type replaces
 * their content with the server's fresh rendering; `done` reloads the page. */
function follow(region) {
  const source = new EventSource(region.dataset.live);
  const dot = document.querySelector(".live-dot");
  source.addEventListener(region.dataset.event, (e) => {
    region.innerHTML = e.data;  // server-rendered and escaped; scripts in it never run (CSP)
    dot?.classList.remove("stale");
    region.dispatchEvent(new CustomEvent("refreshed", { bubbles: true }));
  });
  source.addEventListener("done", () => { source.close(); location.reload(); });
  source.onerror = () => dot?.classList.add("stale");
}

function focusMarkedLine() {
  const log = document.getElementById("log");
  const line = log?.dataset.focus ? document.getElementById(log.dataset.focus) : null;
  if (line) log.scrollTop = Math.max(0, line.offsetTop - log.clientHeight / 2);
}

document.querySelectorAll("[data-live]").forEach(follow);
focusMarkedLine();
