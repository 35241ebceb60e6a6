// The gallery: stored images and sessions, newest first, a page at a time (GET /v1/images and
// GET /v1/sessions with `after`). An image opens as a session, as a result does; a session opens
// in the session view.
import { downloadUrl, get } from "./api.js";
import { writeHash } from "./state.js";
import { el, showError } from "./ui.js";

const $ = (id) => document.getElementById(id);
const PAGE = 12;
let openImage = async () => {};
let openStored = async () => {};
/** Bumped by every reload, so that a page that answers after a newer reload is dropped. */
let generation = 0;

/**
 * Wires the gallery: onOpenImage(id) opens an image as a session, onOpenSession(id) shows a
 * stored session.
 */
export function initGallery(onOpenImage, onOpenSession) {
  openImage = onOpenImage;
  openStored = onOpenSession;
  $("open-gallery").addEventListener("click", () => {
    if ($("gallery").hidden) showGallery(true);
    else closeGallery();
  });
  $("close-gallery").addEventListener("click", closeGallery);
  $("refresh-gallery").addEventListener("click", reload);
  $("more-images").addEventListener("click", (e) => more(e.currentTarget, "images"));
  $("more-sessions").addEventListener("click", (e) => more(e.currentTarget, "sessions"));
  // Something new was stored (a generation, a session, a round): an open gallery shows it.
  document.addEventListener("studio:stored", () => {
    if (!$("gallery").hidden) reload();
  });
}

/** Shows the gallery and loads its first pages; scrolls to it when asked. */
export async function showGallery(scroll = false) {
  $("gallery").hidden = false;
  $("open-gallery").setAttribute("aria-expanded", "true");
  writeHash({ gallery: true });
  if (scroll) $("gallery").scrollIntoView({ block: "start" });
  await reload();
}

function closeGallery() {
  $("gallery").hidden = true;
  $("open-gallery").setAttribute("aria-expanded", "false");
  writeHash({ gallery: false });
}

const lists = {
  images: { path: "/v1/images", list: "gallery-images", button: "more-images", card: imageCard },
  sessions: { path: "/v1/sessions", list: "gallery-sessions", button: "more-sessions", card: sessionCard },
};

async function reload() {
  const seq = ++generation;
  const box = $("gallery");
  box.setAttribute("aria-busy", "true");
  box.querySelector('[data-error-for=""]').hidden = true;
  try {
    const pages = await Promise.all(Object.values(lists).map((l) => get(`${l.path}?limit=${PAGE}`)));
    if (seq !== generation) return;
    Object.values(lists).forEach((l, i) => render(l, pages[i], false));
  } catch (error) {
    if (seq === generation) showError(box, error);
  } finally {
    if (seq === generation) box.setAttribute("aria-busy", "false");
  }
}

async function more(button, kind) {
  const l = lists[kind];
  const seq = generation;
  button.disabled = true;
  try {
    const after = encodeURIComponent(button.dataset.after);
    const page = await get(`${l.path}?limit=${PAGE}&after=${after}`);
    if (seq === generation) render(l, page, true);
  } catch (error) {
    showError($("gallery"), error);
  } finally {
    button.disabled = false;
  }
}

/** Shows a page: replacing the list, or appending to it (a "more" page). */
function render(l, page, append) {
  const items = page.data.map(l.card);
  const list = $(l.list);
  if (append) list.append(...items);
  else list.replaceChildren(...items);
  list.nextElementSibling.hidden = list.children.length > 0; // the "nothing yet" line
  const button = $(l.button);
  button.hidden = !page.has_more;
  button.dataset.after = page.last_id || "";
}

const when = (seconds) => new Date(seconds * 1000).toLocaleString();

function imageCard(image) {
  const prompt = (image.provenance && image.provenance.prompt) || "";
  const label = prompt ? `“${prompt}”` : image.id;
  return el(
    "li",
    { class: "card", testid: "gallery-image", "data-id": image.id },
    el("img", { src: image.url, alt: `Image ${label}`, loading: "lazy" }),
    el("p", { class: "caption" }, prompt || "(no prompt)"),
    el("p", { class: "meta" }, `${image.width}x${image.height} · ${when(image.created_at)}`),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", testid: "gallery-open-image", "aria-label": `Open image ${label} as a session`,
        onclick: () => openImage(image.id) }, "Open as session"),
      el("a", { href: downloadUrl(image.id, image.url), download: `${image.id}.${image.format === "jpeg" ? "jpg" : image.format}`,
        "aria-label": `Download image ${label}` }, "Download"),
    ),
  );
}

function sessionCard(s) {
  const label = s.prompt ? `“${s.prompt}”` : s.id;
  return el(
    "li",
    { class: "card", testid: "gallery-session", "data-id": s.id },
    el("img", { src: s.current_image_url, alt: `Session ${label}, current image`, loading: "lazy" }),
    el("p", { class: "caption" }, s.prompt || "(started from an image)"),
    el("p", { class: "meta" },
      `${s.round_count} round${s.round_count === 1 ? "" : "s"} · ${when(s.created_at)}`),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", testid: "gallery-open-session", "aria-label": `Open session ${label}`,
        onclick: () => openStored(s.id) }, "Open"),
    ),
  );
}
