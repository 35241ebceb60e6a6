package dev.atelier.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One process that runs jobs, as it reports itself in the {@code workers} table.
 *
 * @param id the name it claims jobs under ({@code host:pid:random})
 * @param host the machine's name
 * @param pid its process id
 * @param engine {@code local} or {@code openai}
 * @param models the models it serves, the default first
 * @param device where its engine runs ({@code cpu}, {@code cuda:0}, an upstream's URL)
 * @param state what it does now
 * @param currentJob the job it runs ({@code ""} when none; the first when it runs several)
 * @param startedAt when it registered
 * @param heartbeatAt when it last reported
 */
public record Worker(
    String id,
    String host,
    long pid,
    String engine,
    List<Model> models,
    String device,
    State state,
    String currentJob,
    Instant startedAt,
    Instant heartbeatAt) {

  /** Validates and copies. */
  public Worker {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(engine, "engine");
    models = List.copyOf(models);
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(currentJob, "currentJob");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(heartbeatAt, "heartbeatAt");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a worker id must not be blank but was '" + id + "'");
    }
  }

  /**
   * A served model: its id, its kind ({@code text-to-image}, {@code inpainting}, {@code
   * instruct-pix2pix}) and what the server knows of it before loading (its profile: family, native
   * side, size multiple, few-step; written and read by the server, opaque here, {@code ""} when
   * unknown), so API nodes map sizes and defaults as the worker does.
   */
  public record Model(String id, String kind, String profile) {
    /** Validates: none may hold a comma or an equals sign (the column's separators). */
    public Model {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(profile, "profile");
      if (id.isBlank() || id.contains(",") || id.contains("=")) {
        throw new IllegalArgumentException(
            "a model id must be non-blank without ',' or '=' but was '" + id + "'");
      }
      if (kind.contains(",") || kind.contains("=")) {
        throw new IllegalArgumentException("a model kind must not hold ',' or '=': " + kind);
      }
      if (profile.contains(",") || profile.contains("=")) {
        throw new IllegalArgumentException("a model profile must not hold ',' or '=': " + profile);
      }
    }

    /** A model whose profile is not known. */
    public Model(String id, String kind) {
      this(id, kind, "");
    }
  }

  /** What a worker does. */
  public enum State {
    /** Its model loads; it claims nothing yet. */
    STARTING,
    /** Warm, waiting for a job. */
    IDLE,
    /** Running a job. */
    RUNNING,
    /** Stopping: it claims nothing more and gives its running job back. */
    DRAINING;

    /** The wire name: {@code starting}, {@code idle}, {@code running}, {@code draining}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The state named {@code wire}; {@code IDLE} for a name this version does not know. */
    public static State of(String wire) {
      for (State s : values()) {
        if (s.wire().equals(wire)) {
          return s;
        }
      }
      return IDLE;
    }
  }

  /**
   * Whether this worker's last heartbeat is older than three {@code lease}s at {@code now}: its
   * process is gone (a clean stop deletes the row).
   */
  public boolean stale(Instant now, Duration lease) {
    return heartbeatAt.plus(lease.multipliedBy(3)).isBefore(now);
  }

  /** This row with {@code state}, {@code currentJob} and a heartbeat at {@code at}. */
  public Worker beat(State state, String currentJob, Instant at) {
    return new Worker(id, host, pid, engine, models, device, state, currentJob, startedAt, at);
  }
}
