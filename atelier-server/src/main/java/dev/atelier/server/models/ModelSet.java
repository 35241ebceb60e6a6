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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The models a server serves, in the order {@code /v1/models} lists them; the first is the default
 * of a request that names none. This is the one place a model id becomes an {@link Engine}.
 *
 * <p>A model is either given as an engine (the first one, which {@code serve} loads at start,
 * possibly still loading behind a {@link DeferredEngine}) or given as a loader, which runs on the
 * first engine call for that model: the calls that arrive meanwhile wait for that one load (a
 * per-model future) rather than starting their own. A load that fails fails the waiting calls with
 * {@link AtelierException.ModelUnavailable} (503) and leaves the model {@code not_loaded}, so a
 * later call tries again.
 *
 * <p>Owns the engines its loaders made: {@link #close()} closes them (and one that finishes loading
 * after close). Engines given to it stay their giver's.
 */
public final class ModelSet implements AutoCloseable {
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
    READY;

    /** The wire name: {@code not_loaded}, {@code loading}, {@code ready}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One served model: its id, its kind and its engine (which loads it when first called). */
  public record Model(String id, Kind kind, Engine engine) {
    /** Validates the values. */
    public Model {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(engine, "engine");
      if (id.isBlank()) {
        throw new IllegalArgumentException("a model id must not be blank but was '" + id + "'");
      }
    }

    /** Whether the engine is loaded, loading or not loaded yet. */
    public State state() {
      return switch (engine) {
        case Lazy l -> l.state();
        case DeferredEngine d -> d.isSet() ? State.READY : State.LOADING;
        default -> State.READY;
      };
    }
  }

  private final Map<String, Model> models;

  private ModelSet(List<Model> list) {
    if (list.isEmpty()) {
      throw new IllegalArgumentException("a server serves at least one model but none was given");
    }
    Map<String, Model> m = new LinkedHashMap<>();
    for (Model model : list) {
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

  /** Collects the models of a set, in order. */
  public static final class Builder {
    private final List<Model> list = new ArrayList<>();

    private Builder() {}

    /** A model served by {@code engine}, loaded (or loading) already; its giver closes it. */
    public Builder add(String id, Kind kind, Engine engine) {
      list.add(new Model(id, kind, engine));
      return this;
    }

    /**
     * A model that {@code loader} loads on its first engine call; the set closes what it loaded.
     *
     * @param engineName what the engine's {@link Engine#name()} says before it is loaded ({@code
     *     local})
     */
    public Builder lazy(String id, Kind kind, String engineName, Supplier<Engine> loader) {
      list.add(new Model(id, kind, new Lazy(id, engineName, loader)));
      return this;
    }

    /**
     * The set.
     *
     * @throws IllegalArgumentException when no model was added or an id was added twice
     */
    public ModelSet build() {
      return new ModelSet(List.copyOf(list));
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

  /** Closes the engines this set's loaders made; engines given to it stay open. */
  @Override
  public void close() {
    for (Model m : models.values()) {
      if (m.engine() instanceof Lazy l) {
        l.close();
      }
    }
  }

  /** An engine that loads its model on the first call, once. */
  private static final class Lazy implements Engine {
    private final String id;
    private final String engineName;
    private final Supplier<Engine> loader;
    private final AtomicReference<CompletableFuture<Engine>> loaded = new AtomicReference<>();
    private volatile boolean closed;

    Lazy(String id, String engineName, Supplier<Engine> loader) {
      this.id = id;
      this.engineName = Objects.requireNonNull(engineName, "engineName");
      this.loader = Objects.requireNonNull(loader, "loader");
    }

    State state() {
      CompletableFuture<Engine> f = loaded.get();
      if (f == null) {
        return State.NOT_LOADED;
      }
      return f.isDone() && !f.isCompletedExceptionally() ? State.READY : State.LOADING;
    }

    /** The engine: loads it when nobody has, else waits for the load under way. */
    private Engine engine(CancellationToken cancel) {
      while (true) {
        CompletableFuture<Engine> f = loaded.get();
        if (f != null) {
          return await(f, cancel);
        }
        CompletableFuture<Engine> mine = new CompletableFuture<>();
        if (loaded.compareAndSet(null, mine)) {
          load(mine);
          return await(mine, cancel);
        }
      }
    }

    /** Runs the loader on this thread and completes {@code into} with what it made. */
    private void load(CompletableFuture<Engine> into) {
      Engine e;
      try {
        e = loader.get();
      } catch (RuntimeException failure) {
        // A later call tries again; the calls waiting now get this failure.
        loaded.compareAndSet(into, null);
        into.completeExceptionally(failure);
        return;
      }
      synchronized (this) {
        if (closed) {
          // The server stopped while the model loaded: nobody else will close it.
          e.close();
          into.completeExceptionally(
              new AtelierException.ModelUnavailable("the server is shutting down"));
          return;
        }
        into.complete(e);
      }
    }

    private Engine await(CompletableFuture<Engine> f, CancellationToken cancel) {
      while (true) {
        if (closed) {
          throw new AtelierException.ModelUnavailable("the server is shutting down");
        }
        cancel.throwIfCancelled("waiting for model " + id + " to load");
        try {
          // Polls so that a cancelled request (a client that went away) stops waiting.
          return f.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // still loading
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
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
      return engine(cancel).generate(request, progress, cancel);
    }

    @Override
    public List<GeneratedImage> edit(
        EditRequest request, ProgressListener progress, CancellationToken cancel) {
      return engine(cancel).edit(request, progress, cancel);
    }

    @Override
    public boolean seedsReproduce() {
      return engine(CancellationToken.none()).seedsReproduce();
    }

    @Override
    public OptionalInt promptTokens(String prompt) {
      return engine(CancellationToken.none()).promptTokens(prompt);
    }

    @Override
    public synchronized void close() {
      closed = true;
      CompletableFuture<Engine> f = loaded.get();
      if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
        f.join().close();
      }
    }
  }
}
