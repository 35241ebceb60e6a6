// The session view: round tree, instruction with its live plan, region preview, apply, undo,
// restart, before/after, fidelity, downloads.
import { downloadUrl, get, post } from "./api.js";
import { runJob } from "./jobs.js";
import { MaskCanvas } from "./mask.js";
import { writeHash } from "./state.js";
import { clearErrors, el, showError, showWarnings } from "./ui.js";
import { sessionZip } from "./archive.js";

const $ = (id) => document.getElementById(id);
let session = null;
let mask = null;
/** Fidelity reports by round id (they come with a round's answer only). */
const fidelity = new Map();
let planSeq = 0;
let planTimer = 0;

export function initSession() {
  mask = new MaskCanvas($("mask"), $("brush-size"));
  $("instruction").addEventListener("input", () => {
    clearTimeout(planTimer);
    planTimer = setTimeout(showPlan, 300);
  });
  $("preview-region").addEventListener("click", previewRegion);
  $("clear-region").addEventListener("click", () => {
    mask.clear();
    $("mask-tools").hidden = true;
  });
  $("edit-form").addEventListener("submit", (e) => {
    e.preventDefault();
    apply();
  });
  $("undo").addEventListener("click", () => act(() => post(`${path()}/undo`)));
  $("restart").addEventListener("click", () =>
    act(() => runJob(`${path()}/restart`, {}), "Restarted.", "Restarting (see Work)…"));
  $("slider").addEventListener("input", updateSlider);
  $("download-session").addEventListener("click", downloadSession);
  $("close-session").addEventListener("click", () => {
    session = null;
    $("session").hidden = true;
    writeHash({ session: "" });
  });
}

const path = () => `/v1/sessions/${encodeURIComponent(session.id)}`;

/** Creates a session from {image: id} and shows it. */
export async function openSession(body) {
  const created = await post("/v1/sessions", body);
  show(created);
  stored();
  $("session").scrollIntoView({ block: "start" });
  $("instruction").focus();
}

/** Shows a stored session (after a reload, or from the gallery). */
export async function loadSession(id, scroll = false) {
  show(await get(`/v1/sessions/${encodeURIComponent(id)}`));
  if (scroll) $("session").scrollIntoView({ block: "start" });
}

/** Tells the other views (the gallery) that something new was stored. */
const stored = () => document.dispatchEvent(new CustomEvent("studio:stored"));

/**
 * Runs a session action, then shows the session it answers with (or the round answer's). `working`
 * is the status while it runs (a job's, which the Work panel shows and can cancel).
 */
async function act(run, status = "", working = "") {
  const form = $("edit-form");
  clearErrors(form);
  setBusy(true);
  $("edit-status").textContent = working;
  try {
    const answer = await run();
    if (answer.round) {
      if (answer.fidelity) fidelity.set(answer.round.id, answer.fidelity);
      showWarnings($("edit-warnings"), answer.warnings);
      show(answer.session);
    } else {
      show(answer);
    }
    $("edit-status").textContent = status;
    stored();
  } catch (error) {
    if (error.code === "job_cancelled") {
      $("edit-status").textContent = "Cancelled; the session is unchanged.";
    } else {
      $("edit-status").textContent = "";
      showError(form, error);
    }
  } finally {
    setBusy(false);
  }
}

function setBusy(busy) {
  for (const b of document.querySelectorAll("#session button")) b.disabled = busy;
  $("session").setAttribute("aria-busy", String(busy));
}

function show(s) {
  session = s;
  writeHash({ session: s.id });
  $("session").hidden = false;
  $("session-id").textContent = s.id;
  renderTree();
  const head = s.rounds.find((r) => r.id === s.head);
  const parent = s.rounds.find((r) => r.id === head.parent) || head;
  $("after").src = head.image_url;
  $("before").src = parent.image_url;
  $("compare").dataset.headImage = head.image_id;
  $("download-head").href = downloadUrl(head.image_id, head.image_url);
  $("download-head").download = `${head.image_id}.png`;
  $("slider").value = 100;
  updateSlider();
  mask.clear();
  $("mask-tools").hidden = true;
  const report = fidelity.get(head.id);
  $("fidelity-box").hidden = !report;
  $("fidelity").replaceChildren(...(report ? definitions(report) : []));
}

function renderTree() {
  const children = new Map();
  for (const r of session.rounds) {
    const key = r.parent || "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(r);
  }
  const branch = (parentId) =>
    (children.get(parentId) || []).map((r) => {
      const kids = branch(r.id);
      const head = r.id === session.head;
      return el(
        "li",
        { "data-round-id": r.id, "data-parent": r.parent || "", "data-kind": r.kind, testid: "round" },
        el(
          "button",
          { type: "button", class: "round", "aria-current": head ? "true" : undefined,
            "aria-label": `${r.kind} round${r.instruction ? ": " + r.instruction : ""}${head ? " (current)" : ""}`,
            onclick: () => act(() => post(`${path()}/checkout`, { round_id: r.id })) },
          el("img", { src: r.image_url, alt: "" }),
          el("span", { class: "kind" }, r.kind),
          el("span", { class: "text" }, r.instruction || "start"),
        ),
        kids.length ? el("ul", {}, ...kids) : undefined,
      );
    });
  $("tree").replaceChildren(...branch(""));
}

function updateSlider() {
  const v = Number($("slider").value);
  $("after").style.clipPath = `inset(0 0 0 ${100 - v}%)`;
  $("slider").setAttribute("aria-valuetext", `${v}% after`);
}

async function showPlan() {
  const instruction = $("instruction").value.trim();
  const box = $("plan");
  const seq = ++planSeq;
  if (!instruction) {
    box.hidden = true;
    return;
  }
  try {
    const plan = await post("/v1/edits/plan", { instruction });
    if (seq !== planSeq) return;
    renderPlan(plan);
  } catch (error) {
    if (seq !== planSeq) return;
    box.replaceChildren(el("p", { class: "error" }, error.message));
    box.hidden = false;
  }
}

function renderPlan(plan) {
  const { warnings = [], ...rest } = plan;
  const parts = [el("h3", {}, "Plan"), el("dl", { testid: "plan-fields" }, ...definitions(rest))];
  if (warnings.length) {
    parts.push(el("ul", { class: "warnings", testid: "plan-warnings" }, ...warnings.map((w) => el("li", {}, w))));
  }
  $("plan").replaceChildren(...parts);
  $("plan").hidden = false;
}

function definitions(obj) {
  return Object.entries(obj).flatMap(([k, v]) => [el("dt", {}, k.replace(/_/g, " ")), el("dd", {}, describe(v))]);
}

/** A plan or report value in words: null as a dash, lists joined, objects as key: value. */
function describe(v) {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.length ? v.map(describe).join(", ") : "—";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (typeof v === "object") {
    return Object.entries(v)
      .filter(([, x]) => x !== null)
      .map(([k, x]) => `${k.replace(/_/g, " ")}: ${describe(x)}`)
      .join("; ");
  }
  return String(v);
}

async function previewRegion() {
  const form = $("edit-form");
  clearErrors(form);
  const head = session.rounds.find((r) => r.id === session.head);
  try {
    const answer = await post("/v1/images/edits", {
      image: head.image_id,
      prompt: $("instruction").value,
      dry_run: true,
    });
    if (!answer.mask) throw new Error("the server answered without a mask");
    renderPlan({ ...answer.plan, warnings: answer.warnings });
    await mask.load(answer.mask);
    $("mask-tools").hidden = false;
    $("edit-status").textContent = "Region shown; adjust it with the brush and the eraser.";
  } catch (error) {
    showError(form, error);
  }
}

function apply() {
  const body = { instruction: $("instruction").value };
  if (mask.active) {
    body.mask = mask.toDataUrl();
    body.mask_mode = "white";
  }
  return act(() => runJob(`${path()}/rounds`, body), "Applied.", "Applying (see Work)…");
}

async function downloadSession() {
  const url = URL.createObjectURL(await sessionZip(session));
  const a = el("a", { href: url, download: `${session.id}.zip` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
