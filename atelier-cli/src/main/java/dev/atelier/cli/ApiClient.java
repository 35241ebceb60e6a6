package dev.atelier.cli;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A small client of a running Atelier server's JSON API, for the commands that talk to one ({@code
 * atelier jobs}). Non-2xx answers become {@link Failure} with the server's OpenAI-shaped error
 * message; the API key is sent as a bearer token and appears in no message.
 */
final class ApiClient {
  private final URI base;
  private final String apiKey;
  private final HttpClient http;

  ApiClient(URI base, String apiKey) {
    this.base = base;
    this.apiKey = apiKey;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The server's base URL (without {@code /v1}). */
  URI base() {
    return base;
  }

  /** A request or the server failed: {@link #getMessage()} says why in one line. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message);
    }
  }

  /** {@code GET path}, as a JSON object. */
  JsonValue.Obj get(String path) {
    return send(request(path).GET().build());
  }

  /** {@code POST path} without a body, as a JSON object. */
  JsonValue.Obj post(String path) {
    return send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  /**
   * Opens the server-sent events at {@code path}, resuming after {@code lastEventId} when it is
   * present.
   *
   * @throws Failure when the server answers with an error
   * @throws IOException when the connection fails (the caller may try again)
   */
  InputStream events(String path, Optional<String> lastEventId)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path).header("Accept", "text/event-stream").GET();
    lastEventId.ifPresent(id -> b.header("Last-Event-ID", id));
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() / 100 != 2) {
      String body;
      try (InputStream in = r.body()) {
        body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      throw failure(r.statusCode(), body);
    }
    return r.body();
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (!apiKey.isEmpty()) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  private JsonValue.Obj send(HttpRequest req) {
    HttpResponse<String> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
    if (r.statusCode() / 100 != 2) {
      throw failure(r.statusCode(), r.body());
    }
    try {
      return Json.parse(r.body()).asObject();
    } catch (RuntimeException e) {
      throw new Failure(
          base
              + " answered "
              + r.statusCode()
              + " with a body that is no JSON object; is it an"
              + " Atelier server?");
    }
  }

  /** The connection failed: names the server, not the key. */
  Failure unreachable(IOException e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new Failure(
        "cannot reach " + base + " (" + why + "); is `atelier serve` running there? (--url)");
  }

  /** The message of an OpenAI-shaped error body, else the status and the start of the body. */
  static Failure failure(int status, String body) {
    try {
      JsonValue.Obj error = Json.parse(body).asObject().object("error").orElseThrow();
      String message = error.string("message", "");
      if (!message.isEmpty()) {
        return new Failure(message);
      }
    } catch (RuntimeException notOpenAiShaped) {
      // fall through
    }
    String text = body.strip();
    if (text.length() > 200) {
      text = text.substring(0, 200) + "...";
    }
    return new Failure("the server answered " + status + (text.isEmpty() ? "" : ": " + text));
  }
}
