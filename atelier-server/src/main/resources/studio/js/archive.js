// A whole session as a ZIP: session.json (the round tree) and every round's image.
import { send } from "./api.js";
import { zip } from "./zip.js";

/** Fetches every round's image and returns the ZIP Blob. */
export async function sessionZip(session) {
  const files = [
    { name: "session.json", bytes: new TextEncoder().encode(JSON.stringify(session, null, 2)) },
  ];
  for (const r of session.rounds) {
    const response = await send(r.image_url);
    if (!response.ok) throw new Error(`image ${r.image_id}: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const type = response.headers.get("Content-Type") || "";
    const ext = type.includes("jpeg") ? "jpg" : type.includes("webp") ? "webp" : "png";
    files.push({ name: `images/${r.id}-${r.image_id}.${ext}`, bytes });
  }
  return zip(files);
}
