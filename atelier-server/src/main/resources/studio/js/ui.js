// Small DOM helpers shared by the views.

/** Creates an element: el("button", {class: "x", onclick}, "text", child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "testid") node.dataset.testid = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

/** Clears every field error inside root. */
export function clearErrors(root) {
  for (const p of root.querySelectorAll("[data-error-for]")) {
    p.textContent = "";
    p.hidden = true;
  }
  for (const f of root.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
}

/**
 * Shows an error next to the field its `param` names (e.g. "size" or "references[0].weight"),
 * or in the form's general slot ("") when no field matches.
 */
export function showError(root, error) {
  const param = (error.param || "").replace(/[[.].*$/, "");
  let slot = root.querySelector(`[data-error-for="${CSS.escape(param)}"]`);
  if (!slot) slot = root.querySelector('[data-error-for=""]');
  slot.textContent = error.message;
  slot.hidden = false;
  const field = param && root.querySelector(`[name="${CSS.escape(param)}"]`);
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

/** Renders a list of warnings into a container (hidden when empty). */
export function showWarnings(container, warnings) {
  container.replaceChildren(...(warnings || []).map((w) => el("li", {}, w)));
  container.hidden = !warnings || warnings.length === 0;
}

/** Reads a File as a data URL. */
export function readDataUrl(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
