package dev.atelier.server.images;

import dev.atelier.core.Decoder;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.SamplingParams;
import dev.atelier.server.http.GenerationOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The generation parameters a session was created with, recorded on its first round so that a
 * restart re-renders the way the session did (steps, guidance, scheduler, negative prompt, quality,
 * noise, and the seed policy) rather than with server defaults, and the served model it was made
 * with, which its later rounds and restarts run on when they name none.
 *
 * <p>They live in the first round's {@code params} map (stored as JSON by every metadata store, so
 * no schema change) under keys prefixed {@value #PREFIX}; a restart copies them onto its own round,
 * so the next restart of that chain finds them too. The seed policy is {@code fixed} when the
 * session's request named a seed (a restart reuses it, so it reproduces) and {@code random}
 * otherwise (a restart draws a new one, as the session did).
 */
final class SessionParams {
  static final String PREFIX = "session.";

  private SessionParams() {}

  /** The entries to record for a session created with {@code o}. */
  static Map<String, String> record(GenerationOptions o, boolean seedGiven) {
    SamplingParams s = o.sampling();
    Map<String, String> m = new LinkedHashMap<>();
    m.put(PREFIX + "steps", Integer.toString(s.steps()));
    m.put(PREFIX + "guidance", Double.toString(s.guidanceScale()));
    m.put(PREFIX + "scheduler", s.scheduler());
    m.put(PREFIX + "negative_prompt", s.negativePrompt());
    m.put(PREFIX + "quality", s.quality());
    m.put(PREFIX + "noise", s.noiseMode() == NoiseMode.BATCH ? "batch" : "per-image");
    m.put(PREFIX + "seed", Long.toString(s.seed()));
    m.put(PREFIX + "seed_policy", seedGiven ? "fixed" : "random");
    return m;
  }

  /**
   * The entry naming the served model a session was created with: its later rounds and restarts
   * that name no model run on it (the routes pick it), and a restart carries it on.
   */
  static Map<String, String> model(String id) {
    return Map.of(PREFIX + "model", id);
  }

  /** The served model recorded by {@link #model(String)} in a first round's {@code params}. */
  static java.util.Optional<String> model(Map<String, String> params) {
    return java.util.Optional.ofNullable(params.get(PREFIX + "model"));
  }

  /** The recorded entries of {@code params}, to carry onto a restart round. */
  static Map<String, String> carried(Map<String, String> params) {
    Map<String, String> m = new LinkedHashMap<>();
    params.forEach(
        (k, v) -> {
          if (k.startsWith(PREFIX)) {
            m.put(k, v);
          }
        });
    return m;
  }

  /**
   * {@code requested} with every field the restart body did not name taken from the session's
   * recorded parameters; fields named in the body ({@code explicit}) win. Sessions recorded before
   * these keys existed fall back to the engine's own {@code steps} and {@code guidance} provenance.
   *
   * @param recorded the first round's params
   * @param explicit the field names present in the restart body
   */
  static GenerationOptions forRestart(
      Map<String, String> recorded, GenerationOptions requested, Set<String> explicit) {
    SamplingParams.Builder b = requested.sampling().toBuilder();
    boolean qualityGiven = explicit.contains("quality");
    // quality picks the steps when steps is absent, so a named quality also stands for steps.
    if (!explicit.contains("steps") && !qualityGiven) {
      integer(recorded, "steps").ifPresent(v -> b.steps((int) (long) v));
    }
    if (!explicit.contains("guidance")) {
      number(recorded, "guidance").ifPresent(b::guidanceScale);
    }
    if (!explicit.contains("scheduler")) {
      text(recorded, "scheduler").ifPresent(b::scheduler);
    }
    if (!explicit.contains("negative_prompt")) {
      text(recorded, "negative_prompt").ifPresent(b::negativePrompt);
    }
    if (!qualityGiven) {
      text(recorded, "quality")
          .ifPresent(q -> b.quality(q).decoder(q.equals("low") ? Decoder.TINY : Decoder.FULL));
    }
    if (!explicit.contains("noise")) {
      text(recorded, "noise")
          .ifPresent(n -> b.noiseMode(n.equals("batch") ? NoiseMode.BATCH : NoiseMode.PER_IMAGE));
    }
    if (!explicit.contains("seed")
        && recorded.getOrDefault(PREFIX + "seed_policy", "").equals("fixed")) {
      integer(recorded, "seed").ifPresent(b::seed);
    }
    SamplingParams sampling = b.build();
    GenerationOptions.RequestInfo info = requested.request();
    return new GenerationOptions(
        sampling,
        requested.size(),
        requested.sizeAuto(),
        requested.output(),
        requested.urlResponse(),
        requested.references(),
        new GenerationOptions.RequestInfo(
            sampling.quality().equals("auto") ? "medium" : sampling.quality(),
            info.background(),
            info.moderation(),
            info.user()),
        requested.notices());
  }

  private static java.util.Optional<String> text(Map<String, String> recorded, String key) {
    return java.util.Optional.ofNullable(recorded.get(PREFIX + key));
  }

  private static java.util.Optional<Long> integer(Map<String, String> recorded, String key) {
    String v = recorded.getOrDefault(PREFIX + key, legacy(recorded, key));
    try {
      return v == null ? java.util.Optional.empty() : java.util.Optional.of(Long.parseLong(v));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private static java.util.Optional<Double> number(Map<String, String> recorded, String key) {
    String v = recorded.getOrDefault(PREFIX + key, legacy(recorded, key));
    try {
      double d = v == null ? Double.NaN : Double.parseDouble(v);
      return Double.isFinite(d) ? java.util.Optional.of(d) : java.util.Optional.empty();
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /** The engine's own provenance for steps and guidance, for sessions recorded before. */
  private static String legacy(Map<String, String> recorded, String key) {
    return switch (key) {
      case "steps", "guidance" -> recorded.get(key);
      default -> null;
    };
  }
}
