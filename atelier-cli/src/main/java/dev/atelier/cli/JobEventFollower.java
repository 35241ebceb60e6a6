package dev.atelier.cli;

import dev.atelier.core.ProgressListener;
import dev.atelier.core.StepProgress;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Follows a job's server-sent events ({@code GET /v1/jobs/{id}/events}) to its end, reporting its
 * steps to a progress listener. A connection that drops or ends before the job does is opened again
 * with {@code Last-Event-ID}, so no event is seen twice and none is missed.
 */
final class JobEventFollower {
  /** The events that end a job; their data is the job. */
  static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

  /** How the job ended: {@code completed}, {@code failed} or {@code cancelled}, and the job. */
  record End(String status, JsonValue.Obj job) {}

  private final ApiClient client;
  private final String path;
  private final ProgressListener progress;
  private final int maxRetries;
  private final Duration retryDelay;
  private Optional<String> lastEventId = Optional.empty();
  private int lastStep;
  private int connections;

  /**
   * @param maxRetries connections in a row that may fail or end early before following gives up
   * @param retryDelay the wait before opening the stream again
   */
  JobEventFollower(
      ApiClient client,
      String jobPath,
      ProgressListener progress,
      int maxRetries,
      Duration retryDelay) {
    this.client = client;
    this.path = jobPath + "/events";
    this.progress = progress;
    this.maxRetries = maxRetries;
    this.retryDelay = retryDelay;
  }

  /** How many times the stream was opened (1 when it never dropped). */
  int connections() {
    return connections;
  }

  /**
   * Follows the events until the job ends.
   *
   * @throws ApiClient.Failure when the server refuses the stream, or it keeps dropping
   */
  End follow() throws InterruptedException {
    int failures = 0;
    String why = "";
    while (true) {
      connections++;
      try (InputStream in = client.events(path, lastEventId)) {
        Reading r = read(in);
        if (r.end != null) {
          return r.end;
        }
        why = "the stream ended before the job did";
        if (r.events > 0) {
          failures = 0;
        }
      } catch (IOException e) {
        why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      failures++;
      if (failures > maxRetries) {
        throw new ApiClient.Failure(
            "lost the events of "
                + path
                + " after "
                + failures
                + " tries ("
                + why
                + "); `atelier jobs show` tells where the job is");
      }
      Thread.sleep(retryDelay.toMillis());
    }
  }

  /** What one connection delivered: how many events, and the end if it came. */
  private record Reading(int events, End end) {}

  private Reading read(InputStream in) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String id = null;
    String type = "message";
    StringBuilder data = new StringBuilder();
    int events = 0;
    String line;
    while ((line = lines.readLine()) != null) {
      if (line.isEmpty()) {
        if (data.length() > 0 || id != null) {
          events++;
          if (id != null) {
            lastEventId = Optional.of(id);
          }
          End end = dispatch(type, data.toString());
          if (end != null) {
            return new Reading(events, end);
          }
        }
        id = null;
        type = "message";
        data.setLength(0);
      } else if (line.startsWith(":")) {
        continue; // a keep-alive comment
      } else {
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "id" -> id = value;
          case "event" -> type = value;
          case "data" -> {
            if (data.length() > 0) {
              data.append('\n');
            }
            data.append(value);
          }
          default -> {
            // retry and unknown fields are ignored
          }
        }
      }
    }
    return new Reading(events, null);
  }

  private End dispatch(String type, String data) {
    if (TERMINAL.contains(type)) {
      return new End(type, Json.parse(data).asObject());
    }
    if (type.equals("progress")) {
      JsonValue.Obj p = Json.parse(data).asObject();
      int step = (int) p.integer("step", 0);
      int steps = (int) p.integer("steps", 0);
      if (steps > 0 && step >= 1 && step <= steps && step != lastStep) {
        lastStep = step;
        progress.onStep(new StepProgress(step, steps, Optional::empty));
      }
      progress.onImagesDone((int) p.integer("images_done", 0));
    }
    return null; // partial images are not shown here
  }
}
