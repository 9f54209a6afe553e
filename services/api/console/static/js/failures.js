// The failures list: select jobs and retry them in one request.
import { api, showError, clearErrors } from "./console.js";

const form = document.getElementById("bulk");
const all = document.getElementById("select-all");
const button = document.getElementById("retry-selected");
const count = document.getElementById("selected-count");
const boxes = () => [...form.querySelectorAll('input[name="job"]')];

function update() {
  const chosen = boxes().filter((b) => b.checked && !b.disabled).length;
  count.textContent = `${chosen} selected`;
  button.disabled = chosen === 0;
}

all.addEventListener("change", () => { boxes().forEach((b) => { if (!b.disabled) b.checked = all.checked; }); update(); });
form.addEventListener("change", update);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = boxes().filter((b) => b.checked && !b.disabled);
  const jobs = chosen.map((b) => b.value.split("/"));
  button.disabled = true;
  clearErrors();
  try {
    const outcomes = await api("POST", "/console/failures/retry", { jobs });
    for (const o of outcomes) {
      const row = form.querySelector(`tr[data-job="${o.job_id}"][data-tenant="${o.tenant}"]`);
      const cell = row?.querySelector(".result");
      if (!cell) continue;
      cell.textContent = o.state ? `retried: ${o.state}` : `${o.error_code}: ${o.message}`;
      cell.className = `result ${o.state ? "ok" : "bad"}`;
      if (o.state) { const box = row.querySelector('input[name="job"]'); box.checked = false; box.disabled = true; }
    }
  } catch (error) {
    await showError(error);
  }
  update();
});
update();
