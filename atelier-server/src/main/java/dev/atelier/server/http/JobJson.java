package dev.atelier.server.http;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.auth.ImageUrls;
import dev.atelier.server.jobs.JobProgress;
import dev.atelier.store.Job;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job on the wire: {@code {"id", "object": "image.job", "status", "kind", "created_at",
 * "started_at", "completed_at", "progress": {step, steps, images_done, n}, "queue_position",
 * "attempts", "error", "result"}}, times in Unix seconds ({@code null} until they happen), {@code
 * queue_position} the queued jobs ahead of it in arrival order ({@code null} unless queued), {@code
 * error} OpenAI's error object of a failed job, and {@code result} exactly the body the waiting
 * call returns (its image URLs signed afresh, its images' base64 read back from the blob store: see
 * {@link StoredResults}).
 */
final class JobJson {
  private static final Pattern CONTENT_URL =
      Pattern.compile("^https?://[^/]+/v1/images/(img_[A-Za-z0-9_-]+)/content(\\?.*)?$");

  private JobJson() {}

  static JsonValue.Obj job(
      Job j,
      Optional<JobProgress> live,
      int queuePosition,
      ImageUrls urls,
      java.util.function.UnaryOperator<JsonValue> expand) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("id", ApiJson.str(j.id()));
    m.put("object", ApiJson.str("image.job"));
    m.put("status", ApiJson.str(j.status().wire()));
    m.put("kind", ApiJson.str(j.kind()));
    m.put("created_at", seconds(Optional.of(j.createdAt())));
    m.put("started_at", seconds(j.startedAt()));
    m.put("completed_at", seconds(j.completedAt()));
    JobProgress p = live.orElseGet(() -> JobProgress.parse(j.progress(), j.n()));
    if (j.status() == dev.atelier.store.JobStatus.COMPLETED) {
      p = new JobProgress(p.steps(), p.steps(), j.n(), j.n());
    }
    m.put("progress", p.toJson());
    m.put(
        "queue_position", queuePosition < 0 ? JsonValue.Null.INSTANCE : ApiJson.num(queuePosition));
    m.put("attempts", ApiJson.num(j.attempts()));
    m.put("error", error(j));
    m.put(
        "result",
        j.result().isEmpty()
            ? JsonValue.Null.INSTANCE
            : resigned(expand.apply(Json.parse(j.result())), urls));
    return new JsonValue.Obj(m);
  }

  /** A failed job's error object, or null. */
  private static JsonValue error(Job j) {
    if (j.error().isEmpty()) {
      return JsonValue.Null.INSTANCE;
    }
    JsonValue stored = Json.parse(j.error());
    return stored instanceof JsonValue.Obj o ? o.get("error").orElse(stored) : stored;
  }

  private static JsonValue seconds(Optional<Instant> t) {
    return t.<JsonValue>map(i -> ApiJson.num(i.getEpochSecond())).orElse(JsonValue.Null.INSTANCE);
  }

  /**
   * {@code v} with every image content URL in it signed afresh by {@code urls} (a stored result's
   * signatures expire); unchanged when {@code urls} is null.
   */
  static JsonValue resigned(JsonValue v, ImageUrls urls) {
    if (urls == null) {
      return v;
    }
    return switch (v) {
      case JsonValue.Str s -> {
        Matcher m = CONTENT_URL.matcher(s.value());
        yield m.matches() ? ApiJson.str(urls.of(m.group(1))) : s;
      }
      case JsonValue.Arr a -> {
        List<JsonValue> items = new ArrayList<>();
        a.items().forEach(i -> items.add(resigned(i, urls)));
        yield new JsonValue.Arr(items);
      }
      case JsonValue.Obj o -> {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        o.members().forEach((k, x) -> m.put(k, resigned(x, urls)));
        yield new JsonValue.Obj(m);
      }
      default -> v;
    };
  }
}
