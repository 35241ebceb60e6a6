package dev.atelier.server.http;

import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import dev.atelier.server.auth.ImageUrls;
import dev.atelier.server.images.Library;
import dev.atelier.server.images.Sessions;
import dev.atelier.server.images.TokenUsage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the wire JSON of images, image responses and sessions. */
public final class ApiJson {
  private ApiJson() {}

  /** A JSON string. */
  public static JsonValue.Str str(String s) {
    return new JsonValue.Str(s);
  }

  /** A JSON number. */
  public static JsonValue.Num num(double d) {
    return new JsonValue.Num(d);
  }

  static JsonValue.Obj obj(Map<String, JsonValue> m) {
    return new JsonValue.Obj(m);
  }

  static JsonValue.Obj stringMap(Map<String, String> m) {
    Map<String, JsonValue> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, str(v)));
    return obj(out);
  }

  static JsonValue.Arr strings(List<String> items) {
    return new JsonValue.Arr(items.stream().<JsonValue>map(ApiJson::str).toList());
  }

  /** OpenAI's images response, plus Atelier's {@code id} and {@code seed} per image. */
  static JsonValue.Obj imagesResponse(
      List<Library.Saved> images, boolean url, ImageUrls urls, List<String> warnings) {
    List<JsonValue> data = new ArrayList<>();
    for (Library.Saved s : images) {
      Map<String, JsonValue> d = new LinkedHashMap<>();
      if (url) {
        d.put("url", str(urls.of(s.row().id())));
      } else {
        d.put("b64_json", str(Base64.getEncoder().encodeToString(s.bytes())));
      }
      String revised = s.row().provenance().getOrDefault("revised_prompt", "");
      if (!revised.isEmpty()) {
        d.put("revised_prompt", str(revised));
      }
      d.put("id", str(s.row().id()));
      d.put("seed", num(Double.parseDouble(s.row().provenance().getOrDefault("seed", "0"))));
      data.add(obj(d));
    }
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("created", num(System.currentTimeMillis() / 1000));
    m.put("data", new JsonValue.Arr(data));
    if (!images.isEmpty()) {
      StoredImage first = images.get(0).row();
      m.put("output_format", str(first.format()));
      m.put("size", str(first.width() + "x" + first.height()));
    }
    TokenUsage total = TokenUsage.ZERO;
    for (Library.Saved s : images) {
      total = total.plus(TokenUsage.of(s.row().provenance()));
    }
    // The local engine bills nothing (zeros, present so OpenAI clients parse them); the upstream
    // engine's usage is summed over its calls.
    JsonValue.Obj usage = usage(total);
    m.put("usage", usage);
    if (!warnings.isEmpty()) {
      m.put("warnings", strings(warnings));
    }
    return obj(m);
  }

  /** OpenAI's usage object. */
  public static JsonValue.Obj usage(TokenUsage u) {
    Map<String, JsonValue> details = new LinkedHashMap<>();
    details.put("image_tokens", num(u.inputImageTokens()));
    details.put("text_tokens", num(u.inputTextTokens()));
    Map<String, JsonValue> usage = new LinkedHashMap<>();
    usage.put("input_tokens", num(u.inputTokens()));
    usage.put("input_tokens_details", obj(details));
    usage.put("output_tokens", num(u.outputTokens()));
    usage.put("total_tokens", num(u.totalTokens()));
    return obj(usage);
  }

  /** An image's metadata: {@code GET /v1/images/{id}}. */
  static JsonValue.Obj image(StoredImage i, ImageUrls urls) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("id", str(i.id()));
    m.put("object", str("image"));
    m.put("created_at", num(i.createdAt().getEpochSecond()));
    m.put("width", num(i.width()));
    m.put("height", num(i.height()));
    m.put("format", str(i.format()));
    m.put("sha256", str(i.sha256()));
    m.put("url", str(urls.of(i.id())));
    m.put("session", i.sessionId().isEmpty() ? JsonValue.Null.INSTANCE : str(i.sessionId()));
    m.put("parent", i.parentImageId().isEmpty() ? JsonValue.Null.INSTANCE : str(i.parentImageId()));
    m.put("provenance", stringMap(i.provenance()));
    return obj(m);
  }

  static JsonValue.Obj round(Round r, ImageUrls urls) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("id", str(r.id()));
    m.put("parent", r.parentId().isEmpty() ? JsonValue.Null.INSTANCE : str(r.parentId()));
    m.put("kind", str(r.kind().name().toLowerCase(java.util.Locale.ROOT)));
    m.put("image_id", str(r.imageId()));
    m.put("image_url", str(urls.of(r.imageId())));
    m.put("instruction", str(r.instruction()));
    m.put("params", stringMap(r.params()));
    m.put("rounds_since_restart", num(r.roundsSinceRestart()));
    m.put("created_at", num(r.createdAt().getEpochSecond()));
    return obj(m);
  }

  /** A session with its whole round tree. */
  static JsonValue.Obj session(Session s, ImageUrls urls) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("id", str(s.id()));
    m.put("object", str("session"));
    m.put("created_at", num(s.createdAt().getEpochSecond()));
    m.put("head", str(s.headRoundId()));
    Round head = s.head();
    m.put("current_image_id", str(head.imageId()));
    m.put("rounds_since_restart", num(head.roundsSinceRestart()));
    List<JsonValue> rounds = new ArrayList<>();
    for (Round r : s.rounds()) {
      rounds.add(round(r, urls));
    }
    m.put("rounds", new JsonValue.Arr(rounds));
    return obj(m);
  }

  /** A mask as a base64 PNG data URL (white = edit). */
  static String maskPng(dev.atelier.core.image.Mask mask) {
    byte[] png = dev.atelier.core.image.ImageCodec.encodeMaskPng(mask, Map.of());
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }

  static JsonValue.Obj roundResult(Sessions.RoundResult r, ImageUrls urls) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("round", round(r.round(), urls));
    m.put("warnings", strings(r.warnings()));
    m.put("fidelity", r.fidelity());
    if (!r.plan().members().isEmpty()) {
      m.put("plan", r.plan());
    }
    m.put("session", session(r.session(), urls));
    return obj(m);
  }

  /**
   * What a restart merged and with which parameters: {@code merged_prompt}, {@code merged_rounds}
   * (ids), {@code omitted_rounds} ({@code round_id}, {@code instruction}, {@code reason}), {@code
   * parameters} and {@code warnings}; the members a restart answer adds to its round result, and
   * the whole answer of a dry run (with {@code dry_run: true}).
   */
  static Map<String, JsonValue> restart(Sessions.Restart r) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("merged_prompt", str(r.merge().prompt()));
    m.put("merged_rounds", strings(r.merge().merged()));
    List<JsonValue> omitted = new ArrayList<>();
    for (var o : r.merge().omitted()) {
      Map<String, JsonValue> one = new LinkedHashMap<>();
      one.put("round_id", str(o.roundId()));
      one.put("instruction", str(o.instruction()));
      one.put("reason", str(o.reason()));
      omitted.add(obj(one));
    }
    m.put("omitted_rounds", new JsonValue.Arr(omitted));
    var s = r.options().sampling();
    Map<String, JsonValue> p = new LinkedHashMap<>();
    p.put("steps", num(s.steps()));
    p.put("guidance", num(s.guidanceScale()));
    p.put("scheduler", str(s.scheduler()));
    p.put("seed", num(s.seed()));
    p.put("negative_prompt", str(s.negativePrompt()));
    if (!s.prompt2().isEmpty()) {
      p.put("prompt_2", str(s.prompt2()));
    }
    p.put("quality", str(s.quality()));
    p.put("strength", num(r.strength()));
    m.put("parameters", obj(p));
    m.put("warnings", strings(r.merge().warnings()));
    return m;
  }
}
