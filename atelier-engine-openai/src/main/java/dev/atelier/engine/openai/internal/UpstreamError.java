package dev.atelier.engine.openai.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.nio.charset.StandardCharsets;

/**
 * The {@code {"error": {"message", "type", "param", "code"}}} an OpenAI-compatible upstream answers
 * with on failure; read leniently, since proxies in front of it answer with HTML or plain text.
 *
 * @param message the upstream's message, or a description of its answer when it sent none
 * @param param the field it names, or {@code ""}
 * @param code its error code, or {@code ""}
 * @param structured whether the answer was OpenAI's error JSON (else {@code message} is the
 *     answer's text, shortened)
 */
record UpstreamError(String message, String param, String code, boolean structured) {

  private static final int MAX_TEXT = 300;

  /** Reads the body of an error answer. */
  static UpstreamError parse(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      JsonValue.Obj root = Json.parse(text).asObject();
      JsonValue.Obj error = root.object("error").orElse(root);
      String message = scalar(error, "message");
      if (!message.isEmpty()) {
        return new UpstreamError(message, scalar(error, "param"), scalar(error, "code"), true);
      }
    } catch (IllegalArgumentException notJson) {
      // Fall through to the plain-text description.
    }
    String plain = text.replaceAll("\\s+", " ").strip();
    if (plain.length() > MAX_TEXT) {
      plain = plain.substring(0, MAX_TEXT) + "...";
    }
    return new UpstreamError(plain, "", "", false);
  }

  /** This error with every occurrence of {@code secret} replaced. */
  UpstreamError redacted(String secret) {
    return new UpstreamError(
        Redaction.redact(message, secret),
        Redaction.redact(param, secret),
        Redaction.redact(code, secret),
        structured);
  }

  private static String scalar(JsonValue.Obj o, String key) {
    return switch (o.get(key).orElse(JsonValue.Null.INSTANCE)) {
      case JsonValue.Str s -> s.value();
      case JsonValue.Num n ->
          n.value() == Math.rint(n.value()) ? Long.toString(n.asLong()) : n.toString();
      case JsonValue.Bool b -> Boolean.toString(b.value());
      default -> "";
    };
  }
}
