// A job's page: its cancel and retry buttons.
import { api, showError, clearErrors } from "./console.js";

const job = document.getElementById("job");

job.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  button.disabled = true;
  clearErrors();
  try {
    await api("POST", `${job.dataset.base}/${button.dataset.action}${job.dataset.query}`);
    location.reload();
  } catch (error) {
    button.disabled = false;
    await showError(error);
  }
});
