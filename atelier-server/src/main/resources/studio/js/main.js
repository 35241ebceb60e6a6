// Wires the views together, says which model runs, signs in where the server needs an API key,
// and rebuilds the page from the URL hash.
import { apiKey, clearApiKey, get, probe, setApiKey, whenUnauthorized } from "./api.js";
import { initGallery, showGallery } from "./gallery.js";
import { initGenerate, restoreResults, showOtherGeneration } from "./generate.js";
import { refreshJobs } from "./jobs.js";
import { initSession, loadSession, openSession } from "./session.js";
import { readHash, writeHash } from "./state.js";
import { showError } from "./ui.js";
import { initWork } from "./work.js";

const $ = (id) => document.getElementById(id);

initSession();
initGenerate(async (body) => {
  try {
    await openSession(body);
  } catch (error) {
    showError($("generate-form"), error);
  }
});
initGallery(
  async (image) => {
    try {
      await openSession({ image });
    } catch (error) {
      showError($("gallery"), error);
    }
  },
  async (id) => {
    try {
      await loadSession(id, true);
    } catch (error) {
      showError($("gallery"), error);
    }
  },
);

initWork();
// A job this page did not submit (another tab's, or one from before a reload) completed: a
// generation's images become the results; a round of the session shown shows.
document.addEventListener("studio:job-ended", async ({ detail: { job, owned } }) => {
  if (owned || job.status !== "completed") return;
  try {
    if (job.kind === "image_generation") await showOtherGeneration(job);
    const r = job.result || {};
    const s = r.object === "session" ? r : r.session;
    if (s && s.id === readHash().session) await loadSession(s.id);
  } catch (error) {
    showError($("generate-form"), error);
  }
});

/** The header's "model · engine", and the demo notice when the demo models run. */
async function showModel() {
  try {
    const { data } = await get("/v1/models");
    const model = data[0];
    $("model-info").textContent = `${model.id} · ${model.engine || "local"}`;
    $("demo-notice").hidden = model.demo !== true;
  } catch (error) {
    $("model-info").textContent = `model unknown (${error.message})`;
  }
}

async function restore() {
  const { session, gallery } = readHash();
  refreshJobs();
  await Promise.all([showModel(), restoreResults()]);
  if (session) {
    try {
      await loadSession(session);
    } catch (error) {
      writeHash({ session: "" });
      showError($("generate-form"), error);
    }
  }
  if (gallery) await showGallery();
  document.body.dataset.ready = "true";
}

/** A message for the sign-in screen that outlives the reload a refused key causes. */
const NOTICE = "atelier.signInNotice";

/** "atl_AbCdEfGh…": the key's public prefix, never its secret. */
const keyLabel = (key) => `${key.slice(0, 12)}…`;

/** Shows the sign-in screen alone (the studio stays hidden and untouched), with a message. */
function showSignIn(message = "") {
  document.body.dataset.auth = "signin";
  $("signin").hidden = false;
  $("account").hidden = true;
  const slot = $("signin-form").querySelector('[data-error-for="key"]');
  slot.textContent = message;
  slot.hidden = !message;
  $("api-key").focus();
}

/** Forgets the key and starts the page again on the sign-in screen, keeping nothing shown. */
function signOut(message = "", keepHash = false) {
  clearApiKey();
  if (message) sessionStorage.setItem(NOTICE, message);
  if (!keepHash) history.replaceState(null, "", location.pathname);
  location.reload();
}

// A key the API stops accepting (revoked, or keys turned on since the page loaded): back to the
// sign-in screen, with the API's message. The hash stays, so signing in again restores the view.
let refused = false;
whenUnauthorized((error) => {
  if (refused) return;
  refused = true;
  signOut(error.message, true);
});

$("sign-out").addEventListener("click", () => signOut());
$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const key = $("api-key").value.trim();
  const button = e.currentTarget.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await probe(key);
  } catch (error) {
    showSignIn(error.message);
    $("api-key").setAttribute("aria-invalid", "true");
    return;
  } finally {
    button.disabled = false;
  }
  setApiKey(key);
  $("api-key").value = "";
  await start();
});

/** Shows the studio, with who is signed in when a key is held, and restores it from the hash. */
async function start() {
  delete document.body.dataset.auth;
  $("signin").hidden = true;
  $("api-key").removeAttribute("aria-invalid");
  const key = apiKey();
  $("account").hidden = !key;
  $("signed-in-as").textContent = key ? keyLabel(key) : "";
  await restore();
}

/** Signs in with the stored key (or none); the sign-in screen when the API refuses it. */
async function boot() {
  const notice = sessionStorage.getItem(NOTICE) || "";
  sessionStorage.removeItem(NOTICE);
  const held = apiKey();
  try {
    await probe(held);
  } catch (error) {
    if (error.status !== 401) throw error;
    clearApiKey();
    showSignIn(notice || (held ? error.message : ""));
    document.body.dataset.ready = "true";
    return;
  }
  await start();
}

boot().catch(() => start());
