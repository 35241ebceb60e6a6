// The generate form: a generation submitted as a job (step previews from its events), the result
// grid, reroll, errors.
import { downloadUrl, get } from "./api.js";
import { jobResult, runJob, submitJob } from "./jobs.js";
import { addReferenceRow, readReferences } from "./references.js";
import { readHash, writeHash } from "./state.js";
import { clearErrors, el, showError, showWarnings } from "./ui.js";

const $ = (id) => document.getElementById(id);
/** The results shown: {id, url, seed, request} where url is the API's signed URL and request is what made the image (for reroll). */
let results = [];
let openSession = () => {};

export function initGenerate(onOpenSession) {
  openSession = onOpenSession;
  $("generate-form").addEventListener("submit", (e) => {
    e.preventDefault();
    generate();
  });
  $("add-reference").addEventListener("click", () => {
    addReferenceRow($("reference-list")).querySelector("input").focus();
  });
}

async function formRequest() {
  const form = $("generate-form");
  const body = {
    prompt: form.prompt.value,
    size: form.size.value.trim() || "auto",
    quality: form.quality.value,
    consistency: form.consistency.value,
  };
  if (form.n.value !== "") body.n = Number(form.n.value);
  if (form.seed.value !== "") body.seed = Number(form.seed.value);
  const references = await readReferences($("reference-list"));
  if (references.length) body.references = references;
  return body;
}

/** Step previews a generation asks for (they come as its job's partial_image events). */
const PARTIALS = 2;

/**
 * Submits the form as a job and returns as soon as the server queued it (the form is free for the
 * next one; the Work panel shows it); its images replace the results when it completes.
 */
async function generate() {
  const form = $("generate-form");
  const button = form.querySelector('[data-testid="generate"]');
  clearErrors(form);
  showWarnings($("generate-warnings"), []);
  const request = await formRequest();
  const body = { ...request, response_format: "url", partial_images: PARTIALS };
  const started = performance.now();
  let previews = 0;
  let submitted;
  button.disabled = true;
  try {
    submitted = await submitJob("/v1/images/generations", body, (type, d) => {
      if (!type.endsWith("partial_image")) return;
      previews++;
      $("previews").replaceChildren(
        el("img", { src: `data:image/${d.output_format || "png"};base64,${d.b64_json}`,
          alt: `Step preview ${d.partial_image_index + 1}`, testid: "step-preview",
          "data-job": submitted ? submitted.job.id : "" }));
    });
  } catch (error) {
    $("generate-status").textContent = "";
    showError(form, error);
    return;
  } finally {
    button.disabled = false;
  }
  const id = submitted.job.id;
  $("generate-status").textContent = `Queued as ${id}; it shows under Work.`;
  const job = await submitted.done;
  const preview = $("previews").querySelector("img");
  if (preview && preview.dataset.job === id) $("previews").replaceChildren();
  if (job.status === "completed") {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    showGenerated(job.result, request,
      `in ${seconds} s (${previews} step preview${previews === 1 ? "" : "s"})`);
  } else if (job.status === "cancelled") {
    $("generate-status").textContent = `${id} was cancelled; nothing was stored.`;
  } else {
    $("generate-status").textContent = "";
    showError(form, jobError(job));
  }
}

/** The error a failed job carries, as the waiting call would have thrown it. */
function jobError(job) {
  try {
    jobResult(job);
  } catch (error) {
    return error;
  }
  return new Error(`job ${job.id} ended as ${job.status}`);
}

/** Shows a generation's answer: its images as the results, its warnings and consistency report. */
function showGenerated(answer, request, how) {
  const made = answer.data.map((d) => ({ id: d.id, url: d.url, seed: d.seed, request }));
  results = made;
  renderResults();
  $("generate-status").textContent = `${made.length} image${made.length === 1 ? "" : "s"} ${how}`;
  showWarnings($("generate-warnings"), answer.warnings);
  const report = answer.consistency_report;
  $("consistency-report").hidden = !report;
  if (report) {
    $("consistency-report").textContent =
      `${answer.consistency}: mean palette difference ${report.palette_ciede2000.toFixed(1)} CIEDE2000, ` +
      `Lab histogram distance ${report.lab_histogram_distance.toFixed(3)} over ${report.pairs} pairs`;
  }
}

/**
 * A generation this page did not submit (another tab's, or one still running when the page was
 * reloaded) completed: its images become the results, rebuilt from their provenance.
 */
export async function showOtherGeneration(job) {
  const ids = ((job.result && job.result.data) || []).map((d) => d.id);
  if (!ids.length) return;
  writeHash({ results: ids });
  await restoreResults();
  $("generate-status").textContent = `${ids.length} image${ids.length === 1 ? "" : "s"} from ${job.id}`;
}

/** Regenerates one slot alone with a new random seed (a job of its own); the other images stay. */
async function reroll(index, button) {
  const slot = results[index];
  const seed = Math.floor(Math.random() * 2 ** 31);
  const request = { ...slot.request, n: 1, seed, response_format: "url" };
  button.disabled = true;
  const card = button.closest("li");
  card.querySelector(".error").hidden = true;
  try {
    const answer = await runJob("/v1/images/generations", request);
    const d = answer.data[0];
    results[index] = { id: d.id, url: d.url, seed: d.seed, request: slot.request };
    renderResults();
    showWarnings($("generate-warnings"), answer.warnings);
  } catch (error) {
    const p = card.querySelector(".error");
    p.textContent = error.message;
    p.hidden = false;
    button.disabled = false;
  }
}

function renderResults() {
  writeHash({ results: results.map((r) => r.id) });
  $("results").replaceChildren(
    ...results.map((r, i) =>
      el(
        "li",
        { class: "card", testid: "result", "data-id": r.id, "data-seed": String(r.seed) },
        el("img", { src: r.url, alt: `Result ${i + 1}, seed ${r.seed}`, loading: "lazy" }),
        el("p", { class: "seed", testid: "result-seed" }, `seed ${r.seed}`),
        el(
          "div",
          { class: "actions" },
          el("button", { type: "button", testid: "reroll", "aria-label": `Reroll result ${i + 1}`,
            onclick: (e) => reroll(i, e.currentTarget) }, "Reroll"),
          el("button", { type: "button", testid: "open-session", "aria-label": `Open result ${i + 1} as a session`,
            onclick: () => openSession({ image: r.id }) }, "Open as session"),
          el("a", { href: downloadUrl(r.id, r.url), download: `${r.id}.png`, testid: "download",
            "aria-label": `Download result ${i + 1}` }, "Download"),
        ),
        el("p", { class: "error", role: "alert", hidden: true }),
      ),
    ),
  );
}

/** Rebuilds the grid from the image ids in the hash (seeds and prompts from provenance). */
export async function restoreResults() {
  const ids = readHash().results;
  if (!ids.length) return;
  const found = [];
  for (const id of ids) {
    try {
      const image = await get(`/v1/images/${encodeURIComponent(id)}`);
      const p = image.provenance || {};
      const request = { prompt: p.prompt || $("prompt").value, size: `${image.width}x${image.height}` };
      found.push({ id, url: image.url, seed: Number(p.seed ?? 0), request });
    } catch {
      // deleted since: drop it
    }
  }
  results = found;
  renderResults();
}
