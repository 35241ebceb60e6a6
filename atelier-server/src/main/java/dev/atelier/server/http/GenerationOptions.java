package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.Decoder;
import dev.atelier.core.ImageSize;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.server.images.Library;
import dev.atelier.server.models.ModelProfile;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fields shared by generations, edits and session rounds, read and checked one by one so every
 * error names its field: n, size, quality, background, moderation, output_format,
 * output_compression, response_format, user, and Atelier's extensions seed, negative_prompt, steps,
 * scheduler, guidance, noise.
 *
 * <p>{@code quality} maps to steps when {@code steps} is absent: low 10, medium and auto 20, high
 * 30 ({@code standard}/{@code hd}, DALL-E's names, map to medium/high); low also decodes with the
 * tiny decoder when the server has one ({@code --tiny-decoder}). A few-step model (SD-Turbo,
 * SDXL-Turbo: {@link ModelProfile#fewStep()}) takes 1, 2 and 4 steps and guidance 0 instead.
 *
 * <p>{@code size}: {@code auto} is the model's native square. On an SDXL model OpenAI's sizes
 * ({@code 1024x1024}, {@code 1536x1024}, {@code 1024x1536}) map to the nearest SDXL aspect bucket
 * ({@link ModelProfile#bucketFor}), said in {@link #notices()} when the size changed; every other
 * size is used as sent, on every model.
 *
 * @param request what the response and every stored image record of the request itself: the quality
 *     and background that ran, the moderation level and the caller's {@code user}
 * @param notices what the response's {@code warnings} should say about how the request was read (an
 *     OpenAI size mapped onto an SDXL bucket)
 */
public record GenerationOptions(
    SamplingParams sampling,
    ImageSize size,
    boolean sizeAuto,
    Library.Output output,
    boolean urlResponse,
    List<Reference> references,
    RequestInfo request,
    List<String> notices) {

  /** Copies the lists. */
  public GenerationOptions {
    references = List.copyOf(references);
    notices = List.copyOf(notices);
  }

  GenerationOptions(
      SamplingParams sampling,
      ImageSize size,
      boolean sizeAuto,
      Library.Output output,
      boolean urlResponse) {
    this(sampling, size, sizeAuto, output, urlResponse, List.of(), RequestInfo.DEFAULT, List.of());
  }

  /**
   * OpenAI's request fields that steer no pixel but are answered and recorded.
   *
   * @param quality the quality that ran ({@code low}, {@code medium}, {@code high}; {@code auto} is
   *     medium here)
   * @param background always {@code opaque}: the models paint every pixel
   * @param moderation {@code auto} or {@code low}, as sent (the local engine runs no moderation)
   * @param user the caller's end-user id, or empty
   */
  public record RequestInfo(String quality, String background, String moderation, String user) {
    static final RequestInfo DEFAULT = new RequestInfo("medium", "opaque", "auto", "");

    /** The provenance entries of these fields ({@code user} only when sent). */
    public java.util.Map<String, String> provenance() {
      java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
      m.put("quality", quality);
      m.put("background", background);
      m.put("moderation", moderation);
      if (!user.isEmpty()) {
        m.put("user", user);
      }
      return m;
    }
  }

  /** These options with the request's reference images (read by {@link ReferenceInputs}). */
  GenerationOptions withReferences(List<Reference> refs) {
    return new GenerationOptions(
        sampling, size, sizeAuto, output, urlResponse, refs, request, notices);
  }

  /** These options with another output size (an edit's {@code size}, a session's size). */
  GenerationOptions withSize(ImageSize newSize) {
    return new GenerationOptions(
        sampling, newSize, false, output, urlResponse, references, request, notices);
  }

  /** Longest {@code user} accepted, in characters. */
  static final int MAX_USER = 256;

  /** Longest side accepted for a requested size. */
  static final int MAX_SIDE = 2048;

  /**
   * Reads the fields for a request that runs on a model of {@code profile}.
   *
   * @param defaultSide the side of {@code size: "auto"} when the profile knows no native side
   */
  static GenerationOptions read(JsonFields f, ModelProfile profile, int defaultSide) {
    long n = f.integer("n", 1, SamplingParams.MAX_N).orElse(1L);
    String sizeText = f.string("size").orElse("auto");
    boolean auto = sizeText.equals("auto");
    ImageSize size;
    List<String> notices = new java.util.ArrayList<>();
    if (auto) {
      size = profile.nativeSquare(defaultSide);
    } else {
      try {
        size = ImageSize.parse(sizeText);
      } catch (IllegalArgumentException e) {
        throw new AtelierException.InvalidRequest(
            "size",
            "size must be 'auto' or WIDTHxHEIGHT with sides multiples of 8 but was '"
                + sizeText
                + "'");
      }
      if (size.width() > MAX_SIDE || size.height() > MAX_SIDE) {
        throw new AtelierException.InvalidRequest(
            "size", "size sides must be at most " + MAX_SIDE + " but was " + size);
      }
      ImageSize asked = size;
      java.util.Optional<ImageSize> bucket = profile.bucketFor(asked);
      if (bucket.isPresent() && !bucket.get().equals(asked)) {
        size = bucket.get();
        notices.add(sizeNotice(asked, size));
      }
    }
    String quality =
        f.oneOf("quality", "low", "medium", "high", "auto", "standard", "hd").orElse("auto");
    long steps = f.integer("steps", 1, 500).orElse((long) profile.defaultSteps(quality));
    double guidance = f.number("guidance").orElse(profile.defaultGuidance());
    if (guidance < 0 || guidance > 50) {
      throw new AtelierException.InvalidRequest(
          "guidance", "guidance must be 0..50 but was " + guidance);
    }
    long seed =
        // Seeds are echoed in provenance: beyond 2^53 a JavaScript client would read another one.
        f.integer("seed", 0, JsonFields.MAX_SAFE_INTEGER)
            .orElseGet(() -> ThreadLocalRandom.current().nextLong(1L << 32));
    String noise = f.oneOf("noise", "per-image", "batch").orElse("per-image");
    String background = f.oneOf("background", "auto", "opaque", "transparent").orElse("auto");
    String moderation = f.oneOf("moderation", "auto", "low").orElse("auto");
    String user = f.string("user").orElse("");
    if (user.length() > MAX_USER) {
      throw new AtelierException.InvalidRequest(
          "user", "user must be at most " + MAX_USER + " characters but was " + user.length());
    }
    if (background.equals("transparent")) {
      throw new AtelierException.InvalidRequest(
          "background",
          "background 'transparent' is not supported by this engine; use 'opaque' or 'auto'");
    }
    String format = f.oneOf("output_format", "png", "jpeg", "webp").orElse("png");
    if (format.equals("webp")) {
      ImageCodec.webpEncoderProblem()
          .ifPresent(
              reason -> {
                throw new AtelierException.InvalidRequest(
                    "output_format",
                    "output_format 'webp' cannot be written by this server: "
                        + reason
                        + "; it reads WebP inputs; use png or jpeg");
              });
    }
    long compression = f.integer("output_compression", 0, 100).orElse(100L);
    String responseFormat = f.oneOf("response_format", "b64_json", "url").orElse("b64_json");
    SamplingParams sampling =
        SamplingParams.builder()
            .n((int) n)
            .steps((int) steps)
            .guidanceScale(guidance)
            .seed(seed)
            .negativePrompt(negativePrompt(f))
            .prompt2(prompt2(f, profile))
            .scheduler(scheduler(f))
            .noiseMode(noise.equals("batch") ? NoiseMode.BATCH : NoiseMode.PER_IMAGE)
            .decoder(quality.equals("low") ? Decoder.TINY : Decoder.FULL)
            .quality(
                switch (quality) {
                  case "standard" -> "medium";
                  case "hd" -> "high";
                  default -> quality;
                })
            .build();
    return new GenerationOptions(
        sampling,
        size,
        auto,
        new Library.Output(format, (int) compression),
        responseFormat.equals("url"),
        List.of(),
        new RequestInfo(
            sampling.quality().equals("auto") ? "medium" : sampling.quality(),
            "opaque",
            moderation,
            user),
        notices);
  }

  /** What the response says when an OpenAI size was made at an SDXL bucket instead. */
  static String sizeNotice(ImageSize asked, ImageSize made) {
    return "size "
        + asked
        + " was made at "
        + made
        + ", the nearest SDXL aspect bucket of this model (OpenAI's sizes map onto SDXL's"
        + " buckets; send an explicit WIDTHxHEIGHT other than 1024x1024, 1536x1024 and 1024x1536"
        + " to get exactly that size)";
  }

  /**
   * Refuses a U+0000 in text that goes into stored images' text chunks, before any work is done
   * (PNG text cannot hold it, and no prompt needs it).
   */
  static void requireNoNul(String name, String text) {
    if (text.indexOf('\u0000') >= 0) {
      throw new AtelierException.InvalidRequest(
          name, name + " must not contain NUL characters (U+0000) but has one");
    }
  }

  /**
   * SDXL's {@code prompt_2}: what the second text tower reads instead of the prompt; refused for a
   * model that has no second tower, so it is never silently ignored.
   */
  private static String prompt2(JsonFields f, ModelProfile profile) {
    if (!f.has("prompt_2")) {
      return "";
    }
    String second = f.string("prompt_2").orElse("");
    if (profile.family() != ModelProfile.Family.SDXL) {
      throw new AtelierException.InvalidRequest(
          "prompt_2",
          "prompt_2 is what an SDXL model's second text tower reads, but the model this request"
              + " runs on is not SDXL (family "
              + profile.family().wire()
              + "); send one prompt");
    }
    requireNoNul("prompt_2", second);
    if (second.length() > 32_000) {
      throw new AtelierException.InvalidRequest(
          "prompt_2", "prompt_2 must be at most 32000 characters but has " + second.length());
    }
    return second;
  }

  private static String scheduler(JsonFields f) {
    String name = f.string("scheduler").orElse("default");
    requireNoNul("scheduler", name);
    if (name.isBlank()) {
      throw new AtelierException.InvalidRequest(
          "scheduler",
          "scheduler must be a name (euler, euler_a, ddim, lcm, dpmpp_2m, ...) or \"default\" but"
              + " was blank");
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static String negativePrompt(JsonFields f) {
    String negative = f.string("negative_prompt").orElse("");
    requireNoNul("negative_prompt", negative);
    return negative;
  }

  /** The prompt field, checked. */
  static String prompt(JsonFields f, String name) {
    String p = f.requiredString(name);
    if (p.isBlank()) {
      throw new AtelierException.InvalidRequest(name, name + " must not be empty");
    }
    requireNoNul(name, p);
    if (p.length() > 32_000) {
      throw new AtelierException.InvalidRequest(
          name, name + " must be at most 32000 characters but was " + p.length());
    }
    return p;
  }
}
