package dev.atelier.server.jobs;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far a job is: denoising step {@code step} of {@code steps} of the current call, and {@code
 * imagesDone} of its {@code n} images.
 */
public record JobProgress(int step, int steps, int imagesDone, int n) {
  /** Nothing done yet. */
  public static JobProgress start(int n) {
    return new JobProgress(0, 0, 0, n);
  }

  /** As the wire and the {@code progress} column show it. */
  public JsonValue.Obj toJson() {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("step", new JsonValue.Num(step));
    m.put("steps", new JsonValue.Num(steps));
    m.put("images_done", new JsonValue.Num(imagesDone));
    m.put("n", new JsonValue.Num(n));
    return new JsonValue.Obj(m);
  }

  /** Reads what {@link #toJson()} wrote; {@link #start(int)} for {@code ""} or a foreign shape. */
  public static JobProgress parse(String text, int n) {
    if (text.isEmpty()) {
      return start(n);
    }
    try {
      if (!(Json.parse(text) instanceof JsonValue.Obj o)) {
        return start(n);
      }
      return new JobProgress(
          (int) o.integer("step", 0),
          (int) o.integer("steps", 0),
          (int) o.integer("images_done", 0),
          n);
    } catch (RuntimeException e) {
      return start(n);
    }
  }
}
