package dev.atelier.server.http;

import dev.atelier.core.json.JsonValue;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Page;
import dev.atelier.store.Worker;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/workers} (scope {@code admin}): the processes that run jobs, from the {@code
 * workers} table, in OpenAI's list shape, oldest first. A worker whose heartbeat is older than
 * three leases shows {@code "stale": true} (its process died; its row is pruned after an hour).
 */
final class WorkerRoutes {
  private final MetadataStore metadata;
  private final Duration lease;
  private final Clock clock;

  WorkerRoutes(MetadataStore metadata, Duration lease, Clock clock) {
    this.metadata = metadata;
    this.lease = lease;
    this.clock = clock;
  }

  void register(JavalinConfig c) {
    c.routes.get("/v1/workers", this::list);
  }

  private void list(Context ctx) {
    Instant now = clock.instant();
    List<Worker> all = metadata.workers();
    Routes.send(
        ctx, 200, Gallery.list(new Page<>(all, false), Worker::id, w -> json(w, now, lease)));
  }

  /** One worker on the wire. */
  static JsonValue.Obj json(Worker w, Instant now, Duration lease) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("id", ApiJson.str(w.id()));
    m.put("object", ApiJson.str("worker"));
    m.put("host", ApiJson.str(w.host()));
    m.put("pid", ApiJson.num(w.pid()));
    m.put("engine", ApiJson.str(w.engine()));
    m.put(
        "models",
        new JsonValue.Arr(
            w.models().stream()
                .map(
                    mo -> {
                      Map<String, JsonValue> x = new LinkedHashMap<>();
                      x.put("id", ApiJson.str(mo.id()));
                      x.put("kind", ApiJson.str(mo.kind()));
                      return (JsonValue) new JsonValue.Obj(x);
                    })
                .toList()));
    m.put("device", ApiJson.str(w.device()));
    m.put("state", ApiJson.str(w.state().wire()));
    m.put(
        "current_job",
        w.currentJob().isEmpty() ? JsonValue.Null.INSTANCE : ApiJson.str(w.currentJob()));
    m.put("started_at", ApiJson.num(w.startedAt().getEpochSecond()));
    m.put("heartbeat_at", ApiJson.num(w.heartbeatAt().getEpochSecond()));
    m.put("stale", new JsonValue.Bool(w.stale(now, lease)));
    return new JsonValue.Obj(m);
  }
}
