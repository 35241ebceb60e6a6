package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.StepProgress;
import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.auth.ImageUrls;
import dev.atelier.server.images.Library;
import dev.atelier.server.images.TokenUsage;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers {@code "stream": true} on {@code /v1/images/generations} and {@code /v1/images/edits} as
 * server-sent events in OpenAI's shape, whatever engine runs, so the SDKs' {@code
 * generateStreaming} and {@code editStreaming} read them.
 *
 * <p>Each event is {@code event: <type>\ndata: <json>\n\n}, flushed at once. {@code
 * <prefix>.partial_image} ({@code image_generation} or {@code image_edit}) carries {@code
 * b64_json}, {@code created_at}, {@code size}, {@code quality}, {@code background}, {@code
 * output_format} and {@code partial_image_index}; then one {@code <prefix>.completed} per stored
 * image, in order, with {@code usage} (that image's share: the local engine's estimate, the
 * upstream call's tokens on the first image of each upstream call) and Atelier's {@code id}, {@code
 * url}, {@code seed} and {@code warnings}, plus whatever else the non-streamed answer carries
 * ({@code session}, {@code round}, {@code plan}, {@code fidelity}). Like OpenAI's image streams,
 * the stream simply ends after the last completed event (no {@code [DONE]}).
 *
 * <p>Partial images: the engine gets this object as its {@link ProgressListener} with {@link
 * #partialImages()} = k. Of a run of S steps, steps {@code round(S * j / (k + 1))} for {@code j =
 * 1..k} are picked (never the last, duplicates dropped), and the preview of each picked step,
 * scaled to the output size and encoded in the output format, becomes partial image {@code j - 1}.
 * The local engine reports every step with a cheap latent preview; an engine that gets partial
 * images from elsewhere reports them as steps {@code 1..k} of {@code k + 1}, which the same rule
 * picks exactly. As with OpenAI, fewer than k partial images may arrive (short runs, no preview);
 * each index is sent at most once per request. Between events, every step writes an SSE comment
 * line, which keeps idle proxies open and finds a departed client early.
 *
 * <p>The response is committed lazily, at the first thing written: a failure before that (a bad
 * mask, an unknown session, an upstream refusal) is an ordinary JSON error from {@link
 * ErrorMapper}. After it, a failure is an {@code error} event, {@code {"type": "error", "error":
 * {...}}} with ErrorMapper's error object, and nothing is stored. When a write fails (the client
 * went away) the job is cancelled (through {@link #onGone}) and stores nothing.
 *
 * <p>One instance serves one request. The job's worker thread writes the partial images and step
 * comments while the request's thread waits for the job; the request's thread writes the completed
 * or error events after the job ended (the job's future orders the two).
 */
final class ImageEventStream implements ProgressListener {
  private static final System.Logger LOG = System.getLogger(ImageEventStream.class.getName());

  /** Most partial images a request may ask for (OpenAI's limit). */
  static final int MAX_PARTIAL_IMAGES = 3;

  /**
   * The streaming fields of a request, checked.
   *
   * @param stream {@code stream}: answer with server-sent events
   * @param partialImages {@code partial_images}, 0..3 (validated even without {@code stream}, and
   *     then unused)
   */
  record Request(boolean stream, int partialImages) {
    static final Request NONE = new Request(false, 0);

    /**
     * Reads {@code stream} and {@code partial_images}.
     *
     * @throws AtelierException.InvalidRequest naming the field when {@code stream} is not a boolean
     *     or {@code partial_images} not an integer 0..3
     */
    static Request read(JsonFields f) {
      boolean stream = f.bool("stream").orElse(false);
      long k = f.integer("partial_images", 0, MAX_PARTIAL_IMAGES).orElse(0L);
      return new Request(stream, (int) k);
    }
  }

  /**
   * What the events describe.
   *
   * @param prefix {@code image_generation} or {@code image_edit}
   * @param size the size of the images made (partial images are scaled to it)
   * @param output the format images are stored in (partial images are encoded the same way)
   * @param quality the request's {@code quality}
   * @param partialImages partial images to send, 0..3
   */
  record Spec(
      String prefix, ImageSize size, Library.Output output, String quality, int partialImages) {}

  /** What a streamed request made, stored, and what its non-streamed answer would add. */
  record Result(List<Library.Saved> images, List<String> warnings, Map<String, JsonValue> extra) {}

  /** The work behind a request: runs the engine with the given listener and token, then stores. */
  @FunctionalInterface
  interface Work {
    Result run(ProgressListener progress, CancellationToken cancel);
  }

  /** The usage a completed event reports for the image at an index of the call. */
  @FunctionalInterface
  interface Usage {
    TokenUsage of(Library.Saved image, int index);

    /** What the image's provenance records (an upstream's own usage; zeros otherwise). */
    Usage RECORDED = (image, index) -> TokenUsage.of(image.row().provenance());
  }

  private final Context ctx;
  private final Spec spec;
  private final Usage usage;
  private final ImageUrls urls;
  private final boolean[] sent;
  private long lastRelayedStep = -1;
  private OutputStream out;
  private volatile boolean gone;
  private volatile Runnable onGone = () -> {};

  private ImageEventStream(Context ctx, Spec spec, ImageUrls urls, Usage usage) {
    this.ctx = ctx;
    this.spec = spec;
    this.usage = usage;
    this.urls = urls;
    this.sent = new boolean[spec.partialImages()];
  }

  /**
   * How a request's events are written: what they describe, the URLs in them, each image's usage.
   */
  record Setup(Spec spec, ImageUrls urls, Usage usage) {}

  /**
   * The stream of {@code ctx}'s response: the listener a job runs with (its partial images and step
   * comments are written as they come, from the job's thread), then {@link #completed} or {@link
   * #failed}.
   */
  static ImageEventStream open(Context ctx, Setup setup) {
    return new ImageEventStream(ctx, setup.spec(), setup.urls(), setup.usage());
  }

  /** Runs {@code onGone} when a write finds the client gone (at once if it already is). */
  void onGone(Runnable onGone) {
    this.onGone = onGone;
    if (gone) {
      onGone.run();
    }
  }

  /** Whether anything was written (the status is then committed). */
  boolean started() {
    return out != null;
  }

  /** Ends the stream with OpenAI's error event carrying {@code error} (an error object). */
  void sendError(JsonValue error) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("type", ApiJson.str("error"));
    m.put("error", error);
    send("error", ApiJson.obj(m));
  }

  /** Writes one completed event per stored image, in order. */
  void completed(Result result) {
    completed(result, usage);
  }

  /** Writes one completed event per stored image, each with the usage {@code by} gives. */
  void completed(Result result, Usage by) {
    long created = System.currentTimeMillis() / 1000;
    for (int i = 0; i < result.images().size(); i++) {
      send(spec.prefix() + ".completed", completed(result.images().get(i), i, created, result, by));
    }
  }

  /**
   * Writes an event of the job that a worker in another process sent (the job's events mirror
   * them): a partial image as it was made there, unless its index was sent already; progress as the
   * step comment this process's own steps write.
   */
  void relay(dev.atelier.server.jobs.JobEvents.Event e) {
    if (gone) {
      return;
    }
    if (e.type().equals("partial_image")) {
      int index = (int) e.data().integer("partial_image_index", -1);
      if (index >= 0 && index < sent.length && !sent[index]) {
        sent[index] = true;
        send(spec.prefix() + ".partial_image", e.data());
      }
    } else if (e.type().equals("progress")) {
      long step = e.data().integer("step", 0);
      if (step != lastRelayedStep) {
        lastRelayedStep = step;
        write(": step " + step + " of " + e.data().integer("steps", 0) + "\n\n");
      }
    }
  }

  /**
   * The usage of each image of a job's stored answer {@code body}, as the process that ran it
   * counted it for its completed events: each image's recorded usage when the answer's {@code
   * usage} is their sum (an upstream's own counts, or none); else the estimate split as {@link
   * Usage} splits it there, the input tokens on the first image and each image's own output tokens.
   */
  static Usage storedUsage(JsonValue.Obj body, List<Library.Saved> images) {
    JsonValue.Obj u = body.object("usage").orElse(new JsonValue.Obj(Map.of()));
    JsonValue.Obj details = u.object("input_tokens_details").orElse(new JsonValue.Obj(Map.of()));
    TokenUsage total =
        new TokenUsage(
            u.integer("input_tokens", 0),
            details.integer("text_tokens", 0),
            details.integer("image_tokens", 0),
            u.integer("output_tokens", 0),
            u.integer("total_tokens", 0));
    TokenUsage recorded = TokenUsage.ZERO;
    for (Library.Saved s : images) {
      recorded = recorded.plus(Usage.RECORDED.of(s, 0));
    }
    if (total.equals(recorded)) {
      return Usage.RECORDED;
    }
    String quality = body.string("quality", "auto");
    return (image, index) -> {
      long out =
          TokenUsage.estimate(
                  0,
                  List.of(),
                  List.of(new ImageSize(image.row().width(), image.row().height())),
                  quality)
              .outputTokens();
      long text = index == 0 ? total.inputTextTokens() : 0;
      long in = index == 0 ? total.inputTokens() : 0;
      long imageIn = index == 0 ? total.inputImageTokens() : 0;
      return new TokenUsage(in, text, imageIn, out, in + out);
    };
  }

  /**
   * Ends the stream with {@code e}: rethrown when nothing was written yet (the caller answers it as
   * JSON), else an {@code error} event.
   */
  void failed(RuntimeException e) {
    if (out == null) {
      throw e;
    }
    if (gone) {
      LOG.log(System.Logger.Level.INFO, "client left a streamed request; it was cancelled");
    } else {
      send("error", errorEvent(e));
    }
  }

  @Override
  public int partialImages() {
    return spec.partialImages();
  }

  @Override
  public void onStep(StepProgress p) {
    if (gone) {
      return;
    }
    int index = partialIndex(p.step(), p.totalSteps(), spec.partialImages());
    if (index >= 0 && !sent[index]) {
      Optional<RgbImage> preview = p.preview();
      if (preview.isPresent()) {
        sent[index] = true;
        send(spec.prefix() + ".partial_image", partial(preview.get(), index));
        return;
      }
    }
    write(": step " + p.step() + " of " + p.totalSteps() + "\n\n");
  }

  /**
   * Which partial image step {@code step} of {@code total} gives: {@code j - 1} when {@code step ==
   * round(total * j / (k + 1))} for some {@code j} in 1..k and {@code step < total}, else -1. Of
   * several {@code j} landing on one step, the first wins.
   */
  static int partialIndex(int step, int total, int k) {
    if (step >= total) {
      return -1;
    }
    for (int j = 1; j <= k; j++) {
      if (Math.round((double) total * j / (k + 1)) == step) {
        return j - 1;
      }
    }
    return -1;
  }

  private JsonValue.Obj partial(RgbImage preview, int index) {
    return partialEvent(spec, preview, index);
  }

  /** The partial image event of {@code preview} as partial image {@code index} of {@code spec}. */
  static JsonValue.Obj partialEvent(Spec spec, RgbImage preview, int index) {
    RgbImage sized =
        preview.width() == spec.size().width() && preview.height() == spec.size().height()
            ? preview
            : Compositor.resizeBicubic(preview, spec.size().width(), spec.size().height());
    byte[] bytes = spec.output().encode(sized, Map.of());
    Map<String, JsonValue> m =
        common(
            spec,
            spec.prefix() + ".partial_image",
            bytes,
            System.currentTimeMillis() / 1000,
            spec.size().width() + "x" + spec.size().height(),
            spec.output().format());
    m.put("partial_image_index", ApiJson.num(index));
    return ApiJson.obj(m);
  }

  private JsonValue.Obj completed(
      Library.Saved s, int index, long created, Result result, Usage usage) {
    Map<String, JsonValue> m =
        common(
            spec,
            spec.prefix() + ".completed",
            s.bytes(),
            created,
            s.row().width() + "x" + s.row().height(),
            s.row().format());
    m.put("usage", ApiJson.usage(usage.of(s, index)));
    m.put("id", ApiJson.str(s.row().id()));
    m.put("url", ApiJson.str(urls.of(s.row().id())));
    m.put("seed", ApiJson.num(Double.parseDouble(s.row().provenance().getOrDefault("seed", "0"))));
    String revised = s.row().provenance().getOrDefault("revised_prompt", "");
    if (!revised.isEmpty()) {
      m.put("revised_prompt", ApiJson.str(revised));
    }
    if (!result.warnings().isEmpty()) {
      m.put("warnings", ApiJson.strings(result.warnings()));
    }
    result.extra().forEach(m::putIfAbsent);
    return ApiJson.obj(m);
  }

  private static Map<String, JsonValue> common(
      Spec spec, String type, byte[] image, long created, String size, String format) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("type", ApiJson.str(type));
    m.put("b64_json", ApiJson.str(Base64.getEncoder().encodeToString(image)));
    m.put("created_at", ApiJson.num(created));
    m.put("size", ApiJson.str(size));
    // The quality that ran: auto runs as medium.
    m.put("quality", ApiJson.str(spec.quality().equals("auto") ? "medium" : spec.quality()));
    // Atelier's images never have an alpha channel ("transparent" is refused up front).
    m.put("background", ApiJson.str("opaque"));
    m.put("output_format", ApiJson.str(format));
    return m;
  }

  /** OpenAI's error event: {@code {"type": "error", "error": {message, type, param, code}}}. */
  static JsonValue.Obj errorEvent(Throwable t) {
    JsonValue error =
        Json.parse(ErrorMapper.map(t).body())
            .asObject()
            .get("error")
            .orElseThrow(() -> new IllegalStateException("ErrorMapper answered without error"));
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("type", ApiJson.str("error"));
    m.put("error", error);
    return ApiJson.obj(m);
  }

  private void send(String event, JsonValue.Obj data) {
    write("event: " + event + "\ndata: " + Json.write(data) + "\n\n");
  }

  /** Writes and flushes; a failed write means the client left, so the work is cancelled. */
  private void write(String text) {
    if (gone) {
      return;
    }
    try {
      if (out == null) {
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/event-stream; charset=utf-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        out = res.getOutputStream();
      }
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException | UncheckedIOException e) {
      gone = true;
      onGone.run();
      LOG.log(System.Logger.Level.DEBUG, "event stream write failed: " + e);
    }
  }
}
