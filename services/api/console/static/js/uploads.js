// Sending one file of a job, for the run forms: a large file goes straight to the storage
// through the API's presigned plan (single PUT or parts, three at a time), falling back to the
// API when the storage cannot be reached from the page; a small one goes through the API.
import { api, putWithProgress, ApiError } from "./console.js";
import { fileSha256 } from "./sha256.js";

async function uploadDirect(jobId, file, progress, say) {
  say(`Checking ${file.name}…`);
  const sha256 = await fileSha256(file, (done, total) => { progress.value = (done / total) * 20; });
  const plan = await api("POST", `/v1/jobs/${jobId}/uploads`, {
    name: file.name, size: file.size, sha256, content_type: file.type || "application/octet-stream",
  });
  const sent = new Map();
  const report = () => {
    const bytes = [...sent.values()].reduce((a, b) => a + b, 0);
    progress.value = 20 + (bytes / file.size) * 80;
  };
  if (plan.method === "PUT") {
    await putWithProgress(plan.url, file, (loaded) => { sent.set(1, loaded); report(); },
                          { sameOrigin: false, headers: plan.headers });
    return api("POST", `/v1/jobs/${jobId}/uploads/${plan.upload_id}/complete`, { parts: [] });
  }
  const parts = [];
  const queue = [...plan.parts];
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      const start = (part.number - 1) * plan.part_size;
      const { etag } = await putWithProgress(part.url, file.slice(start, start + plan.part_size),
        (loaded) => { sent.set(part.number, loaded); report(); }, { sameOrigin: false });
      if (!etag) throw new ApiError(0, { error_code: "UPLOAD_PARTS_INVALID", message: "the storage does not show the parts' ETags to the browser (its CORS rules must expose ETag)" });
      parts.push({ number: part.number, etag });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  parts.sort((a, b) => a.number - b.number);
  return api("POST", `/v1/jobs/${jobId}/uploads/${plan.upload_id}/complete`, { parts });
}

/** Upload `file` as an input of job `jobId`, showing progress on `progress` and steps
 * through `say`; files of at least `directBytes` go to the storage directly. */
export async function uploadFile(jobId, file, { progress, say, directBytes, sheet = null }) {
  progress.hidden = false;
  progress.value = 0;
  if (file.size >= directBytes) {
    try {
      return await uploadDirect(jobId, file, progress, say);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 0) throw error;
      // The storage cannot be reached from this page (network, CORS): go through the API.
    }
  }
  say(`Uploading ${file.name}…`);
  const query = sheet ? `?sheet=${encodeURIComponent(sheet)}` : "";
  const { body } = await putWithProgress(`/v1/jobs/${jobId}/inputs/${encodeURIComponent(file.name)}${query}`,
    file, (loaded, total) => { progress.value = (loaded / total) * 100; },
    { headers: { "content-type": file.type || "application/octet-stream" } });
  progress.value = 100;
  return body;
}
