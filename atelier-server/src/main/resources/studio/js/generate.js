// The generate form: streamed generation with step previews, the result grid, reroll, errors.
import { downloadUrl, get, post, stream } from "./api.js";
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

async function generate() {
  const form = $("generate-form");
  const button = form.querySelector('[data-testid="generate"]');
  clearErrors(form);
  showWarnings($("generate-warnings"), []);
  const request = await formRequest();
  const progress = $("progress");
  const partials = 2;
  const total = partials + (request.n || 1);
  let done = 0;
  progress.max = total;
  progress.value = 0;
  progress.hidden = false;
  button.disabled = true;
  const made = [];
  const warnings = new Set();
  let report = null;
  $("consistency-report").hidden = true;
  const started = performance.now();
  let previews = 0;
  $("generate-status").textContent = "Generating…";
  try {
    await stream("/v1/images/generations", { ...request, partial_images: partials }, (type, d) => {
      if (type.endsWith("partial_image")) {
        previews++;
        $("previews").replaceChildren(
          el("img", { src: `data:image/${d.output_format || "png"};base64,${d.b64_json}`,
            alt: `Step preview ${d.partial_image_index + 1}`, testid: "step-preview" }));
      } else if (type.endsWith("completed")) {
        made.push({ id: d.id, url: d.url, seed: d.seed, request });
        if (d.consistency_report) report = { mode: d.consistency, ...d.consistency_report };
        (d.warnings || []).forEach((w) => warnings.add(w));
      }
      progress.value = ++done;
    });
    results = made;
    renderResults();
    document.dispatchEvent(new CustomEvent("studio:stored"));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    $("generate-status").textContent =
      `${made.length} image${made.length === 1 ? "" : "s"} in ${seconds} s (${previews} step preview${previews === 1 ? "" : "s"})`;
    showWarnings($("generate-warnings"), [...warnings]);
    if (report) {
      $("consistency-report").textContent =
        `${report.mode}: mean palette difference ${report.palette_ciede2000.toFixed(1)} CIEDE2000, ` +
        `Lab histogram distance ${report.lab_histogram_distance.toFixed(3)} over ${report.pairs} pairs`;
      $("consistency-report").hidden = false;
    }
  } catch (error) {
    $("generate-status").textContent = "";
    showError(form, error);
  } finally {
    progress.hidden = true;
    button.disabled = false;
    $("previews").replaceChildren();
  }
}

/** Regenerates one slot alone with a new random seed; the other images stay. */
async function reroll(index, button) {
  const slot = results[index];
  const seed = Math.floor(Math.random() * 2 ** 31);
  const request = { ...slot.request, n: 1, seed, response_format: "url" };
  button.disabled = true;
  const card = button.closest("li");
  card.querySelector(".error").hidden = true;
  try {
    const answer = await post("/v1/images/generations", request);
    const d = answer.data[0];
    results[index] = { id: d.id, url: d.url, seed: d.seed, request: slot.request };
    renderResults();
    document.dispatchEvent(new CustomEvent("studio:stored"));
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
