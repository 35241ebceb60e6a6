package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.RequestLimits;
import dev.atelier.server.auth.Caller;
import dev.atelier.store.BlobStore;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request to an image-producing route, as the route's preparation reads it: live from HTTP, or
 * stored in a job and read back by the worker that runs it (after a restart, in another process).
 * The same preparation code runs on both, so a stored job is checked and built exactly as its
 * request was.
 *
 * <p>Stored form (the {@code request} column): {@code {"route", "path": {...}, "base", "caller":
 * {"key_id", "owner", "scopes"}, "json": "<body text>"}} for a JSON body, or {@code "parts":
 * [{"name", "text"} | {"name", "blob": "<sha256>"}]} for a multipart one, whose file parts are
 * stored as blobs (content-addressed, so a retry of the same upload stores nothing new).
 *
 * @param route the route's name ({@code images.generations}, ...)
 * @param path the path parameters ({@code id})
 * @param base {@code scheme://host} the request came to, for the URLs in its answer
 * @param caller who sent it
 * @param json the JSON body's text ({@code null} for a multipart body)
 * @param parts the multipart body's parts ({@code null} for a JSON body)
 */
public record ApiRequest(
    String route,
    Map<String, String> path,
    String base,
    Caller caller,
    String json,
    List<FormPart> parts) {

  /**
   * One multipart part.
   *
   * @param name its field name
   * @param file whether it is a file (image bytes) rather than text
   * @param bytes its content
   */
  public record FormPart(String name, boolean file, byte[] bytes) {
    /** Its content as text. */
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** Copies. */
  public ApiRequest {
    path = Map.copyOf(path);
    parts = parts == null ? null : List.copyOf(parts);
  }

  /** Whether the body was multipart. */
  public boolean multipart() {
    return parts != null;
  }

  /** A path parameter. */
  public String pathParam(String name) {
    String v = path.get(name);
    if (v == null) {
      throw new IllegalStateException("route " + route + " has no path parameter " + name);
    }
    return v;
  }

  /** The parts that carry images ({@code image}, {@code image[]}, {@code mask}). */
  static boolean imagePart(String name) {
    return name.equals("image") || name.equals("image[]") || name.equals("mask");
  }

  /**
   * Reads a live request's body once: the JSON text, or every multipart part within the server's
   * limits.
   */
  static ApiRequest read(Context ctx, JobKind kind, RequestLimits limits) {
    Map<String, String> path = new LinkedHashMap<>(ctx.pathParamMap());
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    boolean multipart = type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data");
    if (!multipart || !kind.multipart()) {
      // Routes.text refuses a form body on a JSON-only route, naming the route.
      return new ApiRequest(
          kind.route(), path, Routes.base(ctx), Caller.of(ctx), Routes.text(ctx), null);
    }
    return new ApiRequest(
        kind.route(),
        path,
        Routes.base(ctx),
        Caller.of(ctx),
        null,
        EditInputs.parts(ctx, type, limits));
  }

  /**
   * The stored form; file parts are put into {@code blobs} and named by their SHA-256, which {@code
   * inputs} collects.
   */
  public String store(BlobStore blobs, Set<String> inputs) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("route", new JsonValue.Str(route));
    Map<String, JsonValue> p = new LinkedHashMap<>();
    path.forEach((k, v) -> p.put(k, new JsonValue.Str(v)));
    m.put("path", new JsonValue.Obj(p));
    m.put("base", new JsonValue.Str(base));
    Map<String, JsonValue> c = new LinkedHashMap<>();
    c.put("key_id", new JsonValue.Str(caller.keyId()));
    c.put("owner", new JsonValue.Str(caller.owner()));
    c.put(
        "scopes",
        new JsonValue.Arr(
            caller.scopes().stream().sorted().<JsonValue>map(JsonValue.Str::new).toList()));
    m.put("caller", new JsonValue.Obj(c));
    if (parts == null) {
      m.put("json", new JsonValue.Str(json));
    } else {
      List<JsonValue> out = new ArrayList<>();
      for (FormPart part : parts) {
        Map<String, JsonValue> one = new LinkedHashMap<>();
        one.put("name", new JsonValue.Str(part.name()));
        if (part.file()) {
          String sha = blobs.put(part.bytes());
          inputs.add(sha);
          one.put("blob", new JsonValue.Str(sha));
        } else {
          one.put("text", new JsonValue.Str(part.text()));
        }
        out.add(new JsonValue.Obj(one));
      }
      m.put("parts", new JsonValue.Arr(out));
    }
    return Json.write(new JsonValue.Obj(m));
  }

  /**
   * What identifies this request for {@code Idempotency-Key}: a SHA-256 over the route, the path
   * parameters and the body's content (multipart parts by name and content, so the random boundary
   * of a retried upload does not count).
   */
  public String hash() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      update(d, route);
      new java.util.TreeMap<>(path)
          .forEach(
              (k, v) -> {
                update(d, k);
                update(d, v);
              });
      if (parts == null) {
        update(d, "json");
        update(d, json);
      } else {
        for (FormPart part : parts) {
          update(d, part.name());
          d.update(part.bytes());
          d.update((byte) 0);
        }
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest d, String s) {
    d.update(s.getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0);
  }

  /**
   * Reads the stored form back, the file parts from {@code blobs}.
   *
   * @throws AtelierException.StorageFailure when a blob it names is gone
   */
  public static ApiRequest load(String stored, BlobStore blobs) {
    JsonValue.Obj m = Json.parse(stored).asObject();
    Map<String, String> path = new LinkedHashMap<>();
    m.object("path")
        .orElseThrow()
        .members()
        .forEach((k, v) -> path.put(k, ((JsonValue.Str) v).value()));
    JsonValue.Obj c = m.object("caller").orElseThrow();
    Set<String> scopes = new LinkedHashSet<>();
    for (JsonValue s : c.array("scopes")) {
      scopes.add(((JsonValue.Str) s).value());
    }
    Caller caller = new Caller(c.string("key_id", ""), c.string("owner", ""), scopes, 0, 0, 0);
    List<FormPart> parts = null;
    if (m.has("parts")) {
      parts = new ArrayList<>();
      for (JsonValue v : m.array("parts")) {
        JsonValue.Obj part = (JsonValue.Obj) v;
        String name = part.string("name", "");
        if (part.has("blob")) {
          String sha = part.string("blob", "");
          byte[] bytes =
              blobs
                  .get(sha)
                  .orElseThrow(
                      () ->
                          new AtelierException.StorageFailure(
                              "the job's input image " + sha + " is missing from the blob store",
                              null));
          parts.add(new FormPart(name, true, bytes));
        } else {
          parts.add(
              new FormPart(name, false, part.string("text", "").getBytes(StandardCharsets.UTF_8)));
        }
      }
    }
    return new ApiRequest(
        m.string("route", ""),
        path,
        m.string("base", ""),
        caller,
        parts == null ? m.string("json", "") : null,
        parts);
  }
}
