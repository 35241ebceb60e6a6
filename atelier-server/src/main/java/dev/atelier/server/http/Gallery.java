package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Ids;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.auth.ImageUrls;
import dev.atelier.server.images.Sessions;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.OwnerScope;
import dev.atelier.store.Page;
import dev.atelier.store.SessionSummary;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The listings behind the studio's gallery: {@code GET /v1/images} and {@code GET /v1/sessions},
 * newest first, in OpenAI's list shape.
 *
 * <p>An answer is {@code {"object": "list", "data": [...], "first_id", "last_id", "has_more"}}
 * ({@code first_id} and {@code last_id} are {@code null} when {@code data} is empty). {@code limit}
 * (1..100, default 20) caps {@code data}; {@code after} (an id from an earlier page) starts after
 * that item, so passing the last page's {@code last_id} gives the next, older, page. Images are
 * listed as {@code GET /v1/images/{id}} shows them; sessions as summaries without their round tree
 * ({@code GET /v1/sessions/{id}} has it).
 *
 * <p>Both list only the caller's rows (an admin's and a keyless server's: every owner's), filtered
 * in the query. {@code GET /v1/images?session=ses_...} lists one session's images; another owner's
 * session is a 404 exactly like a session that does not exist, and an {@code after} naming another
 * owner's row is refused like an unknown id.
 */
final class Gallery {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private final MetadataStore metadata;

  Gallery(MetadataStore metadata) {
    this.metadata = metadata;
  }

  /** Adds the two listing routes. */
  void register(JavalinConfig c) {
    c.routes.get("/v1/images", this::images);
    c.routes.get("/v1/sessions", this::sessions);
  }

  private void images(Context ctx) {
    Caller caller = Caller.of(ctx);
    int limit = limit(ctx);
    String after = after(ctx, "img", "an image");
    String session = session(ctx, caller);
    var page =
        metadata
            .images(scope(caller), session, limit, after)
            .orElseThrow(() -> unknown(after, "image"));
    ImageUrls base = Routes.urls(ctx);
    Routes.send(ctx, 200, list(page, i -> i.id(), i -> ApiJson.image(i, base)));
  }

  private void sessions(Context ctx) {
    int limit = limit(ctx);
    String after = after(ctx, "ses", "a session");
    var page =
        metadata
            .sessions(scope(Caller.of(ctx)), limit, after)
            .orElseThrow(() -> unknown(after, "session"));
    ImageUrls base = Routes.urls(ctx);
    Routes.send(ctx, 200, list(page, SessionSummary::id, s -> summary(s, base)));
  }

  /** Whose rows {@code caller} lists: an admin's every owner's, anyone else's their own. */
  static OwnerScope scope(Caller caller) {
    return caller.admin() ? OwnerScope.EVERYONE : OwnerScope.only(caller.owner());
  }

  /**
   * The {@code session} filter, or {@code ""} when absent; a session the caller may not see is a
   * 404 exactly like a missing one.
   */
  private String session(Context ctx, Caller caller) {
    String raw = ctx.queryParam("session");
    if (raw == null || raw.isEmpty()) {
      return "";
    }
    if (!Ids.isValid("ses", raw)) {
      throw Sessions.notFound(shown(raw));
    }
    metadata
        .session(raw)
        .filter(s -> caller.owns(s.owner()))
        .orElseThrow(() -> Sessions.notFound(raw));
    return raw;
  }

  /** A session without its round tree: what a gallery shows and needs to open it. */
  static JsonValue.Obj summary(SessionSummary s, ImageUrls urls) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("id", ApiJson.str(s.id()));
    m.put("object", ApiJson.str("session.summary"));
    m.put("created_at", ApiJson.num(s.createdAt().getEpochSecond()));
    m.put("prompt", ApiJson.str(s.prompt()));
    m.put("head", ApiJson.str(s.headRoundId()));
    m.put("current_image_id", ApiJson.str(s.headImageId()));
    m.put("current_image_url", ApiJson.str(urls.of(s.headImageId())));
    m.put("round_count", ApiJson.num(s.roundCount()));
    return ApiJson.obj(m);
  }

  static <T> JsonValue.Obj list(Page<T> page, Function<T, String> id, Function<T, JsonValue> json) {
    List<T> items = page.items();
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("object", ApiJson.str("list"));
    m.put("data", new JsonValue.Arr(items.stream().map(json).toList()));
    m.put(
        "first_id",
        items.isEmpty() ? JsonValue.Null.INSTANCE : ApiJson.str(id.apply(items.getFirst())));
    m.put(
        "last_id",
        items.isEmpty() ? JsonValue.Null.INSTANCE : ApiJson.str(id.apply(items.getLast())));
    m.put("has_more", new JsonValue.Bool(page.hasMore()));
    return ApiJson.obj(m);
  }

  static int limit(Context ctx) {
    String raw = ctx.queryParam("limit");
    if (raw == null || raw.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    int limit;
    try {
      limit = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new AtelierException.InvalidRequest(
          "limit", "limit must be an integer 1.." + MAX_LIMIT + " but was '" + shown(raw) + "'");
    }
    return limit;
  }

  /** The {@code after} id, or {@code ""} when absent; a malformed id is a 400, not a 404. */
  static String after(Context ctx, String prefix, String what) {
    String raw = ctx.queryParam("after");
    if (raw == null || raw.isEmpty()) {
      return "";
    }
    if (!Ids.isValid(prefix, raw)) {
      throw new AtelierException.InvalidRequest(
          "after",
          "after must be " + what + " id (" + prefix + "_...) but was '" + shown(raw) + "'");
    }
    return raw;
  }

  static AtelierException.InvalidRequest unknown(String after, String what) {
    return new AtelierException.InvalidRequest(
        "after",
        "after must be the id of a listed " + what + " but no " + what + " has id '" + after + "'");
  }

  static String shown(String raw) {
    return raw.length() > 60 ? raw.substring(0, 57) + "..." : raw;
  }
}
