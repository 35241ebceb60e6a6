// The Work panel: the caller's queued and running jobs, each with its kind, progress (a
// progressbar of the denoising steps, and images done of n), its place in the queue and a Cancel
// button; and a short log of the jobs that ended while the page watched. Rows are updated in place,
// so a focused Cancel button keeps its focus while the progress moves.
import { cancelJob, cancelling, whenJobsChange } from "./jobs.js";
import { el } from "./ui.js";

const $ = (id) => document.getElementById(id);
/** How many ended jobs the log keeps. */
const LOG = 5;

const KINDS = {
  image_generation: "Generation",
  image_edit: "Edit",
  image_variation: "Variation",
  session_create: "New session",
  session_round: "Session round",
  session_restart: "Session restart",
};
const kindOf = (job) => KINDS[job.kind] || job.kind || "Job";

export function initWork() {
  whenJobsChange(render);
  document.addEventListener("studio:job-ended", (e) => logEnd(e.detail.job));
}

/** Running first, then the queue in its order; within each, oldest first. */
function order(a, b) {
  const rank = (j) => (j.status === "in_progress" ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    (a.queue_position ?? 0) - (b.queue_position ?? 0) ||
    a.created_at - b.created_at ||
    (a.id < b.id ? -1 : 1)
  );
}

function render(jobs, error) {
  const list = $("jobs");
  const rows = new Map([...list.children].map((li) => [li.dataset.id, li]));
  const shown = [...jobs].sort(order).map((job) => update(rows.get(job.id) || row(job), job));
  for (const [id, li] of rows) if (!jobs.some((j) => j.id === id)) li.remove();
  shown.forEach((li, i) => {
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
  });
  $("work-empty").hidden = jobs.length > 0;
  const slot = $("work-error");
  slot.textContent = error ? `The job list could not be read: ${error.message}` : "";
  slot.hidden = !error;
  showPanel();
}

function showPanel() {
  $("work").hidden = $("jobs").children.length === 0 && $("work-finished").children.length === 0;
}

function row(job) {
  const label = `${kindOf(job)} ${job.id}`;
  return el(
    "li",
    { class: "job", testid: "job", "data-id": job.id },
    el(
      "p",
      { class: "job-head" },
      el("span", { class: "job-kind" }, kindOf(job)),
      el("code", {}, job.id),
      el("span", { class: "job-state", testid: "job-state" }),
    ),
    el(
      "div",
      { class: "bar", role: "progressbar", testid: "job-progress", "aria-label": `Progress of ${label}`,
        "aria-valuemin": "0" },
      el("span", { class: "fill" }),
    ),
    el("button", { type: "button", testid: "job-cancel", "aria-label": `Cancel ${label}`,
      onclick: (e) => cancel(e.currentTarget, job.id) }, "Cancel"),
    el("p", { class: "error", role: "alert", hidden: true }),
  );
}

/** Writes `job`'s state into its row. */
function update(li, job) {
  const p = job.progress || { step: 0, steps: 0, images_done: 0, n: 1 };
  const steps = Math.max(p.steps, 1);
  const images = `${p.images_done} of ${p.n} image${p.n === 1 ? "" : "s"} done`;
  let state;
  if (job.status === "queued") {
    const ahead = job.queue_position ?? 0;
    state = ahead === 0 ? "Queued: next in line" : `Queued: ${ahead} ahead`;
  } else {
    state = p.steps ? `Running: step ${p.step} of ${p.steps}, ${images}` : `Running: starting, ${images}`;
  }
  if (cancelling.has(job.id)) state += " (cancelling…)";
  li.dataset.status = job.status;
  li.dataset.kind = job.kind;
  li.dataset.queuePosition = job.queue_position ?? "";
  li.querySelector(".job-state").textContent = state;
  const bar = li.querySelector(".bar");
  bar.setAttribute("aria-valuemax", String(steps));
  bar.setAttribute("aria-valuenow", String(Math.min(p.step, steps)));
  bar.setAttribute("aria-valuetext", state);
  bar.querySelector(".fill").style.width = `${(100 * Math.min(p.step, steps)) / steps}%`;
  li.querySelector("button").disabled = cancelling.has(job.id);
  return li;
}

async function cancel(button, id) {
  const slot = button.closest("li").querySelector(".error");
  slot.hidden = true;
  try {
    await cancelJob(id);
  } catch (error) {
    slot.textContent = error.message;
    slot.hidden = false;
  }
}

/** A line in the log for a job that ended: completed, failed with its message, or cancelled. */
function logEnd(job) {
  const what = `${kindOf(job)} ${job.id}`;
  let text;
  if (job.status === "completed") {
    const n = (job.result && job.result.data && job.result.data.length) || 0;
    text = n ? `${what} completed: ${n} image${n === 1 ? "" : "s"}.` : `${what} completed.`;
  } else if (job.status === "failed") {
    text = `${what} failed: ${(job.error && job.error.message) || "no reason given"}`;
  } else {
    text = `${what} was cancelled; nothing was stored.`;
  }
  const log = $("work-finished");
  log.prepend(el("li", { testid: "job-ended", "data-id": job.id, "data-status": job.status,
    class: job.status === "failed" ? "error" : undefined }, text));
  while (log.children.length > LOG) log.lastElementChild.remove();
  showPanel();
}
