// Fetch wrappers for Atelier's public API, and a reader for server-sent events answering a POST.

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

/** Sends a JSON request and returns the parsed JSON answer; throws ApiError on 4xx/5xx. */
export async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response.json();
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body ?? {});

/**
 * POSTs {...body, stream: true} and calls onEvent(type, data) for every event of the answer.
 * A JSON 4xx before the stream starts throws ApiError; an `error` event throws one too.
 */
export async function stream(path, body, onEvent) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true }),
  });
  if (!response.ok) throw await failure(response);
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
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue; // keep-alive comment
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return;
  const payload = JSON.parse(data.join("\n"));
  if (type === "error" || payload.type === "error") {
    throw new ApiError(500, payload.error || { message: "the stream failed" });
  }
  onEvent(type, payload);
}

/** The URL of a stored image's bytes. */
export const contentUrl = (id) => `/v1/images/${encodeURIComponent(id)}/content`;
