// The page's state in the URL hash (#results=img_a,img_b&session=ses_x&gallery=1), so a reload
// loses nothing.

export function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return {
    results: (params.get("results") || "").split(",").filter(Boolean),
    session: params.get("session") || "",
    gallery: params.get("gallery") === "1",
  };
}

export function writeHash(change) {
  const state = { ...readHash(), ...change };
  const params = new URLSearchParams();
  if (state.results.length) params.set("results", state.results.join(","));
  if (state.session) params.set("session", state.session);
  if (state.gallery) params.set("gallery", "1");
  history.replaceState(null, "", `#${params.toString().replace(/%2C/g, ",")}`);
}
