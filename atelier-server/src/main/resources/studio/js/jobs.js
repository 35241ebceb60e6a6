// Image work as jobs: submitted with `Prefer: respond-async` (202 and the job at once), then
// followed to its end; and the caller's open jobs (queued, in progress) that the Work panel shows.
//
// A job this page submitted is followed through GET /v1/jobs/{id}/events, read with fetch() (an
// EventSource cannot send the Authorization header a keyed server needs): progress and step
// previews as they happen and the end the moment it comes. At most MAX_STREAMS are open at once, so
// a long queue never takes every connection the browser allows a host. The open jobs are also
// listed (GET /v1/jobs?status=queued, then in_progress) every POLL_MS while any is open: that shows
// jobs of other tabs or of before a reload, and finds the end of a job whose stream broke or that
// had no stream (GET /v1/jobs/{id} once it leaves the lists).
import { ApiError, ASYNC, call, events, get, post } from "./api.js";

const POLL_MS = 1000;
const MAX_STREAMS = 2;
const PAGE = 100;
const ENDS = new Set(["completed", "failed", "cancelled"]);

/** The open jobs by id, as last seen (a list, a stream's progress, a cancel's answer). */
const open = new Map();
/** Jobs this page submitted and waits for: id -> {resolve, onEvent, lastEventId, stream}. */
const followed = new Map();
/** Jobs whose end was announced (each is announced once). */
const ended = new Set();
/** Jobs whose cancel was asked for (their button stays disabled). */
export const cancelling = new Set();
let changed = () => {};
let timer = 0;
let polling = false;
let again = false;
let pollError = null;

/** Sets what runs after every change of the open jobs (the Work panel's render). */
export function whenJobsChange(handler) {
  changed = () => handler([...open.values()], pollError);
}

export const isEnded = (job) => ENDS.has(job.status);

/**
 * POSTs `body` to `path` as a job; resolves with {job, done} once the server accepted it (202),
 * where `done` resolves with the job when it has ended. onEvent(type, data) gets its `progress`
 * and `partial_image` events. A refused request (4xx) throws its ApiError and makes no job.
 */
export async function submitJob(path, body, onEvent = () => {}) {
  const job = await call("POST", path, body, ASYNC);
  const done = new Promise((resolve) => {
    followed.set(job.id, { resolve, onEvent, lastEventId: "", stream: null });
  });
  if (isEnded(job)) {
    finish(job); // an idempotent replay of a job that ended
  } else {
    open.set(job.id, job);
    changed();
    follow();
    refreshJobs();
  }
  return { job, done };
}

/**
 * A job's result: what the waiting call would have answered. Throws the failed job's ApiError, or
 * an ApiError with code `job_cancelled` for a cancelled one (as the waiting call answers).
 */
export function jobResult(job) {
  if (job.status === "completed") return job.result;
  if (job.status === "failed") {
    throw new ApiError(500, job.error || { message: `job ${job.id} failed` });
  }
  throw new ApiError(409, {
    message: `job ${job.id} was cancelled before it finished; nothing was stored`,
    code: "job_cancelled",
  });
}

/** Submits a job and resolves with its result (see jobResult). */
export async function runJob(path, body, onEvent) {
  const { done } = await submitJob(path, body, onEvent);
  return jobResult(await done);
}

/** Asks the server to cancel job `id` (a queued one ends at once, a running one at its next step). */
export async function cancelJob(id) {
  cancelling.add(id);
  changed();
  try {
    const job = await post(`/v1/jobs/${encodeURIComponent(id)}/cancel`);
    if (isEnded(job)) finish(job);
    else if (!ended.has(id)) open.set(id, job);
  } catch (error) {
    cancelling.delete(id);
    throw error;
  } finally {
    changed();
    refreshJobs();
  }
}

/** Lists the open jobs now (and then every POLL_MS while any is open). */
export function refreshJobs() {
  clearTimeout(timer);
  timer = 0;
  if (polling) {
    again = true;
    return;
  }
  poll();
}

function schedule() {
  if (!timer && (open.size || followed.size)) timer = setTimeout(refreshJobs, POLL_MS);
}

async function poll() {
  polling = true;
  try {
    // Queued first: a job that starts between the two calls is then in the second list.
    const queued = await get(`/v1/jobs?status=queued&limit=${PAGE}`);
    const running = await get(`/v1/jobs?status=in_progress&limit=${PAGE}`);
    const now = new Map();
    for (const job of [...queued.data, ...running.data]) {
      if (!ended.has(job.id)) now.set(job.id, job);
    }
    const gone = new Set([...open.keys(), ...followed.keys()].filter((id) => !now.has(id)));
    open.clear();
    now.forEach((job, id) => open.set(id, job));
    for (const id of gone) {
      const job = await get(`/v1/jobs/${encodeURIComponent(id)}`).catch(() => null);
      if (ended.has(id)) continue;
      if (job && isEnded(job)) finish(job);
      else if (job) open.set(id, job);
      else forget(id);
    }
    pollError = null;
  } catch (error) {
    pollError = error;
  } finally {
    polling = false;
    changed();
    follow();
    if (again) {
      again = false;
      refreshJobs();
    } else {
      schedule();
    }
  }
}

/** Opens event streams for followed jobs that have none, while fewer than MAX_STREAMS are open. */
function follow() {
  let streams = [...followed.values()].filter((f) => f.stream).length;
  for (const [id, f] of followed) {
    if (streams >= MAX_STREAMS) return;
    if (f.stream) continue;
    streams++;
    f.stream = new AbortController();
    const path = `/v1/jobs/${encodeURIComponent(id)}/events`;
    events(path, f.lastEventId, (type, data, eventId) => onJobEvent(id, f, type, data, eventId), f.stream.signal)
      .catch(() => {
        // broken or aborted: the next poll finds the job (and opens a stream again)
      })
      .finally(() => {
        f.stream = null;
        if (followed.has(id)) schedule();
        else follow();
      });
  }
}

function onJobEvent(id, f, type, data, eventId) {
  if (eventId) f.lastEventId = eventId;
  if (ENDS.has(type)) {
    f.stream = null; // the server ends this stream itself
    finish(data);
    return;
  }
  if (type === "progress") {
    const job = open.get(id);
    if (job) {
      open.set(id, { ...job, status: "in_progress", queue_position: null, progress: data });
      changed();
    }
  }
  f.onEvent(type, data);
}

/** Announces the end of `job` once: its waiter, the Work panel, and a `studio:job-ended` event. */
function finish(job) {
  if (ended.has(job.id)) return;
  ended.add(job.id);
  open.delete(job.id);
  cancelling.delete(job.id);
  const f = followed.get(job.id);
  followed.delete(job.id);
  if (f) {
    if (f.stream) f.stream.abort();
    f.resolve(job);
  }
  if (job.status === "completed") document.dispatchEvent(new CustomEvent("studio:stored"));
  document.dispatchEvent(new CustomEvent("studio:job-ended", { detail: { job, owned: Boolean(f) } }));
  changed();
}

/** Drops a job the server no longer shows (deleted, or another key's). */
function forget(id) {
  open.delete(id);
  const f = followed.get(id);
  if (f) finish({ id, status: "failed", error: { message: `job ${id} is gone` } });
}
