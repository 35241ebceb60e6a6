// Wires the views together, says which model runs, and rebuilds the page from the URL hash.
import { get } from "./api.js";
import { initGallery, showGallery } from "./gallery.js";
import { initGenerate, restoreResults } from "./generate.js";
import { initSession, loadSession, openSession } from "./session.js";
import { readHash, writeHash } from "./state.js";
import { showError } from "./ui.js";

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

restore();
