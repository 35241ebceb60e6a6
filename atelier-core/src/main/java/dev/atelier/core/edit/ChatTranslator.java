package dev.atelier.core.edit;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Translates lexicon misses with an OpenAI-compatible chat endpoint ({@code POST
 * {base}/chat/completions}), for the grounding model, which reads English.
 *
 * <p>Any failure (network, HTTP status, malformed reply, an answer that is not a short phrase)
 * yields empty, so the planner falls back to its warning; an edit never fails because the
 * translator did. Answers are cached per phrase. The API key is sent only in the {@code
 * Authorization} header and never appears in messages.
 */
public final class ChatTranslator implements Translator {
  private static final String SYSTEM =
      "Translate the user's phrase from an image-editing instruction into a short English noun or"
          + " adjective phrase (at most 6 words) naming the same object, colour, material or"
          + " style. Reply with the English phrase only.";

  private final URI endpoint;
  private final String apiKey;
  private final String model;
  private final Duration timeout;
  private final HttpClient http;
  private final Map<String, Optional<String>> cache = new ConcurrentHashMap<>();

  /**
   * Creates the translator.
   *
   * @param baseUrl the API base, e.g. {@code https://api.openai.com/v1} or a local server's
   * @param apiKey sent as a bearer token; {@code ""} sends none
   * @param model the chat model name
   * @param timeout per request
   */
  public ChatTranslator(URI baseUrl, String apiKey, String model, Duration timeout) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must name a chat model but was blank");
    }
    String base = baseUrl.toString().replaceAll("/+$", "");
    this.endpoint = URI.create(base + "/chat/completions");
    this.apiKey = apiKey;
    this.model = model;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public Optional<String> toEnglish(String phrase) {
    return cache.computeIfAbsent(phrase.strip(), this::ask);
  }

  private Optional<String> ask(String phrase) {
    JsonValue.Obj body =
        new JsonValue.Obj(
            Map.of(
                "model", new JsonValue.Str(model),
                "temperature", new JsonValue.Num(0),
                "messages",
                    new JsonValue.Arr(
                        List.of(message("system", SYSTEM), message("user", phrase)))));
    HttpRequest.Builder req =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
    if (!apiKey.isEmpty()) {
      req.header("Authorization", "Bearer " + apiKey);
    }
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return Optional.empty();
      }
      JsonValue.Obj reply = Json.parse(r.body()).asObject();
      String text =
          reply
              .array("choices")
              .get(0)
              .asObject()
              .object("message")
              .orElseThrow()
              .string("content", "");
      String answer = text.strip().replaceAll("^[\"'“]+|[\"'”.。]+$", "");
      if (answer.isEmpty() || answer.length() > 60 || answer.contains("\n")) {
        return Optional.empty();
      }
      return Optional.of(answer.toLowerCase(java.util.Locale.ROOT));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static JsonValue message(String role, String content) {
    return new JsonValue.Obj(
        Map.of("role", new JsonValue.Str(role), "content", new JsonValue.Str(content)));
  }
}
