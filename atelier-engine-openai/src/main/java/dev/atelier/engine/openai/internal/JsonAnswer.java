package dev.atelier.engine.openai.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a non-streamed Images API answer: {@code {"data": [{"b64_json", "revised_prompt"}],
 * "usage": {...}}}.
 *
 * <p>Only base64 answers are accepted: the engine never asks for URLs, and fetching one would make
 * the server reach wherever an upstream points it.
 */
public final class JsonAnswer {
  private JsonAnswer() {}

  /**
   * Parses the answer.
   *
   * @throws dev.atelier.core.AtelierException.UpstreamFailure (502) when the body is not JSON, has
   *     no {@code data} list, or an item has no {@code b64_json}
   */
  public static CallResult parse(byte[] body, String requestId) {
    JsonValue.Obj root;
    try {
      root = Json.parse(new String(body, StandardCharsets.UTF_8)).asObject();
    } catch (IllegalArgumentException e) {
      throw Failures.badResponse(
          "upstream answer is not a JSON object (" + e.getMessage() + ")" + ref(requestId), e);
    }
    if (!(root.get("data").orElse(JsonValue.Null.INSTANCE) instanceof JsonValue.Arr data)) {
      throw Failures.badResponse("upstream answer has no \"data\" list" + ref(requestId));
    }
    List<CallResult.UpstreamImage> images = new ArrayList<>();
    for (int i = 0; i < data.items().size(); i++) {
      if (!(data.items().get(i) instanceof JsonValue.Obj item)) {
        throw Failures.badResponse("upstream data[" + i + "] is not an object" + ref(requestId));
      }
      images.add(image(item, "data[" + i + "]", requestId));
    }
    try {
      return new CallResult(images, Usage.read(root), requestId);
    } catch (IllegalArgumentException e) {
      throw Failures.badResponse("upstream usage is malformed: " + e.getMessage(), e);
    }
  }

  /** One image item ({@code data[i]} or a completed event). */
  static CallResult.UpstreamImage image(JsonValue.Obj item, String where, String requestId) {
    try {
      String b64 = item.string("b64_json", "");
      if (b64.isEmpty()) {
        throw Failures.badResponse(
            item.has("url")
                ? "upstream "
                    + where
                    + " has only a url; the engine needs b64_json"
                    + ref(requestId)
                : "upstream " + where + " has no b64_json" + ref(requestId));
      }
      return new CallResult.UpstreamImage(b64, item.string("revised_prompt", ""));
    } catch (IllegalArgumentException e) {
      throw Failures.badResponse("upstream " + where + " is malformed: " + e.getMessage(), e);
    }
  }

  static String ref(String requestId) {
    return requestId.isEmpty() ? "" : " (x-request-id " + requestId + ")";
  }
}
