package dev.atelier.engine.onnx.model;

import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Extra sessions of one graph, each with every symbolic dimension fixed to one shape, kept for the
 * most recently used shapes.
 *
 * <p>ONNX Runtime plans a graph whose shapes are all known once (memory pattern, kernel choice),
 * instead of re-deriving them on every run; on the tiny UNet that made a step up to 2.9x faster
 * (docs/benchmarks.md). The dimensions are fixed by name (ONNX Runtime's free dimension overrides),
 * so a shape is specialisable only when every symbolic dimension of every input has a name and no
 * name would need two values; otherwise calls keep using the dynamic session.
 *
 * <p>A session is created on the first call with its shape; past {@code capacity} shapes the least
 * recently used one is closed once no call runs on it. A shape whose session cannot be created is
 * remembered and not tried again. Thread-safe.
 */
final class ShapeSessions implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ShapeSessions.class.getName());

  private final OnnxComponent dynamic;
  private final int capacity;
  private final Function<Map<String, Long>, OnnxComponent> opener;
  private final LinkedHashMap<Map<String, Long>, Entry> entries =
      new LinkedHashMap<>(16, 0.75f, true);
  private final Set<Map<String, Long>> failed = new HashSet<>();
  private boolean closed;

  /**
   * @param dynamic the session with symbolic dimensions, whose input metadata names them
   * @param capacity most shape sessions kept open (0 disables specialisation)
   * @param opener opens the graph again with the given dimensions fixed
   */
  ShapeSessions(
      OnnxComponent dynamic, int capacity, Function<Map<String, Long>, OnnxComponent> opener) {
    this.dynamic = dynamic;
    this.capacity = capacity;
    this.opener = opener;
  }

  /**
   * The named dimensions to fix so that every input has the given concrete shape, or empty when
   * some symbolic dimension has no name or a name would need two values.
   *
   * @param shapes the concrete shape of each input about to be fed, by input name
   */
  static Optional<Map<String, Long>> dimensions(
      Map<String, TensorInfo> inputs, Map<String, long[]> shapes) {
    Map<String, Long> dims = new LinkedHashMap<>();
    for (Map.Entry<String, TensorInfo> in : inputs.entrySet()) {
      long[] graph = in.getValue().getShape();
      String[] names = in.getValue().getDimensionNames();
      long[] actual = shapes.get(in.getKey());
      if (actual == null || actual.length != graph.length) {
        return Optional.empty();
      }
      for (int i = 0; i < graph.length; i++) {
        if (graph[i] >= 0) {
          continue;
        }
        String name = i < names.length ? names[i] : "";
        if (name == null || name.isEmpty()) {
          return Optional.empty();
        }
        Long before = dims.putIfAbsent(name, actual[i]);
        if (before != null && before != actual[i]) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(dims);
  }

  /** A session to run with inputs of the given shapes; release it with {@link Lease#close()}. */
  Lease acquire(Map<String, long[]> shapes) {
    if (capacity == 0) {
      return new Lease(dynamic, null);
    }
    Optional<Map<String, Long>> dims = dimensions(dynamic.inputs(), shapes);
    if (dims.isEmpty() || dims.get().isEmpty()) {
      return new Lease(dynamic, null);
    }
    Map<String, Long> key = Map.copyOf(dims.get());
    synchronized (this) {
      if (closed || failed.contains(key)) {
        return new Lease(dynamic, null);
      }
      Entry e = entries.get(key);
      if (e == null) {
        // Creation happens under the lock: rare (once per shape) and it keeps two callers from
        // building the same session twice.
        try {
          e = new Entry(opener.apply(key));
        } catch (RuntimeException ex) {
          LOG.log(
              System.Logger.Level.INFO,
              "{0}: no fixed-shape session for {1} ({2}); using the dynamic one",
              dynamic.label(),
              key,
              ex.toString());
          failed.add(key);
          return new Lease(dynamic, null);
        }
        entries.put(key, e);
        evictBeyondCapacity();
      }
      e.users++;
      return new Lease(e.component, e);
    }
  }

  /** How many shape sessions are open (for tests and logs). */
  synchronized int size() {
    return entries.size();
  }

  private void evictBeyondCapacity() {
    List<Entry> toClose = new ArrayList<>();
    Iterator<Entry> it = entries.values().iterator();
    while (entries.size() > capacity && it.hasNext()) {
      Entry oldest = it.next();
      it.remove();
      oldest.evicted = true;
      if (oldest.users == 0) {
        toClose.add(oldest);
      }
    }
    toClose.forEach(e -> e.component.close());
  }

  private synchronized void release(Entry e) {
    e.users--;
    if (e.evicted && e.users == 0) {
      e.component.close();
    }
  }

  /** Closes every shape session; calls still running keep theirs until they release it. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : entries.values()) {
      e.evicted = true;
      if (e.users == 0) {
        e.component.close();
      }
    }
    entries.clear();
  }

  private static final class Entry {
    final OnnxComponent component;
    int users;
    boolean evicted;

    Entry(OnnxComponent component) {
      this.component = component;
    }
  }

  /** A session in use; closing it lets an evicted shape session be closed. */
  final class Lease implements AutoCloseable {
    private final OnnxComponent component;
    private final Entry entry;

    private Lease(OnnxComponent component, Entry entry) {
      this.component = component;
      this.entry = entry;
    }

    /** The session to run. */
    OnnxComponent component() {
      return component;
    }

    @Override
    public void close() {
      if (entry != null) {
        release(entry);
      }
    }
  }
}
