package dev.atelier.server.ops;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.MetadataStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether the server can take work now, as {@code GET /readyz} answers it: the default model is
 * loaded, the store answers a ping, and the job queue has room and is not draining.
 *
 * <p>With several models ({@link #modelsFrom}), the body lists each in {@code models} with its
 * state, and only the default (first) model decides readiness: the server is not ready while it
 * loads at start or when its last load failed. The others load on their first request, so {@code
 * not_loaded} is fine; one that failed to load shows {@code failed} with the reason in {@code
 * models} but leaves the server ready, since requests for the default and for every other model
 * still work (and the next request for it tries again). A default model that a memory budget
 * unloaded after it served is reloaded by its next request: the server stays ready meanwhile.
 *
 * <p>The default model's state at start is set from outside (the loader calls {@link #loading},
 * then {@link #ready} or {@link #failed}); the store is pinged on every {@link #check()}; the queue
 * is asked through the hook {@link #queueFrom} plugs in ({@link QueueState#NONE} until then).
 * {@link #draining()} turns readiness off for good, so a load balancer stops sending work before
 * the server stops.
 *
 * <p>A new instance says the model is ready: a server started with a loaded engine has nothing to
 * wait for. Thread-safe.
 */
public final class Readiness {
  /** The model's state: {@code ready}, {@code loading} (with progress) or {@code failed}. */
  private record Model(String status, double progress, String detail) {}

  private static final int MAX_DETAIL = 300;

  private final MetadataStore store;
  private volatile Model model = new Model("ready", 1, "");
  private volatile Supplier<QueueState> queue = () -> QueueState.NONE;
  private volatile Supplier<List<ModelCheck>> models = List::of;
  private volatile boolean draining;

  /** Readiness over {@code store}, which {@link #check()} pings. */
  public Readiness(MetadataStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * Says the model is loading.
   *
   * @param progress how far, 0.0 to 1.0
   * @param detail what happens now, e.g. {@code "loading unet"}
   * @throws IllegalArgumentException when {@code progress} is outside 0..1
   */
  public void loading(double progress, String detail) {
    if (!(progress >= 0 && progress <= 1)) {
      throw new IllegalArgumentException("progress must be 0.0..1.0 but was " + progress);
    }
    model = new Model("loading", progress, Objects.requireNonNull(detail, "detail"));
  }

  /** Whether the model is loaded (jobs may start). */
  public boolean modelReady() {
    return model.status().equals("ready");
  }

  /** Says the model is loaded and serves. */
  public void ready() {
    model = new Model("ready", 1, "");
  }

  /** Says the model failed to load, and why (shown on {@code /readyz}: no secrets in it). */
  public void failed(String detail) {
    model = new Model("failed", 0, Objects.requireNonNull(detail, "detail"));
  }

  /**
   * One served model as {@code /readyz} lists it in {@code models}.
   *
   * @param id the id {@code /v1/models} lists
   * @param kind {@code text-to-image}, {@code inpainting} or {@code instruct-pix2pix}
   * @param state {@code not_loaded}, {@code loading}, {@code ready} or {@code failed}
   * @param progress how far a load is, 0.0..1.0 (1 when ready, 0 where a loader reports none)
   * @param detail what a load does now or why it failed (no secrets); empty otherwise
   */
  public record ModelCheck(String id, String kind, String state, double progress, String detail) {
    /** Validates the values. */
    public ModelCheck {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(detail, "detail");
      if (!(progress >= 0 && progress <= 1)) {
        throw new IllegalArgumentException("progress must be 0.0..1.0 but was " + progress);
      }
    }
  }

  /**
   * Plugs in the served models, the default first: {@code checks} is asked on every {@link
   * #check()}. Without it the body lists no models and only the state set through {@link #loading},
   * {@link #ready} and {@link #failed} counts.
   */
  public void modelsFrom(Supplier<List<ModelCheck>> checks) {
    models = Objects.requireNonNull(checks, "checks");
  }

  /** Plugs in the job queue: {@code state} is asked on every {@link #check()}. */
  public void queueFrom(Supplier<QueueState> state) {
    queue = Objects.requireNonNull(state, "state");
  }

  /** Turns readiness off for good: the server is draining its work before it stops. */
  public void draining() {
    draining = true;
  }

  /** Whether {@link #draining()} was called. */
  public boolean isDraining() {
    return draining;
  }

  /**
   * One answer of {@code /readyz}.
   *
   * @param ready whether every check passed (HTTP 200, else 503)
   * @param json the body: {@code {"status": "ready"|"not_ready", "checks": {...}, "models": [...]}}
   */
  public record Report(boolean ready, JsonValue.Obj json) {
    /** Requires the body. */
    public Report {
      Objects.requireNonNull(json, "json");
    }

    /** The body as JSON text. */
    public String body() {
      return Json.write(json);
    }
  }

  /** Runs every check now: pings the store and asks the queue. */
  public Report check() {
    List<ModelCheck> served;
    try {
      served = List.copyOf(models.get());
    } catch (RuntimeException e) {
      served = List.of();
    }
    Model m = model;
    if (m.status().equals("ready") && !served.isEmpty() && served.get(0).state().equals("failed")) {
      // Loaded at start, then unloaded by the memory budget, and its reload failed.
      m = new Model("failed", 0, served.get(0).detail());
    }
    Map<String, JsonValue> modelCheck = new LinkedHashMap<>();
    modelCheck.put("status", str(m.status()));
    if (m.status().equals("loading")) {
      modelCheck.put("progress", new JsonValue.Num(m.progress()));
    }
    if (!m.detail().isEmpty()) {
      modelCheck.put("detail", str(m.detail()));
    }
    boolean modelOk = m.status().equals("ready");

    Map<String, JsonValue> storeCheck = new LinkedHashMap<>();
    boolean storeOk;
    try {
      store.ping();
      storeOk = true;
      storeCheck.put("status", str("ok"));
      storeCheck.put("detail", str(store.kind()));
    } catch (RuntimeException e) {
      storeOk = false;
      storeCheck.put("status", str("failed"));
      storeCheck.put("detail", str(describe(e)));
    }

    Map<String, JsonValue> queueCheck = new LinkedHashMap<>();
    QueueState q;
    try {
      q = queue.get();
    } catch (RuntimeException e) {
      q = null;
    }
    boolean queueOk;
    if (q == null) {
      queueOk = false;
      queueCheck.put("status", str("failed"));
    } else {
      String status = draining || q.draining() ? "draining" : q.full() ? "full" : "ok";
      queueOk = status.equals("ok");
      queueCheck.put("status", str(status));
      queueCheck.put("depth", new JsonValue.Num(q.depth(), Integer.toString(q.depth())));
      queueCheck.put("capacity", new JsonValue.Num(q.capacity(), Integer.toString(q.capacity())));
    }

    boolean ready = modelOk && storeOk && queueOk;
    Map<String, JsonValue> checks = new LinkedHashMap<>();
    checks.put("model", new JsonValue.Obj(modelCheck));
    checks.put("store", new JsonValue.Obj(storeCheck));
    checks.put("queue", new JsonValue.Obj(queueCheck));
    Map<String, JsonValue> body = new LinkedHashMap<>();
    body.put("status", str(ready ? "ready" : "not_ready"));
    body.put("checks", new JsonValue.Obj(checks));
    if (!served.isEmpty()) {
      List<JsonValue> list = new ArrayList<>();
      for (int i = 0; i < served.size(); i++) {
        ModelCheck c = served.get(i);
        Map<String, JsonValue> entry = new LinkedHashMap<>();
        entry.put("id", str(c.id()));
        entry.put("kind", str(c.kind()));
        entry.put("default", new JsonValue.Bool(i == 0));
        entry.put("state", str(c.state()));
        entry.put("progress", new JsonValue.Num(c.progress()));
        entry.put("detail", str(c.detail()));
        list.add(new JsonValue.Obj(entry));
      }
      body.put("models", new JsonValue.Arr(list));
    }
    return new Report(ready, new JsonValue.Obj(body));
  }

  private static String describe(RuntimeException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.length() > MAX_DETAIL ? m.substring(0, MAX_DETAIL) + "..." : m;
  }

  private static JsonValue str(String s) {
    return new JsonValue.Str(s);
  }
}
