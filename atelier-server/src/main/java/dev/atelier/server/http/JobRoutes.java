package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Ids;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.jobs.JobEvents;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Page;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v1/jobs}: a caller's jobs (OpenAI's list shape, newest first, {@code ?status=}), one job,
 * its cancel, and its events as server-sent events.
 *
 * <p>Another owner's job answers 404 exactly like one that does not exist. Events: {@code progress}
 * ({@code {step, steps, images_done, n}}), {@code partial_image} (when the request asked for
 * partial images), then one of {@code completed}, {@code failed}, {@code cancelled} carrying the
 * job; every event has an {@code id:}, and a client that reconnects with {@code Last-Event-ID} gets
 * the events after it. A job whose events this process does not hold (it ended before a restart)
 * sends its end alone; one that runs in another process (scale-out) sends keep-alive comments and
 * its end once its row shows it, within {@value #KEEP_ALIVE_MILLIS} ms (its progress is then on
 * {@code GET /v1/jobs/{id}}, from the heartbeat).
 */
final class JobRoutes {
  /** How often an idle event stream writes a comment (keeps proxies open, finds gone clients). */
  private static final long KEEP_ALIVE_MILLIS = 10_000;

  private final JobSubmission jobs;
  private final MetadataStore metadata;

  JobRoutes(JobSubmission jobs, MetadataStore metadata) {
    this.jobs = jobs;
    this.metadata = metadata;
  }

  void register(JavalinConfig c) {
    c.routes.get("/v1/jobs", this::list);
    c.routes.get("/v1/jobs/{id}", ctx -> Routes.send(ctx, 200, render(ctx, owned(ctx))));
    c.routes.post("/v1/jobs/{id}/cancel", this::cancel);
    c.routes.get("/v1/jobs/{id}/events", this::events);
  }

  private JsonValue.Obj render(Context ctx, Job job) {
    return jobs.render(job, Routes.urls(ctx));
  }

  /** The job of the path if the caller may see it; 404 otherwise, as for a missing one. */
  private Job owned(Context ctx) {
    String id = ctx.pathParam("id");
    Caller caller = Caller.of(ctx);
    if (!Ids.isValid("job", id)) {
      throw notFound(id);
    }
    return metadata.job(id).filter(j -> caller.owns(j.owner())).orElseThrow(() -> notFound(id));
  }

  static AtelierException.NotFound notFound(String id) {
    return new AtelierException.NotFound("id", "no job with id '" + Gallery.shown(id) + "'");
  }

  private void list(Context ctx) {
    Caller caller = Caller.of(ctx);
    int limit = Gallery.limit(ctx);
    String after = Gallery.after(ctx, "job", "a job");
    Optional<JobStatus> status = Optional.empty();
    String raw = ctx.queryParam("status");
    if (raw != null && !raw.isEmpty()) {
      status =
          Optional.of(
              JobStatus.of(raw)
                  .orElseThrow(
                      () ->
                          new AtelierException.InvalidRequest(
                              "status",
                              "status must be one of queued, in_progress, completed, failed,"
                                  + " cancelled but was '"
                                  + Gallery.shown(raw)
                                  + "'")));
    }
    Page<Job> page =
        metadata
            .jobs(Gallery.scope(caller), status, limit, after)
            .orElseThrow(() -> Gallery.unknown(after, "job"));
    Routes.send(ctx, 200, Gallery.list(page, Job::id, j -> render(ctx, j)));
  }

  private void cancel(Context ctx) {
    Job job = owned(ctx);
    Job after = jobs.runner().cancel(job.id()).orElse(job);
    Routes.send(ctx, 200, render(ctx, after));
  }

  private void events(Context ctx) throws IOException, InterruptedException {
    Job job = owned(ctx);
    long last = lastEventId(ctx);
    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setContentType("text/event-stream; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("X-Accel-Buffering", "no");
    OutputStream out = res.getOutputStream();
    Optional<JobEvents> held =
        job.status().terminal()
            ? jobs.runner().events(job.id())
            : Optional.of(jobs.runner().follow(job.id()));
    if (held.isEmpty()) {
      // Ended before this process kept its events: its end is all there is.
      write(out, "end", job.status().wire(), render(ctx, job));
      return;
    }
    JobEvents events = held.get();
    while (true) {
      List<JobEvents.Event> batch = events.after(last, KEEP_ALIVE_MILLIS);
      for (JobEvents.Event e : batch) {
        write(
            out,
            Long.toString(e.id()),
            e.type(),
            e.type().equals("progress") || e.type().equals("partial_image")
                ? e.data()
                : render(ctx, metadata.job(job.id()).orElse(job)));
        last = e.id();
        if (e.last()) {
          return;
        }
      }
      if (batch.isEmpty() && events.ended()) {
        return; // the client had seen the end already
      }
      if (batch.isEmpty()) {
        Job now = metadata.job(job.id()).orElse(job);
        if (now.status().terminal() && !events.ended()) {
          // It ended elsewhere (another process, or recovered as interrupted).
          write(out, "end", now.status().wire(), render(ctx, now));
          return;
        }
        out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }
  }

  /** {@code Last-Event-ID} (or {@code ?last_event_id=}), 0 when absent or not a number. */
  private static long lastEventId(Context ctx) {
    String raw = ctx.header("Last-Event-ID");
    if (raw == null) {
      raw = ctx.queryParam("last_event_id");
    }
    if (raw == null) {
      return 0;
    }
    try {
      return Long.parseLong(raw.strip());
    } catch (NumberFormatException e) {
      return raw.strip().equals("end") ? Long.MAX_VALUE : 0;
    }
  }

  private static void write(OutputStream out, String id, String type, JsonValue.Obj data)
      throws IOException {
    String text = "id: " + id + "\nevent: " + type + "\ndata: " + Json.write(data) + "\n\n";
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
