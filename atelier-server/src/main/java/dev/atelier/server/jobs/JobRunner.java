package dev.atelier.server.jobs;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.StepProgress;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.Idempotency;
import dev.atelier.store.Job;
import dev.atelier.store.JobStore;
import dev.atelier.store.MetadataStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler: runs every image job with a fixed number of workers, over the durable queue of the
 * metadata store (docs/adr/0021-jobs-table-with-leases.md).
 *
 * <p>Workers claim jobs from the store (fair between owners), renew their leases with heartbeats,
 * and end each job in the store: completed with its writes in one transaction, failed with its
 * error, or cancelled. A job claimed here that was also submitted here runs the work its request
 * already prepared; any other (after a restart, or queued by another process) is prepared again
 * from its stored request. The heartbeat also takes back jobs whose worker died (lease expired):
 * queued again, or failed as {@code interrupted} after {@link Settings#maxAttempts()}.
 *
 * <p>Nothing here depends on being the only process: the store's claim and lease rules hold when
 * several share one PostgreSQL; in-process signals only make a local worker start sooner than its
 * poll.
 */
public final class JobRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  /** How long a finished job's events stay in memory for late or reconnecting clients. */
  private static final Duration EVENTS_KEPT = Duration.ofMinutes(10);

  /**
   * How long the partial images a worker here stored for other processes stay after their job ended
   * (the API nodes read them within moments; a late reader of an ended job gets its end).
   */
  private static final Duration PARTIALS_KEPT = Duration.ofMinutes(1);

  /** How often an idle worker looks at the queue without being woken (one process). */
  private static final long POLL_MILLIS = 500;

  /**
   * How often an idle worker looks at the queue when other processes wake it with notifications: a
   * lost notification only delays a job by this much.
   */
  private static final long CLUSTER_POLL_MILLIS = 5_000;

  /**
   * How the scheduler runs.
   *
   * @param workers jobs run at once in this process; 0 on an API node, which runs none
   * @param queueSize queued jobs at most; more are refused
   * @param lease how long a claim holds without a heartbeat (heartbeats come every third of it)
   * @param maxAttempts claims of one job before an expired lease fails it as interrupted
   * @param keyTtl how long an {@code Idempotency-Key} is remembered
   */
  public record Settings(
      int workers, int queueSize, Duration lease, int maxAttempts, Duration keyTtl) {
    /** One worker, 32 queued, 30 s leases, two attempts, keys kept 24 h. */
    public static final Settings DEFAULT =
        new Settings(1, 32, Duration.ofSeconds(30), 2, Duration.ofHours(24));

    /** Validates. */
    public Settings {
      if (workers < 0) {
        throw new IllegalArgumentException("workers must be >= 0 but was " + workers);
      }
      if (queueSize < 1) {
        throw new IllegalArgumentException("queueSize must be >= 1 but was " + queueSize);
      }
      if (lease.toMillis() < 300) {
        throw new IllegalArgumentException("lease must be >= 300 ms but was " + lease);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
      }
    }

    /** These settings with {@code n} workers. */
    public Settings withWorkers(int n) {
      return new Settings(n, queueSize, lease, maxAttempts, keyTtl);
    }

    /** These settings with a queue of {@code n}. */
    public Settings withQueueSize(int n) {
      return new Settings(workers, n, lease, maxAttempts, keyTtl);
    }

    /** These settings with leases of {@code d}. */
    public Settings withLease(Duration d) {
      return new Settings(workers, queueSize, d, maxAttempts, keyTtl);
    }
  }

  /** What the wire says about an error: its code, and the OpenAI error object as JSON. */
  public record ErrorInfo(String code, String json) {}

  /**
   * What submitting a job found.
   *
   * @see #submit
   */
  public sealed interface Submitted {}

  /** Queued. */
  public record Accepted(Job job) implements Submitted {}

  /** The queue was full: nothing stored; retry after {@code retryAfter}. */
  public record QueueFull(int depth, Duration retryAfter) implements Submitted {}

  /** The idempotency key was known; {@code check} says how. */
  public record Known(Idempotency.Check check) implements Submitted {}

  /**
   * The job's API key had {@code unfinished} jobs queued or running, its limit: nothing stored;
   * retry after {@code retryAfter}.
   */
  public record KeyBusy(int unfinished, Duration retryAfter) implements Submitted {}

  /** How a job ended, for a caller waiting in this process. */
  public record Finished(Job job, Optional<JobExecutor.Outcome> outcome) {}

  /**
   * What a request submitted here keeps for its job: the work it prepared (with the writes it goes
   * to), a listener for its own stream (or {@link ProgressListener#NONE}).
   */
  public record Prepared(
      JobExecutor.Execution execution, PendingWrites writes, ProgressListener listener) {}

  private final MetadataStore store;
  private final JobExecutor executor;
  private final Settings settings;
  private final JobListener listener;
  private final Clock clock;
  private final Function<Throwable, ErrorInfo> errors;
  private final Function<Job, JsonValue.Obj> render;
  private final BooleanSupplier ready;
  private final String workerId;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Map<String, Prepared> prepared = new ConcurrentHashMap<>();
  private final Map<String, List<CompletableFuture<Finished>>> waiters = new ConcurrentHashMap<>();
  private final Map<String, JobEvents> events = new ConcurrentHashMap<>();
  private final Map<String, Instant> ended = new ConcurrentHashMap<>();
  private final Object wake = new Object();
  private final List<Thread> threads = new ArrayList<>();
  private final ScheduledExecutorService heartbeat;
  private final Durations durations = new Durations();
  private final ClusterSignals signals;
  private final Map<String, String> lastMirrored = new ConcurrentHashMap<>();
  private volatile java.util.Set<String> serving = java.util.Set.of();
  private volatile boolean mirrorEvents = true;
  private volatile boolean draining;
  private volatile boolean closed;

  /**
   * Creates a runner; {@link #start()} starts its workers.
   *
   * @param errors how a failure is shown on the wire (code and error JSON)
   * @param render how a job is shown on the wire (its events carry it)
   * @param ready whether work may start (the model is loaded)
   */
  public JobRunner(
      MetadataStore store,
      JobExecutor executor,
      Settings settings,
      JobListener listener,
      Clock clock,
      Function<Throwable, ErrorInfo> errors,
      Function<Job, JsonValue.Obj> render,
      BooleanSupplier ready) {
    this.store = store;
    this.executor = executor;
    this.settings = settings;
    this.listener = listener;
    this.clock = clock;
    this.errors = errors;
    this.render = render;
    this.ready = ready;
    this.workerId = host() + ":" + ProcessHandle.current().pid() + ":" + shortId();
    this.signals = new ClusterSignals(store.notifications(), store, clock);
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "atelier-job-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Claims only jobs for the served model ids {@code models} (and jobs of no model); every job when
   * empty, the default. Call before {@link #start()}.
   */
  public JobRunner serving(java.util.Set<String> models) {
    this.serving = java.util.Set.copyOf(models);
    return this;
  }

  /**
   * Whether job events that workers in other processes send are kept here for this process's
   * streams (an API node's; the default), or ignored (a worker's, which serves no stream). Call
   * before {@link #start()}.
   */
  public JobRunner mirroringEvents(boolean mirror) {
    this.mirrorEvents = mirror;
    return this;
  }

  /** The ids of the jobs running here now. */
  public List<String> runningIds() {
    return List.copyOf(running.keySet());
  }

  /** Starts the workers and the heartbeat. */
  public JobRunner start() {
    signals.listen(
        this::signal,
        id -> {
          Running r = running.get(id);
          if (r != null) {
            r.cancel.cancel();
          }
        },
        mirrorEvents ? this::mirror : null);
    // Listening resumed after a gap: queued jobs may not have been announced, and the end of a job
    // followed here may have been lost.
    signals.onReconnect(
        () -> {
          signal();
          checkFollowed();
        });
    for (int i = 0; i < settings.workers(); i++) {
      Thread t = new Thread(this::work, "atelier-job-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long every = Math.max(100, settings.lease().toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
    return this;
  }

  /** This runner's settings. */
  public Settings settings() {
    return settings;
  }

  /** The name this process's workers claim jobs under. */
  public String workerId() {
    return workerId;
  }

  /** Jobs queued and running in the store (every process's). */
  public JobStore.Counts counts() {
    return store.counts();
  }

  /** How many jobs run in this process now. */
  public int runningHere() {
    return running.size();
  }

  /** Whether a drain began: no new work is taken. */
  public boolean draining() {
    return draining;
  }

  /**
   * Queues {@code job}, keeping {@code work} (prepared from the request that submitted it) for the
   * worker that claims it here.
   */
  public Submitted submit(Job job, Optional<Idempotency.Key> key, Optional<Prepared> work) {
    return submit(job, 0, key, work);
  }

  /**
   * Queues {@code job} as {@link #submit(Job, Optional, Optional)} does, unless its API key already
   * has {@code keyLimit} jobs queued or running (0: no limit), counted across every process on the
   * database.
   */
  public Submitted submit(
      Job job, int keyLimit, Optional<Idempotency.Key> key, Optional<Prepared> work) {
    if (settings.workers() > 0 && serves(job.model())) {
      // Kept for a worker here; an API node (or a worker of other models) never runs it.
      work.ifPresent(p -> prepared.put(job.id(), p));
    }
    eventsOf(job.id());
    JobStore.Enqueued e;
    try {
      e = store.enqueue(job, settings.queueSize(), keyLimit, key, settings.keyTtl());
    } catch (RuntimeException ex) {
      forget(job.id());
      throw ex;
    }
    return switch (e) {
      case JobStore.Accepted a -> {
        listener.queued(job.kind());
        signal();
        if (settings.workers() == 0 || !serves(job.model())) {
          signals.queued();
        }
        yield new Accepted(a.job());
      }
      case JobStore.QueueFull f -> {
        forget(job.id());
        yield new QueueFull(f.depth(), retryAfter(f.depth()));
      }
      case JobStore.Known k -> {
        forget(job.id());
        yield new Known(k.check());
      }
      case JobStore.KeyBusy b -> {
        forget(job.id());
        yield new KeyBusy(b.unfinished(), retryAfter(0));
      }
    };
  }

  /**
   * The refusal a new job gets now if the queue is already full, for a request to check before it
   * stores anything (its file parts become blobs before its row); {@link #submit} checks again in
   * the transaction that queues.
   */
  public Optional<QueueFull> full() {
    int depth = store.counts().queued();
    return depth >= settings.queueSize()
        ? Optional.of(new QueueFull(depth, retryAfter(depth)))
        : Optional.empty();
  }

  private void forget(String id) {
    prepared.remove(id);
    events.remove(id);
  }

  /**
   * How long until a place in a full queue frees up: a place frees when a worker takes the next
   * job, that is when a running job ends, so the average job time measured so far (10 s before any
   * job ended) over the workers, at least a second. {@code depth} is the queue's depth, which does
   * not change when the next place frees.
   */
  public Duration retryAfter(int depth) {
    double seconds = durations.averageSeconds() / settings.workers();
    return Duration.ofSeconds(Math.max(1, (long) Math.ceil(seconds)));
  }

  /** A future for the end of job {@code id}, completed when it ends (here or elsewhere). */
  public CompletableFuture<Finished> await(String id) {
    CompletableFuture<Finished> f = new CompletableFuture<>();
    // Added inside compute(), atomically with finish()'s remove(): with computeIfAbsent(...).add(f)
    // a job ending in between removed the list before f was in it, and f was never completed.
    waiters.compute(
        id,
        (k, list) -> {
          List<CompletableFuture<Finished>> l = list == null ? new CopyOnWriteArrayList<>() : list;
          l.add(f);
          return l;
        });
    // It may have ended already.
    store.job(id).filter(j -> j.status().terminal()).ifPresent(j -> finish(j, Optional.empty()));
    return f;
  }

  /**
   * Cancels job {@code id}: a queued job ends at once, a running one here stops at its next step
   * (in another process at its next step too, told by a notification over PostgreSQL; at its
   * worker's next heartbeat if that notification is lost).
   *
   * @return the job afterwards
   */
  public Optional<Job> cancel(String id) {
    Optional<Job> job = store.cancel(id, clock.instant());
    Running r = running.get(id);
    if (r != null) {
      r.cancel.cancel();
    } else if (job.isPresent() && job.get().status() == dev.atelier.store.JobStatus.IN_PROGRESS) {
      signals.cancel(id); // it runs in another process
    }
    job.filter(j -> j.status().terminal())
        .ifPresent(
            j -> {
              finish(j, Optional.empty());
              announce(j.id(), j.status().wire());
            });
    return job;
  }

  /** The live progress of job {@code id} if it runs here. */
  public Optional<JobProgress> progress(String id) {
    Running r = running.get(id);
    return r == null ? Optional.empty() : Optional.of(r.progress);
  }

  /** The events of job {@code id} kept here, if any. */
  public Optional<JobEvents> events(String id) {
    return Optional.ofNullable(events.get(id));
  }

  /** The events of job {@code id}, kept from now on if they were not. */
  public JobEvents eventsOf(String id) {
    return events.computeIfAbsent(id, k -> new JobEvents());
  }

  /**
   * What a drain did with the jobs still running when its timeout ended.
   *
   * @param givenBack jobs back in the queue with their attempt uncounted, for another worker or the
   *     next start
   * @param stillRunning jobs whose thread had not stopped when the grace ended (inside one long
   *     engine call): the drain gave them back itself (counted in {@code givenBack} when that
   *     worked), and their thread is abandoned
   * @param notGivenBack jobs asked to stop that could not be given back: their lease was lost, or
   *     they ended (completed, failed or cancelled) before the release
   */
  public record Drained(int givenBack, int stillRunning, int notGivenBack) {
    /** Validates. */
    public Drained {
      if (givenBack < 0 || stillRunning < 0 || notGivenBack < 0) {
        throw new IllegalArgumentException(
            "counts must be >= 0 but were "
                + givenBack
                + ", "
                + stillRunning
                + ", "
                + notGivenBack);
      }
    }
  }

  /** How long a job asked to stop by a drain gets to reach its next step and give itself back. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(10);

  /**
   * The events of job {@code id} for a stream that starts following it here now (an SSE client of
   * {@code GET /v1/jobs/{id}/events}). A job that runs in another process and that this process did
   * not follow yet first catches up with the partial images its worker already stored (a client
   * reconnecting to another node, say); later ones arrive as they are announced.
   */
  public JobEvents follow(String id) {
    JobEvents known = events.get(id);
    if (known != null) {
      return known;
    }
    JobEvents ev = eventsOf(id);
    if (!signals.crossProcess() || running.containsKey(id)) {
      return ev;
    }
    try {
      String worker = store.job(id).map(Job::leaseOwner).orElse("");
      long last = 0;
      for (JobStore.PartialImage p : store.partialImages(id)) {
        if (p.worker().equals(worker)) {
          ev.mirror("partial_image", Json.parse(p.data()).asObject());
          last = Math.max(last, p.eventId());
        }
      }
      if (last > 0) {
        // Announcements of these (or older) events that arrive from now on are not added again.
        long caughtUp = last;
        lastMirrored.merge(
            id,
            worker + "#" + caughtUp,
            (before, now) -> newer(before, worker, caughtUp) ? now : before);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not catch up with job {}'s partial images: {}", id, e.getMessage());
    }
    return ev;
  }

  /**
   * Stops taking work, waits up to {@code timeout} for running jobs, and gives those still running
   * back to the queue for the next start.
   *
   * <p>Each is cancelled and gives itself back at its next step; one whose thread is still inside
   * the engine after a grace of 10 s is given back by this call, so that its attempt is not counted
   * whatever the thread does next (its result, if any, is not stored).
   *
   * @return how many were given back, and how many of them had not stopped
   */
  public Drained drain(Duration timeout) {
    draining = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!running.isEmpty() && System.nanoTime() < deadline) {
      sleep(50);
    }
    List<Running> asked = new ArrayList<>(running.values());
    for (Running r : asked) {
      r.released = true;
      r.cancel.cancel();
    }
    long grace = System.nanoTime() + DRAIN_GRACE.toNanos();
    while (asked.stream().anyMatch(r -> !r.done) && System.nanoTime() < grace) {
      sleep(20);
    }
    int stillRunning = 0;
    for (Running r : asked) {
      if (!r.done) {
        stillRunning++;
        releaseFor(r, "still running after " + DRAIN_GRACE.toSeconds() + " s");
      }
    }
    int givenBack = (int) asked.stream().filter(r -> r.givenBack).count();
    return new Drained(givenBack, stillRunning, asked.size() - givenBack);
  }

  /**
   * Gives job {@code r} back to the queue, its attempt uncounted, unless it was already given back
   * or is no longer this worker's; records whether it went back.
   */
  private void releaseFor(Running r, String why) {
    synchronized (r) {
      if (r.givenBack) {
        return;
      }
      try {
        r.givenBack = store.release(r.job.id(), workerId);
      } catch (RuntimeException e) {
        LOG.warn("job {} could not be given back to the queue: {}", r.job.id(), e.getMessage());
        return;
      }
    }
    if (r.givenBack) {
      signals.queued();
      LOG.info("job {} given back to the queue (shutting down; {})", r.job.id(), why);
    } else {
      LOG.warn(
          "job {} could not be given back to the queue (shutting down; {}): it is no longer this"
              + " worker's",
          r.job.id(),
          why);
    }
  }

  /** Stops the workers and the heartbeat; running jobs are given back as in a drain. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    drain(Duration.ZERO);
    closed = true;
    signal();
    heartbeat.shutdownNow();
    signals.close();
    for (Thread t : threads) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void signal() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void work() {
    while (!closed) {
      Optional<Job> job = Optional.empty();
      try {
        if (!draining && ready.getAsBoolean()) {
          job = store.claim(workerId, clock.instant(), settings.lease(), serving);
        }
      } catch (RuntimeException e) {
        LOG.warn("claiming a job failed: {}", e.getMessage());
      }
      if (job.isPresent()) {
        run(job.get());
        continue;
      }
      synchronized (wake) {
        try {
          wake.wait(signals.crossProcess() ? CLUSTER_POLL_MILLIS : POLL_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** A job running here. */
  private static final class Running {
    final Job job;
    final CancellationToken cancel = new CancellationToken();
    volatile JobProgress progress;

    /** Set by a drain: a cancel gives the job back to the queue instead of ending it. */
    volatile boolean released;

    /** Back in the queue, by this job's thread or by a drain; guarded by this for the write. */
    volatile boolean givenBack;

    /** Set once the job's thread left {@link #run(Job)}. */
    volatile boolean done;

    volatile boolean lost;

    /** The served model the job runs on, once prepared (a metrics label). */
    volatile String model = "";

    Running(Job job) {
      this.job = job;
      this.progress = JobProgress.start(job.n());
    }
  }

  private void run(Job job) {
    Running r = new Running(job);
    running.put(job.id(), r);
    JobEvents ev = eventsOf(job.id());
    long start = System.nanoTime();
    listener.started(job.kind());
    Prepared here = job.attempts() == 1 ? prepared.remove(job.id()) : null;
    prepared.remove(job.id());
    try {
      PendingWrites writes = here != null ? here.writes() : new PendingWrites(store);
      JobExecutor.Execution execution =
          here != null ? here.execution() : executor.prepare(job, writes);
      r.model = execution.model();
      ProgressListener own = here != null ? here.listener() : execution.listener(ev);
      if (signals.crossProcess()) {
        // Partial images go to the API nodes through the store (over a message's size limit).
        ev.forward(
            e -> {
              if (e.type().equals("partial_image") && !e.mirrored()) {
                signals.partialImage(job.id(), workerId, e.id(), e.data());
              }
            });
      }
      JobExecutor.Outcome o = execution.run(progressOf(r, ev, own), r.cancel);
      r.cancel.throwIfCancelled("before storing");
      // The row keeps the final step count: a job shorter than a heartbeat would show 0/0 steps
      // once it no longer runs here (GET /v1/jobs/{id}, the completed event, after a restart).
      store.heartbeat(
          job.id(),
          workerId,
          clock.instant().plus(settings.lease()),
          Json.write(r.progress.toJson()));
      boolean done =
          store.complete(
              job.id(),
              workerId,
              clock.instant(),
              o.status(),
              Json.write(o.body()),
              writes.writes());
      if (!done) {
        LOG.warn("job {} lost its lease before completing; its result was not stored", job.id());
        return;
      }
      listener.imagesProduced(o.images());
      ended(r, "completed", start, Optional.of(o));
    } catch (AtelierException.Cancelled c) {
      if (r.released) {
        releaseFor(r, c.getMessage());
      } else if (!r.lost) {
        store.cancelled(job.id(), workerId, clock.instant());
        ended(r, "cancelled", start, Optional.empty());
      }
    } catch (RuntimeException e) {
      ErrorInfo info = errors.apply(e);
      if (!(e instanceof AtelierException)) {
        LOG.error("job {} failed unexpectedly", job.id(), e);
      }
      try {
        if (store.fail(job.id(), workerId, clock.instant(), info.json())) {
          listener.failed(info.code());
          ended(r, "failed", start, Optional.empty());
        }
      } catch (RuntimeException storeDown) {
        LOG.warn("job {} could not be marked failed: {}", job.id(), storeDown.getMessage());
      }
    } finally {
      r.done = true;
      running.remove(job.id());
      signal();
    }
  }

  private void ended(Running r, String status, long startNanos, Optional<JobExecutor.Outcome> o) {
    Job job = r.job;
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    if (status.equals("completed")) {
      durations.add(took);
    }
    listener.finished(job.kind(), r.model, status, took);
    store.job(job.id()).ifPresent(j -> finish(j, o));
    announce(job.id(), status);
  }

  /** Tells the API nodes following job {@code id} elsewhere that it ended ({@code status}). */
  private void announce(String id, String status) {
    signals.event(id, workerId, 0, status, null, true);
  }

  /** Ends job {@code j}'s events and completes its waiters. */
  private void finish(Job j, Optional<JobExecutor.Outcome> o) {
    JobEvents ev = events.get(j.id());
    if (ev != null && !ev.ended()) {
      ev.add(j.status().wire(), render.apply(j));
    }
    lastMirrored.remove(j.id());
    prepared.remove(j.id()); // claimed and ended elsewhere
    ended.putIfAbsent(j.id(), clock.instant());
    List<CompletableFuture<Finished>> ws = waiters.remove(j.id());
    if (ws != null) {
      ws.forEach(f -> f.complete(new Finished(j, o)));
    }
  }

  private ProgressListener progressOf(Running r, JobEvents ev, ProgressListener own) {
    return new ProgressListener() {
      private long last = System.nanoTime();

      @Override
      public void onStep(StepProgress p) {
        long now = System.nanoTime();
        listener.step(Duration.ofNanos(now - last));
        last = now;
        r.progress = new JobProgress(p.step(), p.totalSteps(), r.progress.imagesDone(), r.job.n());
        publish(ev.add("progress", r.progress.toJson()), p.step() >= p.totalSteps());
        own.onStep(p);
      }

      @Override
      public void onImagesDone(int done) {
        r.progress = new JobProgress(r.progress.step(), r.progress.steps(), done, r.job.n());
        publish(ev.add("progress", r.progress.toJson()), true);
        own.onImagesDone(done);
      }

      @Override
      public int partialImages() {
        return own.partialImages();
      }

      /** Sends progress event {@code id}; {@code force}: even inside the coalescing window. */
      private void publish(long id, boolean force) {
        if (id > 0) {
          signals.event(r.job.id(), workerId, id, "progress", r.progress.toJson(), force);
        }
      }
    };
  }

  /** Whether this process's workers claim jobs of {@code model}. */
  private boolean serves(String model) {
    java.util.Set<String> s = serving;
    return s.isEmpty() || model.isEmpty() || s.contains(model);
  }

  /**
   * Keeps an event that a worker in another process sent, for the streams of this process that
   * follow its job; the end of a job is read from its row.
   */
  private void mirror(ClusterSignals.Event e) {
    if (e.job().isEmpty() || running.containsKey(e.job())) {
      return; // ours: already kept
    }
    JobEvents ev = events.get(e.job());
    if (ev == null && !waiters.containsKey(e.job())) {
      return; // nobody here follows it
    }
    if (e.type().equals("progress") || e.type().equals("partial_image")) {
      // Messages of one worker arrive in order; a job given back and claimed again starts over
      // with another worker, whose numbers start again.
      String seen = e.worker() + "#" + e.id();
      String before = lastMirrored.put(e.job(), seen);
      if (ev != null && (before == null || newer(before, e))) {
        if (e.type().equals("progress")) {
          ev.mirror("progress", e.data());
        } else {
          // Stored by the worker before it sent this (a preview is over a message's size).
          store
              .partialImage(e.job(), e.worker(), e.id())
              .ifPresent(data -> ev.mirror("partial_image", Json.parse(data).asObject()));
        }
      }
      return;
    }
    store
        .job(e.job())
        .filter(j -> j.status().terminal())
        .ifPresent(j -> finish(j, Optional.empty()));
  }

  private static boolean newer(String before, ClusterSignals.Event e) {
    return newer(before, e.worker(), e.id());
  }

  /** Whether event {@code id} of {@code worker} comes after {@code before} ({@code worker#id}). */
  private static boolean newer(String before, String worker, long id) {
    int hash = before.lastIndexOf('#');
    if (!before.substring(0, hash).equals(worker)) {
      return true;
    }
    return Long.parseLong(before.substring(hash + 1)) < id;
  }

  /** Renews leases, notices cancels and lost leases, takes back dead workers' jobs. */
  private void beat() {
    try {
      Instant now = clock.instant();
      for (Running r : running.values()) {
        JobStore.Beat b =
            store.heartbeat(
                r.job.id(), workerId, now.plus(settings.lease()), Json.write(r.progress.toJson()));
        if (!b.held()) {
          r.lost = true;
          r.cancel.cancel();
        } else if (b.cancelRequested()) {
          r.cancel.cancel();
        }
      }
      String interrupted =
          errors
              .apply(
                  new Interrupted(
                      "the job was running when its worker stopped (process killed or out of"
                          + " memory) and has been tried "
                          + settings.maxAttempts()
                          + " times"))
              .json();
      for (Job j : store.recoverExpired(now, settings.maxAttempts(), interrupted)) {
        if (j.status().terminal()) {
          if (j.status() == dev.atelier.store.JobStatus.FAILED) {
            listener.failed("interrupted");
          }
          eventsOf(j.id());
          finish(j, Optional.empty());
          announce(j.id(), j.status().wire());
        } else {
          LOG.info("job {} taken back from a stopped worker; queued again", j.id());
          signal();
          signals.queued();
        }
      }
      checkFollowed();
      if (signals.crossProcess()) {
        store.sweepPartialImages(now.minus(PARTIALS_KEPT), now.minus(EVENTS_KEPT.multipliedBy(6)));
      }
      ended
          .entrySet()
          .removeIf(
              e -> {
                if (e.getValue().plus(EVENTS_KEPT).isBefore(now)) {
                  events.remove(e.getKey());
                  return true;
                }
                return false;
              });
    } catch (RuntimeException e) {
      LOG.warn("job heartbeat failed: {}", e.getMessage());
    }
  }

  /**
   * Finishes the jobs followed here (waited on, or their events kept for a stream) that ended
   * elsewhere: their end notification may have been lost (a dropped listening connection), and
   * their rows say how they ended. Finished, their events are purged {@link #EVENTS_KEPT} later.
   */
  private void checkFollowed() {
    java.util.Set<String> followed = new java.util.HashSet<>(waiters.keySet());
    events.forEach(
        (id, ev) -> {
          if (!ev.ended()) {
            followed.add(id);
          }
        });
    for (String id : followed) {
      if (running.containsKey(id)) {
        continue; // its end is seen here
      }
      try {
        store
            .job(id)
            .filter(j -> j.status().terminal())
            .ifPresent(j -> finish(j, Optional.empty()));
      } catch (RuntimeException e) {
        LOG.debug("checking followed job {} failed: {}", id, e.getMessage());
      }
    }
  }

  /** A job whose worker died too often: mapped to the {@code interrupted} error code. */
  public static final class Interrupted extends RuntimeException {
    /** Creates one. */
    public Interrupted(String message) {
      super(message);
    }
  }

  /** Recent completed job times, for {@code Retry-After}. */
  private static final class Durations {
    private final long[] millis = new long[32];
    private int count;
    private int next;

    synchronized void add(Duration d) {
      millis[next] = d.toMillis();
      next = (next + 1) % millis.length;
      count = Math.min(count + 1, millis.length);
    }

    /** The average, or 10 s before any job was measured. */
    synchronized double averageSeconds() {
      if (count == 0) {
        return 10;
      }
      long sum = 0;
      for (int i = 0; i < count; i++) {
        sum += millis[i];
      }
      return sum / 1000.0 / count;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
