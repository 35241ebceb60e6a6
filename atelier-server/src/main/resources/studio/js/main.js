// Wires the views together and rebuilds the page from the URL hash.
import { initGenerate, restoreResults } from "./generate.js";
import { initSession, loadSession, openSession } from "./session.js";
import { readHash, writeHash } from "./state.js";
import { showError } from "./ui.js";

initSession();
initGenerate(async (body) => {
  try {
    await openSession(body);
  } catch (error) {
    showError(document.getElementById("generate-form"), error);
  }
});

async function restore() {
  const { session } = readHash();
  await restoreResults();
  if (session) {
    try {
      await loadSession(session);
    } catch (error) {
      writeHash({ session: "" });
      showError(document.getElementById("generate-form"), error);
    }
  }
  document.body.dataset.ready = "true";
}

restore();
