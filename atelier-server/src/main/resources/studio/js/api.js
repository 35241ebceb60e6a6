// Fetch wrappers for Atelier's public API, and a reader for server-sent events (a job's events).
// Every API request goes through send(), which adds the signed-in key as `Authorization: Bearer`
// (the key lives in sessionStorage only and never goes into a URL).

const KEY = "atelier.apiKey";

/** The API key this tab signed in with, "" when none. */
export const apiKey = () => sessionStorage.getItem(KEY) || "";
export const setApiKey = (key) => sessionStorage.setItem(KEY, key);
export const clearApiKey = () => sessionStorage.removeItem(KEY);

/** Called with the ApiError when the API answers 401 invalid_api_key (set by main.js). */
let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** fetch() with the key's Authorization header added (`key` overrides the stored one). */
export function send(path, init = {}, key = apiKey()) {
  const headers = { ...(init.headers || {}) };
  if (key) headers.Authorization = `Bearer ${key}`;
  return fetch(path, { ...init, headers });
}

/** Throws the response's ApiError, after telling main.js when the key is missing or invalid. */
async function refuse(response) {
  const error = await failure(response);
  if (error.status === 401 && error.code === "invalid_api_key") onUnauthorized(error);
  return error;
}

/**
 * Asks GET /v1/sessions?limit=1 with `key` ("" for none): resolves when the API lets it in (a 403
 * for a key without the sessions scope still proves the key), throws the ApiError of a 401.
 */
export async function probe(key) {
  const response = await send("/v1/sessions?limit=1", {}, key);
  if (response.status === 401) throw await failure(response);
}

/** An API error: OpenAI's {"error": {message, type, param, code}} with the HTTP status. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.param = error.param || "";
    this.code = error.code || "";
    this.type = error.type || "";
  }
}

async function failure(response) {
  let error = { message: `HTTP ${response.status}` };
  try {
    const body = await response.json();
    if (body && body.error) error = body.error;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, error);
}

/**
 * Sends a JSON request and returns the parsed JSON answer; throws ApiError on 4xx/5xx. `headers`
 * are added to the request's (e.g. ASYNC).
 */
export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await send(path, init);
  if (!response.ok) throw await refuse(response);
  return response.json();
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body ?? {});

/** The header that asks for a 202 with the job instead of waiting for it (RFC 7240). */
export const ASYNC = { Prefer: "respond-async" };

/**
 * GETs server-sent events from `path` and calls onEvent(type, data, id) for each, resuming after
 * event `lastEventId` when given (`Last-Event-ID`); resolves when the server ends the stream.
 * A JSON 4xx before the stream starts throws ApiError, as does an `error` event.
 */
export async function events(path, lastEventId, onEvent, signal) {
  const headers = { Accept: "text/event-stream" };
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  const response = await send(path, { headers, signal });
  if (!response.ok) throw await refuse(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      dispatch(block, onEvent);
    }
    if (done) break;
  }
  if (buffer.trim()) dispatch(buffer, onEvent);
}

function dispatch(block, onEvent) {
  let type = "message";
  let id = "";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue; // keep-alive comment
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("id:")) id = line.slice(3).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return;
  const payload = JSON.parse(data.join("\n"));
  if (type === "error" || payload.type === "error") {
    throw new ApiError(500, payload.error || { message: "the stream failed" });
  }
  onEvent(type, payload, id);
}

/**
 * The href of a download link for a stored image: the signed URL the API returned when signed in
 * (a plain /content link would need the key), the plain never-expiring path when the server has
 * no keys. Images shown in <img> always use the signed URL.
 */
export const downloadUrl = (id, signedUrl) =>
  apiKey() ? signedUrl : `/v1/images/${encodeURIComponent(id)}/content`;
