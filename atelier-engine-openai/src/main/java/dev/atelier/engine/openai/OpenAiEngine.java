package dev.atelier.engine.openai;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.StepProgress;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.openai.internal.Backoff;
import dev.atelier.engine.openai.internal.CallResult;
import dev.atelier.engine.openai.internal.EventStream;
import dev.atelier.engine.openai.internal.Failures;
import dev.atelier.engine.openai.internal.ImageDecoding;
import dev.atelier.engine.openai.internal.ImagesCall;
import dev.atelier.engine.openai.internal.JsonAnswer;
import dev.atelier.engine.openai.internal.Provenance;
import dev.atelier.engine.openai.internal.Response;
import dev.atelier.engine.openai.internal.UpstreamHttp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The {@code openai} engine: forwards to an OpenAI-compatible Images API (GPT-Image-2, gpt-image-1,
 * DALL-E, or a compatible server).
 *
 * <p>Generations go to {@code POST /images/generations}, edits and generations with reference
 * images to {@code POST /images/edits}. What the upstream has no field for is not invented:
 *
 * <ul>
 *   <li>the negative prompt is not forwarded (nor folded into the prompt, which would change what
 *       the user wrote); it is recorded with {@code negative_prompt_forwarded = false};
 *   <li>image-to-image strength and InstructPix2Pix image guidance are sent as a plain edit and
 *       recorded as not forwarded;
 *   <li>the seed is reported as {@link SamplingParams#seedOf(int)} for bookkeeping, with {@code
 *       seed_forwarded = false}: the upstream's images cannot be reproduced from it;
 *   <li>{@code quality} {@code auto} is left out so the upstream's default applies; {@code low},
 *       {@code medium} and {@code high} are forwarded.
 * </ul>
 *
 * <p>{@code n} above {@link UpstreamConfig#maxImagesPerCall()} is split into sequential calls whose
 * images are returned in order; any failure fails the whole request, never a partial result. Each
 * image records {@code upstream_request_id}, {@code revised_prompt} when given, and {@code
 * upstream_size} when the upstream returned another size (the image is then resized to the
 * requested one); the first image of each upstream call carries that call's {@code usage.*} tokens,
 * so summing over all images gives the request's total.
 *
 * <p>Progress: when {@link ProgressListener#partialImages()} is {@code k > 0} the call is streamed
 * with {@code partial_images = k}; partial image {@code i} is reported as step {@code i + 1} of
 * {@code k + 1} with the partial image as preview, and each final image as step {@code k + 1}.
 * Steps count within the current upstream call. Without streaming, each finished call is one step
 * of as many as there are calls, without preview. Cancellation is checked before every call, while
 * waiting and between events.
 *
 * <p>Failures are {@link AtelierException.UpstreamFailure}s, retried and mapped as {@link
 * UpstreamHttp} describes. Thread-safe: one instance serves concurrent requests over one {@link
 * java.net.http.HttpClient}.
 */
public final class OpenAiEngine implements Engine {
  /** The engine's name in provenance and logs. */
  public static final String NAME = "openai";

  /** Most partial images OpenAI streams per image. */
  public static final int MAX_PARTIAL_IMAGES = 3;

  private final UpstreamConfig config;
  private final UpstreamHttp http;

  /** An engine for this upstream with real sleeping, the system clock and a random jitter. */
  public OpenAiEngine(UpstreamConfig config) {
    this(config, Sleeper.SYSTEM, Clock.systemUTC(), new Random());
  }

  /**
   * An engine whose waiting, time and jitter are supplied, so that retries can be tested without
   * waiting.
   *
   * @param sleeper waits between retries
   * @param clock the time that {@code Retry-After} dates are measured from
   * @param random the backoff jitter source; draws are synchronised
   */
  public OpenAiEngine(UpstreamConfig config, Sleeper sleeper, Clock clock, RandomGenerator random) {
    this.config = config;
    Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(20), random, clock);
    this.http = new UpstreamHttp(config, sleeper, backoff);
  }

  /** The upstream settings (their {@code toString} hides the key). */
  public UpstreamConfig config() {
    return config;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** False: the upstream has no seed, and every call is billed. */
  @Override
  public boolean seedsReproduce() {
    return false;
  }

  /**
   * Text-to-image through {@code /images/generations}; with {@link GenerationRequest#references()}
   * through {@code /images/edits} with the references as the input images.
   *
   * @throws AtelierException.UpstreamFailure when the upstream refuses (its 4xx) or fails (502)
   * @throws AtelierException.Cancelled when cancelled
   */
  @Override
  public List<GeneratedImage> generate(
      GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
    return generate(request, referencesOf(request.references()), progress, cancel);
  }

  /** GPT-Image has one text input: a second prompt would be silently dropped, so it is refused. */
  private static void refusePrompt2(SamplingParams s) {
    if (!s.prompt2().isEmpty()) {
      throw new AtelierException.InvalidRequest(
          "prompt_2",
          "prompt_2 is read by SDXL's second text tower; the openai engine forwards one prompt");
    }
  }

  /** The request's references as upstream input images, in order (roles are in the prompt). */
  private static UpstreamReferences referencesOf(List<Reference> references) {
    return references.isEmpty()
        ? UpstreamReferences.none()
        : UpstreamReferences.of(references.stream().map(Reference::image).toList());
  }

  /**
   * Generation guided by reference images: without references as {@link #generate(
   * GenerationRequest, ProgressListener, CancellationToken)}, with them through {@code
   * /images/edits} with the references as the input images (the generations endpoint takes none).
   *
   * @throws AtelierException.UpstreamFailure when the upstream refuses (its 4xx) or fails (502)
   * @throws AtelierException.Cancelled when cancelled
   */
  public List<GeneratedImage> generate(
      GenerationRequest request,
      UpstreamReferences references,
      ProgressListener progress,
      CancellationToken cancel) {
    refusePrompt2(request.sampling());
    if (!request.prompts().isEmpty()) {
      // One prompt per image (storyboard panels): one upstream call per image, in order.
      List<GeneratedImage> out = new ArrayList<>();
      SamplingParams s = request.sampling();
      for (int i = 0; i < s.n(); i++) {
        SamplingParams one = s.toBuilder().n(1).seed(s.seedOf(i)).build();
        out.addAll(
            generate(
                new GenerationRequest(
                    request.promptOf(i), request.size(), one, request.references()),
                references,
                progress,
                cancel));
      }
      return List.copyOf(out);
    }
    SamplingParams s = request.sampling();
    Map<String, String> common =
        Provenance.generation(
            config.model(),
            request.prompt(),
            s,
            request.size(),
            references.images().size(),
            references.images().isEmpty() ? "" : references.inputFidelity());
    return run(
        request.prompt(),
        request.size(),
        s,
        references.images(),
        Optional.empty(),
        references.inputFidelity(),
        common,
        progress,
        cancel);
  }

  /**
   * An edit through {@code /images/edits}; an inpainting mask is sent as OpenAI's
   * transparent-means-edit PNG, references ({@link EditRequest#references()}) follow the image to
   * edit as further {@code image[]} parts, image-to-image and instruction edits are sent as plain
   * edits.
   *
   * @throws AtelierException.UpstreamFailure when the upstream refuses (its 4xx) or fails (502)
   * @throws AtelierException.Cancelled when cancelled
   */
  @Override
  public List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel) {
    return edit(request, referencesOf(request.references()), progress, cancel);
  }

  /**
   * An edit with reference images sent after the image to edit ({@code image[]}), e.g. "put the
   * character of the second image into the first".
   *
   * @throws AtelierException.UpstreamFailure when the upstream refuses (its 4xx) or fails (502)
   * @throws AtelierException.Cancelled when cancelled
   */
  public List<GeneratedImage> edit(
      EditRequest request,
      UpstreamReferences references,
      ProgressListener progress,
      CancellationToken cancel) {
    refusePrompt2(request.sampling());
    List<RgbImage> images = new ArrayList<>();
    images.add(request.image());
    images.addAll(references.images());
    Optional<Mask> mask =
        request.mode() instanceof EditMode.Inpaint(Mask m) ? Optional.of(m) : Optional.empty();
    Map<String, String> common =
        Provenance.edit(
            config.model(),
            request.prompt(),
            request.sampling(),
            request.size(),
            request.mode(),
            references.images().size(),
            references.inputFidelity());
    return run(
        request.prompt(),
        request.size(),
        request.sampling(),
        images,
        mask,
        references.inputFidelity(),
        common,
        progress,
        cancel);
  }

  /**
   * Checks the account without generating: whether the upstream is reachable, accepts the key and
   * lists the model ({@code GET /models/{model}}, not retried).
   *
   * @return {@code reachable}, {@code key accepted} and {@code model visible}, in that order; a
   *     check after a failed one is reported as not checked
   */
  public List<DoctorCheck> doctor() {
    return new Doctor(http, config).run();
  }

  private List<GeneratedImage> run(
      String prompt,
      ImageSize size,
      SamplingParams s,
      List<RgbImage> images,
      Optional<Mask> mask,
      String inputFidelity,
      Map<String, String> common,
      ProgressListener progress,
      CancellationToken cancel) {
    int perCall = config.maxImagesPerCall();
    int calls = (s.n() + perCall - 1) / perCall;
    int partials = Math.clamp(progress.partialImages(), 0, MAX_PARTIAL_IMAGES);
    List<GeneratedImage> out = new ArrayList<>(s.n());
    for (int call = 0; call < calls; call++) {
      int done = call * perCall;
      int batch = Math.min(perCall, s.n() - done);
      cancel.throwIfCancelled("before upstream call " + (call + 1) + " of " + calls);
      ImagesCall request =
          new ImagesCall(prompt, batch, size, s.quality(), images, mask, inputFidelity, partials);
      Executed executed = execute(request, partials, progress, cancel);
      CallResult result = executed.result();
      if (result.images().size() < batch) {
        throw Failures.badResponse(
            "upstream returned "
                + result.images().size()
                + " images but "
                + batch
                + " were asked for"
                + (result.requestId().isEmpty()
                    ? ""
                    : " (x-request-id " + result.requestId() + ")"));
      }
      for (int i = 0; i < batch; i++) {
        CallResult.UpstreamImage item = result.images().get(i);
        RgbImage decoded = ImageDecoding.decode(item.b64Json(), "image " + (done + i));
        RgbImage fitted = ImageDecoding.fit(decoded, size);
        String upstreamSize = fitted == decoded ? "" : decoded.width() + "x" + decoded.height();
        long seed = s.seedOf(done + i);
        Map<String, String> p =
            Provenance.image(common, seed, item.revisedPrompt(), upstreamSize, result.requestId());
        if (i == 0) {
          result.usage().ifPresent(u -> u.addTo(p));
        }
        out.add(new GeneratedImage(fitted, seed, p));
      }
      if (!executed.streamed()) {
        progress.onStep(new StepProgress(call + 1, calls, Optional::empty));
      }
    }
    return List.copyOf(out);
  }

  /** One call's answer and whether it came as a stream (which already reported progress). */
  private record Executed(CallResult result, boolean streamed) {}

  private Executed execute(
      ImagesCall call, int partials, ProgressListener progress, CancellationToken cancel) {
    try (Response response = http.send(call.toRequest(config.model()), cancel, true)) {
      if (partials > 0 && response.isEventStream()) {
        CallResult streamed =
            EventStream.read(
                response,
                call.eventPrefix(),
                (index, b64) ->
                    progress.onStep(
                        new StepProgress(
                            Math.clamp(index + 1, 1, partials), partials + 1, preview(b64, index))),
                (index, b64) ->
                    progress.onStep(
                        new StepProgress(partials + 1, partials + 1, preview(b64, index))));
        return new Executed(streamed, true);
      }
      return new Executed(JsonAnswer.parse(response.readAll(), response.requestId()), false);
    }
  }

  /** Decodes a streamed image only when the listener asks for it; a bad preview is no preview. */
  private static Supplier<Optional<RgbImage>> preview(String b64, int index) {
    return new Supplier<>() {
      private Optional<RgbImage> image;

      @Override
      public synchronized Optional<RgbImage> get() {
        if (image == null) {
          try {
            image = Optional.of(ImageDecoding.decode(b64, "partial image " + index));
          } catch (AtelierException.UpstreamFailure e) {
            image = Optional.empty();
          }
        }
        return image;
      }
    };
  }

  /** Closes the HTTP client; running calls finish first. */
  @Override
  public void close() {
    http.close();
  }
}
