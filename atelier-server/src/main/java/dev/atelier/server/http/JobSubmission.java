package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.StepProgress;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Ids;
import dev.atelier.server.ServerConfig;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.auth.RateLimits;
import dev.atelier.server.images.ImageService;
import dev.atelier.server.jobs.JobEvents;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.server.jobs.PendingWrites;
import dev.atelier.store.Idempotency;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How an image-producing request becomes a job and gets its answer.
 *
 * <p>The route's preparation checks the request first (a bad request is a 4xx and stores nothing),
 * then the request is stored as the job's canonical request and queued. With {@code Prefer:
 * respond-async} (RFC 7240) the answer is {@code 202} with the job; otherwise the request waits for
 * its job and answers exactly as before jobs existed: the images response, a session, a round, or
 * server-sent events for {@code stream: true}. A waiting client that goes away cancels its job.
 *
 * <p>{@code Idempotency-Key}: the same key with the same request within 24 h answers with the first
 * request's job (its result when waiting) and runs nothing again; with another request it is a 409
 * naming the header.
 */
final class JobSubmission {
  /** The header that asks for an asynchronous answer. */
  static final String PREFER = "Prefer";

  /** The header of idempotent retries. */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final Routes routes;
  private final ImageService images;
  private final ServerConfig config;
  private volatile JobRunner runner;

  JobSubmission(Routes routes, ImageService images, ServerConfig config) {
    this.routes = routes;
    this.images = images;
    this.config = config;
  }

  void use(JobRunner runner) {
    this.runner = runner;
  }

  JobRunner runner() {
    JobRunner r = runner;
    if (r == null) {
      throw new IllegalStateException("the server was started without a job runner");
    }
    return r;
  }

  /** Registers {@code /v1/jobs} and its sub-routes. */
  void register(io.javalin.config.JavalinConfig c) {
    new JobRoutes(this, images.metadata()).register(c);
  }

  /** Whether {@code ctx} asked for an asynchronous answer ({@code Prefer: respond-async}). */
  static boolean prefersAsync(Context ctx) {
    for (String value :
        ctx.req().getHeaders(PREFER) == null
            ? java.util.Collections.<String>emptyList()
            : java.util.Collections.list(ctx.req().getHeaders(PREFER))) {
      for (String token : value.split(",")) {
        String t = token.strip();
        int semi = t.indexOf(';');
        if (semi >= 0) {
          t = t.substring(0, semi).strip();
        }
        if (t.equalsIgnoreCase("respond-async")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The request's {@code Idempotency-Key}, if it sent one.
   *
   * @throws AtelierException.InvalidRequest naming the header when it is empty, over 255
   *     characters, or not printable ASCII
   */
  static Optional<String> idempotencyKey(Context ctx) {
    String key = ctx.header(IDEMPOTENCY_KEY);
    if (key == null) {
      return Optional.empty();
    }
    if (key.isEmpty()
        || key.length() > 255
        || !key.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
      throw new AtelierException.InvalidRequest(
          IDEMPOTENCY_KEY,
          "the Idempotency-Key header must be 1..255 printable ASCII characters (a UUID is"
              + " typical) but was "
              + (key.isEmpty() ? "empty" : key.length() + " characters long or not printable"));
    }
    return Optional.of(key);
  }

  /** Submits {@code ctx}'s request of {@code kind} as a job and answers it. */
  void submit(Context ctx, JobKind kind) {
    JobRunner runner = runner();
    if (runner.draining()) {
      throw unavailable();
    }
    Optional<String> key = idempotencyKey(ctx);
    boolean async = prefersAsync(ctx);
    ApiRequest req = ApiRequest.read(ctx, kind, config.limits());
    Caller caller = req.caller();
    PendingWrites writes = new PendingWrites(images.metadata());
    Routes.Plan plan = routes.prepare(kind, routes.scope(req, writes));
    if (plan instanceof Routes.Immediate i) {
      Idempotent.answer(ctx, images.metadata(), key, caller, req.hash(), i.status(), i.body());
      return;
    }
    Routes.Work work = (Routes.Work) plan;
    if (caller.concurrentGenerations() > 0 && (async || key.isEmpty())) {
      // A key's limit of image requests at once counts its jobs that are queued or running, on
      // every node (an async request ends before its job does). Checked here before the request's
      // files become blobs, so a refusal stores nothing, and again where the job is queued, in
      // that transaction, which is what holds when nodes race (a retry with a known
      // Idempotency-Key is answered there, before that check).
      int unfinished = images.metadata().unfinished(caller.keyId());
      if (unfinished >= caller.concurrentGenerations()) {
        throw keyBusy(caller, unfinished, runner.retryAfter(0));
      }
    }
    if (key.isEmpty()) {
      // Refused before its files are stored as blobs, so a refusal stores nothing. With a key the
      // queue is checked when queueing, after the key: a retry of a known request is answered
      // even when the queue is full.
      Optional<JobRunner.QueueFull> full = runner.full();
      if (full.isPresent()) {
        throw queueFull(full.get());
      }
    }
    ImageEventStream stream =
        !async && work.stream() ? ImageEventStream.open(ctx, work.setup().orElseThrow()) : null;
    ProgressListener listener = stream;
    if (listener == null) {
      listener = ProgressListener.NONE;
    }
    Set<String> inputs = new TreeSet<>();
    String stored = req.store(images.blobs(), inputs);
    Instant now = Instant.now();
    Job job =
        Job.queued(
            Ids.newId("job"),
            caller.owner(),
            caller.keyId(),
            kind.wire(),
            stored,
            inputs,
            work.n(),
            now,
            work.execution().model());
    Optional<Idempotency.Key> idem =
        key.map(k -> new Idempotency.Key(caller.owner(), k, req.hash(), now));
    JobEvents events = runner.eventsOf(job.id());
    ProgressListener withPartials =
        work.setup().isPresent() && work.setup().get().spec().partialImages() > 0
            ? partials(listener, work.setup().get(), events)
            : listener;
    JobRunner.Submitted submitted =
        runner.submit(
            job,
            caller.concurrentGenerations(),
            idem,
            Optional.of(new JobRunner.Prepared(work.execution(), writes, withPartials)));
    switch (submitted) {
      case JobRunner.QueueFull f -> throw queueFull(f);
      case JobRunner.KeyBusy b -> throw keyBusy(caller, b.unfinished(), b.retryAfter());
      case JobRunner.Known k -> replay(ctx, k.check(), key.orElseThrow(), async);
      case JobRunner.Accepted a -> {
        if (async) {
          RateLimits.produced(ctx, work.n());
          accepted(ctx, a.job());
        } else {
          waitAndAnswer(ctx, a.job().id(), stream);
        }
      }
    }
  }

  /** The 429 of a key whose limit of image requests at once is reached. */
  private static ErrorMapper.Refusal keyBusy(
      Caller caller, int unfinished, java.time.Duration retryAfter) {
    return new ErrorMapper.Refusal(
        429,
        "requests",
        "rate_limit_exceeded",
        "",
        "this key may run "
            + caller.concurrentGenerations()
            + " image requests at once (concurrency limit) and "
            + unfinished
            + " of its jobs are queued or running; retry when one finishes",
        Math.max(1, retryAfter.toSeconds()));
  }

  /** The 429 of a full queue, with when to retry. */
  private static ErrorMapper.Refusal queueFull(JobRunner.QueueFull f) {
    return new ErrorMapper.Refusal(
        429,
        "requests",
        "rate_limit_exceeded",
        "",
        "the job queue is full: "
            + f.depth()
            + " jobs are waiting, the most this server holds (serve --queue-size); nothing"
            + " was stored; retry after "
            + f.retryAfter().toSeconds()
            + " s",
        f.retryAfter().toSeconds());
  }

  /** {@code 202} with the job, and where to find it. */
  private void accepted(Context ctx, Job job) {
    ctx.header("Location", "/v1/jobs/" + job.id());
    ctx.header("Preference-Applied", "respond-async");
    Routes.send(ctx, 202, render(job, Routes.urls(ctx)));
  }

  /** Answers a request whose idempotency key was known. */
  private void replay(Context ctx, Idempotency.Check check, String key, boolean async) {
    switch (check) {
      case Idempotency.Conflict c -> throw Idempotent.conflict(key);
      case Idempotency.Replay r -> {
        Job job =
            images.metadata().job(r.entry().jobId()).orElseThrow(() -> Idempotent.conflict(key));
        if (async) {
          accepted(ctx, job);
        } else {
          waitAndAnswer(ctx, job.id(), null);
        }
      }
      case Idempotency.Fresh f -> throw new IllegalStateException("a fresh key is not known");
    }
  }

  /**
   * Waits for job {@code id} and answers as the route answered before jobs: its stored result, or
   * its events when {@code stream} is given. The client leaving cancels the job.
   */
  private void waitAndAnswer(Context ctx, String id, ImageEventStream stream) {
    JobRunner runner = runner();
    CompletableFuture<JobRunner.Finished> done = runner.await(id);
    if (stream != null) {
      stream.onGone(() -> runner.cancel(id));
    } else {
      ClientGone.watch(ctx, () -> runner.cancel(id));
    }
    // A stream whose job runs in another process (an API node's, always) writes the events the
    // job's worker sends there, which the job's events here mirror; one that runs here is written
    // by its own listener.
    JobEvents relayed = stream == null ? null : runner.eventsOf(id);
    long seen = 0;
    JobRunner.Finished finished;
    while (true) {
      try {
        if (relayed != null) {
          seen = relay(stream, relayed, seen, 1000);
          finished = done.get(relayed.ended() ? 1000 : 1, TimeUnit.MILLISECONDS);
        } else {
          finished = done.get(1, TimeUnit.SECONDS);
        }
        break;
      } catch (TimeoutException e) {
        if (runner.draining()) {
          // Shutting down: a job that has not started is cancelled (the client retries).
          Optional<Job> j = images.metadata().job(id);
          if (j.isPresent() && j.get().status() == JobStatus.QUEUED) {
            runner.cancel(id);
            throw unavailable();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        runner.cancel(id);
        throw unavailable();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    if (relayed != null) {
      try {
        relay(stream, relayed, seen, 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Job job = finished.job();
    switch (job.status()) {
      case COMPLETED -> {
        RateLimits.produced(ctx, job.n());
        if (stream != null
            && finished.outcome().isPresent()
            && finished.outcome().get().detail() instanceof ImageEventStream.Result r) {
          stream.completed(r);
          return;
        }
        if (stream != null) {
          // It ran in another process: its completed events are built from its stored answer.
          Optional<Stored> s = stored(job);
          if (s.isPresent()) {
            stream.completed(s.get().result(), s.get().usage());
            return;
          }
        }
        ctx.status(job.resultStatus())
            .contentType("application/json")
            .result(Json.write(expand(Json.parse(job.result()))));
      }
      case FAILED -> {
        JsonValue.Obj stored = Json.parse(job.error()).asObject();
        int status = (int) stored.integer("status", 500);
        JsonValue error = stored.get("error").orElse(JsonValue.Null.INSTANCE);
        if (stream != null && stream.started()) {
          stream.sendError(error);
          return;
        }
        Map<String, JsonValue> body = new LinkedHashMap<>();
        body.put("error", error);
        ctx.attribute(ErrorMapper.ANSWERED, true);
        Routes.send(ctx, status, new JsonValue.Obj(body));
      }
      case CANCELLED ->
          throw new ErrorMapper.Refusal(
              409,
              "invalid_request_error",
              "job_cancelled",
              "",
              "job "
                  + id
                  + " was cancelled (POST /v1/jobs/"
                  + id
                  + "/cancel or the client left) before it finished; nothing was stored",
              0);
      default -> throw new IllegalStateException("job " + id + " ended as " + job.status());
    }
  }

  /**
   * Writes the mirrored events of {@code events} after {@code seen} to {@code stream}, waiting up
   * to {@code waitMillis} for one.
   *
   * @return the number of the last event looked at
   */
  private static long relay(ImageEventStream stream, JobEvents events, long seen, long waitMillis)
      throws InterruptedException {
    for (JobEvents.Event e : events.after(seen, waitMillis)) {
      seen = e.id();
      if (e.mirrored()) {
        stream.relay(e);
      }
    }
    return seen;
  }

  /** A stored answer as a stream's completed events need it. */
  private record Stored(ImageEventStream.Result result, ImageEventStream.Usage usage) {}

  /**
   * Job {@code job}'s stored answer read back as its completed events need it: each image's row and
   * bytes, the answer's warnings, and what else it carries (session, plan, fidelity); empty when it
   * is not an images answer.
   */
  private Optional<Stored> stored(Job job) {
    JsonValue.Obj body;
    try {
      body = Json.parse(job.result()).asObject();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (!(body.get("data").orElse(null) instanceof JsonValue.Arr data)) {
      return Optional.empty();
    }
    java.util.List<dev.atelier.server.images.Library.Saved> saved = new java.util.ArrayList<>();
    for (JsonValue item : data.items()) {
      String imageId = item instanceof JsonValue.Obj o ? o.string("id", "") : "";
      Optional<dev.atelier.core.session.StoredImage> row = images.metadata().image(imageId);
      Optional<byte[]> bytes = row.flatMap(r -> images.blobs().get(r.sha256()));
      if (bytes.isEmpty()) {
        return Optional.empty();
      }
      saved.add(new dev.atelier.server.images.Library.Saved(row.get(), bytes.get()));
    }
    java.util.List<String> warnings = new java.util.ArrayList<>();
    body.get("warnings")
        .filter(JsonValue.Arr.class::isInstance)
        .map(JsonValue.Arr.class::cast)
        .ifPresent(
            a ->
                a.items().stream()
                    .filter(JsonValue.Str.class::isInstance)
                    .forEach(w -> warnings.add(((JsonValue.Str) w).value())));
    Map<String, JsonValue> extra = new LinkedHashMap<>(body.members());
    // What the images response and the route put before the result's own extra members.
    for (String k :
        java.util.List.of(
            "created",
            "data",
            "output_format",
            "size",
            "usage",
            "warnings",
            "model",
            "quality",
            "background")) {
      extra.remove(k);
    }
    return Optional.of(
        new Stored(
            new ImageEventStream.Result(saved, warnings, extra),
            ImageEventStream.storedUsage(body, saved)));
  }

  /** The answer to new work while the server drains: 503 with when to come back. */
  static ErrorMapper.Refusal unavailable() {
    return new ErrorMapper.Refusal(
        503,
        "server_error",
        "server_shutting_down",
        "",
        "the server is shutting down and takes no new work; retry in a moment (another node, or"
            + " this one after its restart)",
        5);
  }

  /**
   * {@code listener} plus the request's partial images added to the job's events, picked and
   * encoded as a stream picks them.
   */
  static ProgressListener partials(
      ProgressListener listener, ImageEventStream.Setup setup, JobEvents events) {
    ImageEventStream.Spec spec = setup.spec();
    boolean[] sent = new boolean[spec.partialImages()];
    return new ProgressListener() {
      @Override
      public void onStep(StepProgress p) {
        int index = ImageEventStream.partialIndex(p.step(), p.totalSteps(), spec.partialImages());
        if (index >= 0 && !sent[index]) {
          p.preview()
              .ifPresent(
                  preview -> {
                    sent[index] = true;
                    events.add(
                        "partial_image", ImageEventStream.partialEvent(spec, preview, index));
                  });
        }
        listener.onStep(p);
      }

      @Override
      public void onImagesDone(int done) {
        listener.onImagesDone(done);
      }

      @Override
      public int partialImages() {
        return spec.partialImages();
      }
    };
  }

  /** A stored result with its images' base64 put back ({@link StoredResults}). */
  private JsonValue expand(JsonValue stored) {
    return StoredResults.expand(stored, images.metadata(), images.blobs());
  }

  /** A job on the wire, its result's image URLs signed afresh by {@code urls}. */
  JsonValue.Obj render(Job job, dev.atelier.server.auth.ImageUrls urls) {
    JobRunner r = runner;
    Optional<dev.atelier.server.jobs.JobProgress> live =
        r == null ? Optional.empty() : r.progress(job.id());
    int position = job.status() == JobStatus.QUEUED ? images.metadata().queuedAhead(job.id()) : -1;
    return JobJson.job(job, live, position, urls, this::expand);
  }
}
