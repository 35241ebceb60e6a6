package dev.atelier.engine.openai.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a streamed Images API answer ({@code text/event-stream}) event by event.
 *
 * <p>Events, as OpenAI documents them and the openai-java SDK models them ({@code
 * ImageGenStreamEvent}, {@code ImageEditStreamEvent}): {@code image_generation.partial_image} /
 * {@code image_edit.partial_image} with {@code b64_json} and {@code partial_image_index}, and
 * {@code image_generation.completed} / {@code image_edit.completed} with the final {@code b64_json}
 * and {@code usage}. The type is read from the JSON's {@code type}, falling back to the SSE {@code
 * event:} line. An {@code error} event fails the call; unknown events are skipped, and the {@code
 * [DONE]} marker ends the stream.
 */
public final class EventStream {
  private static final int MAX_LINE = 256 << 20;

  /** Receives partial images as they arrive. */
  @FunctionalInterface
  public interface PartialListener {
    /** Called with a partial image's 0-based index and its base64 bytes. */
    void onPartial(int index, String b64Json);
  }

  private final Response response;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private byte[] chunk = new byte[0];
  private int at;
  private boolean end;

  private EventStream(Response response) {
    this.response = response;
  }

  /**
   * Reads the whole stream.
   *
   * @param prefix {@code image_generation} or {@code image_edit}
   * @param onPartial receives each partial image
   * @param onCompleted receives each final image (index within this call, base64), before the next
   *     event is read
   * @throws dev.atelier.core.AtelierException.UpstreamFailure (502) on an error event, a malformed
   *     event or a stream without a completed image
   */
  public static CallResult read(
      Response response, String prefix, PartialListener onPartial, PartialListener onCompleted) {
    return new EventStream(response).readAll(prefix, onPartial, onCompleted);
  }

  private CallResult readAll(
      String prefix, PartialListener onPartial, PartialListener onCompleted) {
    String requestId = response.requestId();
    List<CallResult.UpstreamImage> images = new ArrayList<>();
    Optional<Usage> usage = Optional.empty();
    String eventName = "";
    StringBuilder data = new StringBuilder();
    for (Optional<String> l = nextLine(); ; l = nextLine()) {
      String text = l.orElse("");
      if (!text.isEmpty()) {
        if (text.startsWith(":")) {
          continue;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        value = value.startsWith(" ") ? value.substring(1) : value;
        if (field.equals("event")) {
          eventName = value;
        } else if (field.equals("data")) {
          data.append(data.isEmpty() ? "" : "\n").append(value);
        }
        continue;
      }
      // A blank line (or the end of the stream) dispatches the event gathered so far.
      response.throwIfCancelled();
      if (!data.isEmpty() && !data.toString().equals("[DONE]")) {
        JsonValue.Obj event = parse(data.toString(), requestId);
        String type = event.string("type", eventName);
        if (type.equals(prefix + ".partial_image")) {
          CallResult.UpstreamImage partial = JsonAnswer.image(event, type + " event", requestId);
          onPartial.onPartial((int) event.integer("partial_image_index", 0), partial.b64Json());
        } else if (type.equals(prefix + ".completed")) {
          CallResult.UpstreamImage done = JsonAnswer.image(event, type + " event", requestId);
          images.add(done);
          onCompleted.onPartial(images.size() - 1, done.b64Json());
          Optional<Usage> u = Usage.read(event);
          if (u.isPresent()) {
            usage = Optional.of(usage.map(v -> v.plus(u.get())).orElse(u.get()));
          }
        } else if (type.equals("error") || event.has("error")) {
          JsonValue.Obj error = event.object("error").orElse(event);
          throw Failures.gateway(
              "upstream stream failed: "
                  + error.string("message", "error event without a message")
                  + JsonAnswer.ref(requestId),
              error.string("code", ""));
        }
      }
      data.setLength(0);
      eventName = "";
      if (l.isEmpty()) {
        break;
      }
    }
    if (images.isEmpty()) {
      throw Failures.badResponse(
          "upstream stream ended without a "
              + prefix
              + ".completed event"
              + JsonAnswer.ref(requestId));
    }
    return new CallResult(images, usage, requestId);
  }

  private static JsonValue.Obj parse(String data, String requestId) {
    try {
      return Json.parse(data).asObject();
    } catch (IllegalArgumentException e) {
      throw Failures.badResponse(
          "upstream sent an event that is not a JSON object ("
              + e.getMessage()
              + ")"
              + JsonAnswer.ref(requestId),
          e);
    }
  }

  /** The next line without its terminator; empty at the end of the stream. */
  private Optional<String> nextLine() {
    line.reset();
    while (true) {
      if (at == chunk.length) {
        if (end) {
          return line.size() > 0 ? Optional.of(text()) : Optional.empty();
        }
        chunk = response.nextChunk();
        at = 0;
        end = chunk.length == 0;
        continue;
      }
      int nl = at;
      while (nl < chunk.length && chunk[nl] != '\n') {
        nl++;
      }
      line.write(chunk, at, nl - at);
      if (line.size() > MAX_LINE) {
        throw Failures.badResponse("upstream sent an event line over " + (MAX_LINE >> 20) + " MiB");
      }
      boolean complete = nl < chunk.length;
      at = complete ? nl + 1 : nl;
      if (complete) {
        return Optional.of(text());
      }
    }
  }

  private String text() {
    byte[] bytes = line.toByteArray();
    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }
}
