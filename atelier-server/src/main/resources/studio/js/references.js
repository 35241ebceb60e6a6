// The generate form's reference rows: an image (file or image id), a role and a weight.
import { el, readDataUrl } from "./ui.js";

const ROLES = ["style", "subject", "character", "object"];
let counter = 0;

/** Adds an empty reference row to the list. */
export function addReferenceRow(list, imageId = "") {
  const k = ++counter;
  const weightOut = el("output", { for: `ref-weight-${k}` }, "1.00");
  const row = el(
    "li",
    { class: "reference row", testid: "reference" },
    el(
      "div",
      { class: "field" },
      el("label", { for: `ref-file-${k}` }, "Image file"),
      el("input", { id: `ref-file-${k}`, type: "file", accept: "image/*", class: "ref-file" }),
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: `ref-id-${k}` }, "or image id"),
      el("input", { id: `ref-id-${k}`, class: "ref-id", value: imageId, placeholder: "img_...", testid: "reference-id" }),
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: `ref-role-${k}` }, "Role"),
      el("select", { id: `ref-role-${k}`, class: "ref-role", testid: "reference-role" },
        ...ROLES.map((r) => el("option", { value: r }, r))),
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: `ref-weight-${k}` }, "Weight"),
      el(
        "div",
        { class: "inline" },
        el("input", {
          id: `ref-weight-${k}`, class: "ref-weight", type: "range", min: "0", max: "1", step: "0.05", value: "1",
          oninput: (e) => (weightOut.textContent = Number(e.target.value).toFixed(2)),
        }),
        weightOut,
      ),
    ),
    el("button", { type: "button", class: "remove", onclick: () => row.remove(), "aria-label": `Remove reference ${k}` }, "Remove"),
  );
  list.append(row);
  return row;
}

/** The rows as the API's `references` array (rows without an image are skipped). */
export async function readReferences(list) {
  const out = [];
  for (const row of list.querySelectorAll("li.reference")) {
    const file = row.querySelector(".ref-file").files[0];
    const id = row.querySelector(".ref-id").value.trim();
    const image = file ? await readDataUrl(file) : id;
    if (!image) continue;
    out.push({
      image,
      role: row.querySelector(".ref-role").value,
      weight: Number(row.querySelector(".ref-weight").value),
    });
  }
  return out;
}
