package dev.atelier.server.models;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.server.ops.DeferredEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a server serves, in the order {@code /v1/models} lists them; the first is the default
 * of a request that names none. This is the one place a model id becomes an {@link Engine}.
 *
 * <p>A model is either given as an engine (loaded or loading, e.g. behind a {@link
 * DeferredEngine}), or given as a loader, which runs on the first engine call for that model: the
 * calls that arrive meanwhile wait for that one load (a per-model future) rather than starting
 * their own. A load that fails fails the waiting calls with {@link
 * AtelierException.ModelUnavailable} (503) and leaves the model {@code not_loaded}, so a later call
 * tries again.
 *
 * <p>With a memory budget ({@link Builder#maxMemory}), each model declares an estimate of its size,
 * and before a load would push the sum of the loaded (and loading) models over the budget, the set
 * unloads the least recently used models that no engine call is using right now (it closes their
 * engines; they are {@code not_loaded} again and reload on their next call). A model in use is
 * never unloaded: when only such models are left, the load goes on over the budget with a warning,
 * and the excess is unloaded once they are idle. A model alone bigger than the budget still loads,
 * with a warning. Models given as a plain engine ({@link Builder#add}) are never unloaded.
 *
 * <p>Loads and unloads are reported to the {@link Events} plugged in with {@link #reportTo} (the
 * server's metrics), outside the set's lock. A load that failed leaves its model {@link
 * State#FAILED} with the reason until the next call tries again.
 *
 * <p>Owns the engines its loaders made and the engines given with {@link Builder#reloadable}:
 * {@link #close()} closes them (and one that finishes loading after close). Engines given with
 * {@link Builder#add} stay their giver's.
 */
public final class ModelSet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelSet.class);

  /** What a model was trained for, as {@code /v1/models} names it in {@code kind}. */
  public enum Kind {
    /** A plain text-to-image UNet (4 input channels); also edits by latent blending. */
    TEXT_TO_IMAGE,
    /** An inpainting UNet (9 input channels). */
    INPAINTING,
    /** An InstructPix2Pix UNet (8 input channels). */
    INSTRUCT_PIX2PIX;

    /** The wire name: {@code text-to-image}, {@code inpainting}, {@code instruct-pix2pix}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Whether a model's engine is there, as {@code /v1/models} names it in {@code state}. */
  public enum State {
    /** Not loaded yet: its first request loads it. */
    NOT_LOADED,
    /** Loading now; requests for it wait. */
    LOADING,
    /** Loaded: requests run at once. */
    READY,
    /** Its last load failed; the next request for it tries again. */
    FAILED;

    /** The wire name: {@code not_loaded}, {@code loading}, {@code ready}, {@code failed}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A model's state with how far its load is and why it failed.
   *
   * @param progress 0.0..1.0: how far a load is where the loader reports it (0 where it does not),
   *     1 when ready
   * @param detail what a load does now, or why it failed; empty otherwise
   */
  public record Status(State state, double progress, String detail) {
    /** Validates the values. */
    public Status {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(detail, "detail");
      if (!(progress >= 0 && progress <= 1)) {
        throw new IllegalArgumentException("progress must be 0.0..1.0 but was " + progress);
      }
    }

    /** Loaded. */
    public static final Status READY = new Status(State.READY, 1, "");

    static final Status NOT_LOADED = new Status(State.NOT_LOADED, 0, "");
  }

  /**
   * Why a model was unloaded, as {@code atelier_model_unloads_total} names it in {@code reason}.
   */
  public enum Unload {
    /** To keep the loaded models within the memory budget (least recently used first). */
    LRU,
    /** The set was closed: the server stops. */
    SHUTDOWN;

    /** The wire name: {@code lru}, {@code shutdown}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What the set reports as it loads and unloads models (metrics); does nothing by default. */
  public interface Events {
    /** Reports nothing. */
    Events NONE = new Events() {};

    /** Model {@code id} finished loading in {@code took}. */
    default void loaded(String id, java.time.Duration took) {}

    /** Model {@code id} failed to load. */
    default void loadFailed(String id) {}

    /** Model {@code id} was unloaded (its engine closed) because of {@code reason}. */
    default void unloaded(String id, Unload reason) {}
  }

  /**
   * One served model: its id, its kind, its engine (which loads it when first called) and what the
   * server knows of it before it loads ({@link ModelProfile}).
   */
  public record Model(String id, Kind kind, Engine engine, ModelProfile profile) {
    /** Validates the values. */
    public Model {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(engine, "engine");
      Objects.requireNonNull(profile, "profile");
      if (id.isBlank()) {
        throw new IllegalArgumentException("a model id must not be blank but was '" + id + "'");
      }
    }

    /** A model of {@link ModelProfile#UNKNOWN} profile. */
    public Model(String id, Kind kind, Engine engine) {
      this(id, kind, engine, ModelProfile.UNKNOWN);
    }

    /** Whether the engine is loaded, loading, not loaded yet or failed to load. */
    public State state() {
      return status().state();
    }

    /** {@link #state()} with how far a load is and why one failed. */
    public Status status() {
      return switch (engine) {
        case Slot s -> s.status();
        case DeferredEngine d -> statusOf(d);
        case RemoteEngine r -> r.status();
        default -> Status.READY;
      };
    }
  }

  /** The status of an engine the server loads at start behind {@code d}. */
  private static Status statusOf(DeferredEngine d) {
    if (d.isSet()) {
      return Status.READY;
    }
    return d.failure()
        .map(f -> new Status(State.FAILED, 0, f))
        .orElseGet(() -> new Status(State.LOADING, d.fraction(), d.detail()));
  }

  private final Map<String, Model> models;
  private final long maxMemory;

  /** Orders engine calls for least-recently-used; guarded by {@code this}. */
  private long clock;

  /** Set once by {@link #close()}; guarded by {@code this}. */
  private boolean closed;

  private volatile Events events = Events.NONE;

  private ModelSet(List<Spec> specs, long maxMemory) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("a server serves at least one model but none was given");
    }
    this.maxMemory = maxMemory;
    Map<String, Model> m = new LinkedHashMap<>();
    for (Spec spec : specs) {
      Model model = new Model(spec.id(), spec.kind(), spec.engine().apply(this), spec.profile());
      if (m.putIfAbsent(model.id(), model) != null) {
        throw new IllegalArgumentException(
            "model ids must differ but '" + model.id() + "' was given twice");
      }
    }
    this.models = java.util.Collections.unmodifiableMap(m);
  }

  /** One text-to-image model {@code id} served by {@code engine} (the giver closes it). */
  public static ModelSet of(String id, Engine engine) {
    return builder().add(id, Kind.TEXT_TO_IMAGE, engine).build();
  }

  /** A set to fill, first model first. */
  public static Builder builder() {
    return new Builder();
  }

  /** A model to add: its engine is made once the set exists (a slot needs its set). */
  private record Spec(
      String id,
      Kind kind,
      ModelProfile profile,
      java.util.function.Function<ModelSet, Engine> engine) {}

  /** Collects the models of a set, in order. */
  public static final class Builder {
    private final List<Spec> list = new ArrayList<>();
    private long maxMemory = Long.MAX_VALUE;

    private Builder() {}

    /**
     * A model served by {@code engine}, loaded (or loading) already; its giver closes it, and the
     * set never unloads it.
     */
    public Builder add(String id, Kind kind, Engine engine) {
      return add(id, kind, ModelProfile.UNKNOWN, engine);
    }

    /** Like {@link #add(String, Kind, Engine)} for a model of {@code profile}. */
    public Builder add(String id, Kind kind, ModelProfile profile, Engine engine) {
      Objects.requireNonNull(engine, "engine");
      list.add(new Spec(id, kind, profile, set -> engine));
      return this;
    }

    /**
     * A model that {@code loader} loads on its first engine call; the set closes what it loaded.
     *
     * @param engineName what the engine's {@link Engine#name()} says before it is loaded ({@code
     *     local})
     */
    public Builder lazy(String id, Kind kind, String engineName, Supplier<Engine> loader) {
      return lazy(id, kind, engineName, 0, loader);
    }

    /**
     * Like {@link #lazy(String, Kind, String, Supplier)} for a model that takes about {@code bytes}
     * of memory once loaded, which the set may unload to stay under {@link #maxMemory}.
     *
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public Builder lazy(
        String id, Kind kind, String engineName, long bytes, Supplier<Engine> loader) {
      return lazy(id, kind, ModelProfile.UNKNOWN, engineName, bytes, loader);
    }

    /** Like {@link #lazy(String, Kind, String, long, Supplier)} for a model of {@code profile}. */
    public Builder lazy(
        String id,
        Kind kind,
        ModelProfile profile,
        String engineName,
        long bytes,
        Supplier<Engine> loader) {
      Objects.requireNonNull(engineName, "engineName");
      Objects.requireNonNull(loader, "loader");
      requireBytes(id, bytes);
      list.add(
          new Spec(id, kind, profile, set -> set.new Slot(id, engineName, bytes, loader, null)));
      return this;
    }

    /**
     * A model served by {@code engine} now (loaded or loading, e.g. behind a {@link
     * DeferredEngine}) that the set may unload to stay under {@link #maxMemory} and then reloads
     * with {@code reloader}. The set owns {@code engine} and closes it.
     *
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public Builder reloadable(
        String id, Kind kind, Engine engine, long bytes, Supplier<Engine> reloader) {
      return reloadable(id, kind, ModelProfile.UNKNOWN, engine, bytes, reloader);
    }

    /**
     * Like {@link #reloadable(String, Kind, Engine, long, Supplier)} for a model of {@code
     * profile}.
     */
    public Builder reloadable(
        String id,
        Kind kind,
        ModelProfile profile,
        Engine engine,
        long bytes,
        Supplier<Engine> reloader) {
      Objects.requireNonNull(engine, "engine");
      Objects.requireNonNull(reloader, "reloader");
      requireBytes(id, bytes);
      list.add(
          new Spec(
              id, kind, profile, set -> set.new Slot(id, engine.name(), bytes, reloader, engine)));
      return this;
    }

    /**
     * The most memory the loaded models may take together, by their estimates; without it every
     * model stays loaded once used.
     *
     * @throws IllegalArgumentException when {@code bytes} is not positive
     */
    public Builder maxMemory(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("max memory must be positive but was " + bytes);
      }
      this.maxMemory = bytes;
      return this;
    }

    private static void requireBytes(String id, long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "the memory estimate of model '" + id + "' must be >= 0 but was " + bytes);
      }
    }

    /**
     * The set.
     *
     * @throws IllegalArgumentException when no model was added or an id was added twice
     */
    public ModelSet build() {
      return new ModelSet(List.copyOf(list), maxMemory);
    }
  }

  /** Every model, the default first. */
  public List<Model> models() {
    return List.copyOf(models.values());
  }

  /** The model of a request that names none: the first one. */
  public Model first() {
    return models.values().iterator().next();
  }

  /** The model with {@code id}, when this set serves it. */
  public Optional<Model> find(String id) {
    return Optional.ofNullable(models.get(id));
  }

  /** The served ids, the default first. */
  public List<String> ids() {
    return List.copyOf(models.keySet());
  }

  /** The first served model of {@code kind}, when there is one. */
  public Optional<Model> firstOf(Kind kind) {
    return models.values().stream().filter(m -> m.kind() == kind).findFirst();
  }

  /**
   * The inpainting model that redraws {@code model}'s masked edits: the first served inpainting
   * model of the same family ({@link ModelProfile#sameFamily}), never one of another (an SD 1.5
   * inpainting UNet cannot redraw an SDXL image, nor the other way round). Empty when there is
   * none: the model then inpaints by itself (latent blending for a text-to-image model).
   */
  public Optional<Model> inpaintingFor(Model model) {
    return models.values().stream()
        .filter(m -> m.kind() == Kind.INPAINTING && m.profile().sameFamily(model.profile()))
        .findFirst();
  }

  /** Reports loads and unloads to {@code events} from now on (the server's metrics). */
  public void reportTo(Events events) {
    this.events = Objects.requireNonNull(events, "events");
  }

  /** The memory budget of {@link Builder#maxMemory}, when one was set. */
  public java.util.OptionalLong maxMemory() {
    return maxMemory == Long.MAX_VALUE
        ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(maxMemory);
  }

  /**
   * The estimate of the memory model {@code id} takes now: its declared size while it is loaded or
   * loading (as the budget counts it), else 0; 0 for a model given without an estimate ({@link
   * Builder#add}, {@link Builder#lazy(String, Kind, String, Supplier)}).
   *
   * @throws IllegalArgumentException when this set serves no model {@code id}
   */
  public long residentBytes(String id) {
    Model m = models.get(id);
    if (m == null) {
      throw new IllegalArgumentException("model must be one of " + ids() + " but was '" + id + "'");
    }
    if (!(m.engine() instanceof Slot s)) {
      return 0;
    }
    synchronized (this) {
      return s.loaded == null ? 0 : s.bytes;
    }
  }

  /** Closes the engines this set owns; engines given with {@link Builder#add} stay open. */
  @Override
  public void close() {
    List<Unloaded> owned = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (Slot s : slots()) {
        s.unload().ifPresent(e -> owned.add(new Unloaded(s.id, e)));
      }
    }
    closeAll(owned, Unload.SHUTDOWN);
  }

  /** A model unloaded under the lock, whose engine is closed (and reported) outside it. */
  private record Unloaded(String id, Engine engine) {}

  /** Closes what was unloaded and reports it; called without the lock. */
  private void closeAll(List<Unloaded> unloaded, Unload reason) {
    for (Unloaded u : unloaded) {
      try {
        u.engine().close();
      } finally {
        events.unloaded(u.id(), reason);
      }
    }
  }

  private List<Slot> slots() {
    List<Slot> slots = new ArrayList<>();
    for (Model m : models.values()) {
      if (m.engine() instanceof Slot s) {
        slots.add(s);
      }
    }
    return slots;
  }

  /**
   * Unloads least recently used idle models, other than {@code keep}, until the loaded ones fit the
   * budget; returns their engines, to close outside the lock. Called with the lock held.
   *
   * @param loading whether {@code keep} is about to load (then a model that still does not fit is
   *     worth a warning)
   */
  private List<Unloaded> makeRoom(Slot keep, boolean loading) {
    List<Unloaded> unloaded = new ArrayList<>();
    if (maxMemory == Long.MAX_VALUE) {
      return unloaded;
    }
    long sum = 0;
    for (Slot s : slots()) {
      sum += s.loaded == null ? 0 : s.bytes;
    }
    while (sum > maxMemory) {
      Slot lru = null;
      for (Slot s : slots()) {
        if (s != keep
            && s.bytes > 0
            && s.loaded != null
            && s.inUse == 0
            && s.status().state() == State.READY
            && (lru == null || s.lastUsed < lru.lastUsed)) {
          lru = s;
        }
      }
      if (lru == null) {
        break;
      }
      Engine e = lru.unload().orElseThrow();
      unloaded.add(new Unloaded(lru.id, e));
      sum -= lru.bytes;
      LOG.info(
          "unloaded model {} (about {}) to keep the loaded models within --max-memory {}",
          lru.id,
          size(lru.bytes),
          size(maxMemory));
    }
    if (loading && sum > maxMemory) {
      if (keep.bytes > maxMemory) {
        LOG.warn(
            "model {} takes about {}, more than --max-memory {} on its own; loading it anyway",
            keep.id,
            size(keep.bytes),
            size(maxMemory));
      } else {
        LOG.warn(
            "loading model {} puts the loaded models at about {}, over --max-memory {}: the others"
                + " are running jobs, and the least recently used unload once idle",
            keep.id,
            size(sum),
            size(maxMemory));
      }
    }
    return unloaded;
  }

  private static final int MAX_DETAIL = 300;

  /** A failure's message for {@code /readyz}, at most {@value #MAX_DETAIL} characters. */
  private static String describe(RuntimeException e) {
    String m = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
    return m.length() > MAX_DETAIL ? m.substring(0, MAX_DETAIL) + "..." : m;
  }

  /** A size for logs: {@code 1.5 GiB}, {@code 800.0 MiB}. */
  static String size(long bytes) {
    double mib = bytes / (1024.0 * 1024.0);
    return mib >= 1024
        ? String.format(Locale.ROOT, "%.1f GiB", mib / 1024)
        : String.format(Locale.ROOT, "%.1f MiB", mib);
  }

  /**
   * An engine the set loads when first called (once), may unload when idle and then reloads; every
   * call counts as in use while it runs.
   */
  private final class Slot implements Engine {
    private final String id;
    private final String engineName;
    private final long bytes;
    private final Supplier<Engine> loader;

    /** The engine, loading or loaded; null when not loaded. Guarded by the set. */
    private CompletableFuture<Engine> loaded;

    /** Engine calls running (or waiting for the load) now. Guarded by the set. */
    private int inUse;

    /** The set's clock when a call last began or ended. Guarded by the set. */
    private long lastUsed;

    /** Why the last load failed; empty after a load that worked. Guarded by the set. */
    private String failure = "";

    Slot(String id, String engineName, long bytes, Supplier<Engine> loader, Engine initial) {
      this.id = id;
      this.engineName = engineName;
      this.bytes = bytes;
      this.loader = loader;
      if (initial != null) {
        this.loaded = CompletableFuture.completedFuture(initial);
      }
    }

    Status status() {
      CompletableFuture<Engine> f;
      String failed;
      synchronized (ModelSet.this) {
        f = loaded;
        failed = failure;
      }
      if (f == null) {
        return failed.isEmpty() ? Status.NOT_LOADED : new Status(State.FAILED, 0, failed);
      }
      if (!f.isDone() || f.isCompletedExceptionally()) {
        return new Status(State.LOADING, 0, "");
      }
      return f.join() instanceof DeferredEngine d ? statusOf(d) : Status.READY;
    }

    /** Forgets the loaded engine, returning it to close; the lock is held. */
    private Optional<Engine> unload() {
      CompletableFuture<Engine> f = loaded;
      loaded = null;
      if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
        return Optional.of(f.join());
      }
      return Optional.empty();
    }

    /**
     * The engine, counted in use until {@link #release()}: loads it when nobody has (unloading
     * others to make room), else waits for the load under way.
     */
    private Engine acquire(CancellationToken cancel) {
      CompletableFuture<Engine> f;
      CompletableFuture<Engine> mine = null;
      List<Unloaded> unloaded = List.of();
      synchronized (ModelSet.this) {
        if (closed) {
          throw new AtelierException.ModelUnavailable("the server is shutting down");
        }
        inUse++;
        lastUsed = ++clock;
        f = loaded;
        if (f == null) {
          mine = new CompletableFuture<>();
          loaded = mine;
          f = mine;
          unloaded = makeRoom(this, true);
        }
      }
      try {
        closeAll(unloaded, Unload.LRU);
        if (mine != null) {
          load(mine);
        }
        return await(f, cancel);
      } catch (RuntimeException e) {
        release();
        throw e;
      }
    }

    /** Ends a call; an idle set over its budget (a load that could not make room) shrinks. */
    private void release() {
      List<Unloaded> unloaded;
      synchronized (ModelSet.this) {
        inUse--;
        // A call that just ended counts as a use: a long job does not make its model the oldest.
        lastUsed = ++clock;
        Slot newest = this;
        for (Slot s : slots()) {
          if (s.loaded != null && s.lastUsed > newest.lastUsed) {
            newest = s;
          }
        }
        unloaded = closed ? List.of() : makeRoom(newest, false);
      }
      closeAll(unloaded, Unload.LRU);
    }

    /** Runs the loader on this thread and completes {@code into} with what it made. */
    private void load(CompletableFuture<Engine> into) {
      long begin = System.nanoTime();
      Engine e;
      try {
        e = loader.get();
      } catch (RuntimeException failed) {
        // A later call tries again; the calls waiting now get this failure.
        synchronized (ModelSet.this) {
          if (loaded == into) {
            loaded = null;
            failure = describe(failed);
          }
        }
        into.completeExceptionally(failed);
        events.loadFailed(id);
        LOG.warn("model {} failed to load: {}", id, describe(failed));
        return;
      }
      synchronized (ModelSet.this) {
        if (closed) {
          // The server stopped while the model loaded: nobody else will close it.
          e.close();
          into.completeExceptionally(
              new AtelierException.ModelUnavailable("the server is shutting down"));
          return;
        }
        failure = "";
        into.complete(e);
      }
      events.loaded(id, java.time.Duration.ofNanos(System.nanoTime() - begin));
    }

    private Engine await(CompletableFuture<Engine> f, CancellationToken cancel) {
      while (true) {
        synchronized (ModelSet.this) {
          if (closed) {
            throw new AtelierException.ModelUnavailable("the server is shutting down");
          }
        }
        cancel.throwIfCancelled("waiting for model " + id + " to load");
        try {
          // Polls so that a cancelled request (a client that went away) stops waiting.
          return f.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // still loading
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof AtelierException.ModelUnavailable u) {
            throw u;
          }
          throw new AtelierException.ModelUnavailable(
              "model " + id + " failed to load: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AtelierException.Cancelled(
              "interrupted while waiting for model " + id + " to load");
        }
      }
    }

    @Override
    public String name() {
      return engineName;
    }

    @Override
    public List<GeneratedImage> generate(
        GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
      Engine e = acquire(cancel);
      try {
        return e.generate(request, progress, cancel);
      } finally {
        release();
      }
    }

    @Override
    public List<GeneratedImage> edit(
        EditRequest request, ProgressListener progress, CancellationToken cancel) {
      Engine e = acquire(cancel);
      try {
        return e.edit(request, progress, cancel);
      } finally {
        release();
      }
    }

    @Override
    public boolean seedsReproduce() {
      Engine e = acquire(CancellationToken.none());
      try {
        return e.seedsReproduce();
      } finally {
        release();
      }
    }

    @Override
    public OptionalInt promptTokens(String prompt) {
      Engine e = acquire(CancellationToken.none());
      try {
        return e.promptTokens(prompt);
      } finally {
        release();
      }
    }

    /** The set closes its slots ({@link ModelSet#close()}); a request cannot. */
    @Override
    public void close() {}
  }
}
