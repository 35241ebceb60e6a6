package dev.atelier.engine.openai.internal;

import dev.atelier.core.EditMode;
import dev.atelier.core.ImageSize;
import dev.atelier.core.SamplingParams;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The provenance parameters of the {@code openai} engine's images, in a stable order and in the
 * style of the local engine's.
 *
 * <p>Settings the upstream has no field for are still recorded, each beside a {@code *_forwarded =
 * false} entry, so a reader of an image's provenance knows they did not shape it: the negative
 * prompt, image-to-image strength, InstructPix2Pix image guidance and the seed.
 */
public final class Provenance {
  private Provenance() {}

  /** The entries every image of a generation shares. */
  public static Map<String, String> generation(
      String model,
      String prompt,
      SamplingParams s,
      ImageSize size,
      int references,
      String inputFidelity) {
    Map<String, String> m = start(model, prompt, s, size);
    m.put("mode", references > 0 ? "reference-to-image" : "text-to-image");
    return finish(m, references, inputFidelity);
  }

  /** The entries every image of an edit shares. */
  public static Map<String, String> edit(
      String model,
      String prompt,
      SamplingParams s,
      ImageSize size,
      EditMode mode,
      int references,
      String inputFidelity) {
    Map<String, String> m = start(model, prompt, s, size);
    switch (mode) {
      case EditMode.ImageToImage(double strength) -> {
        m.put("mode", "image-to-image");
        m.put("strength", Double.toString(strength));
        m.put("strength_forwarded", "false");
      }
      case EditMode.Inpaint inpaint -> m.put("mode", "inpaint");
      case EditMode.Instruct(double guidance) -> {
        m.put("mode", "instruct");
        m.put("image_guidance", Double.toString(guidance));
        m.put("image_guidance_forwarded", "false");
      }
    }
    return finish(m, references, inputFidelity);
  }

  private static Map<String, String> start(
      String model, String prompt, SamplingParams s, ImageSize size) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("engine", "openai");
    m.put("model", model);
    m.put("prompt", prompt);
    if (!s.negativePrompt().isEmpty()) {
      m.put("negative_prompt", s.negativePrompt());
      m.put("negative_prompt_forwarded", "false");
    }
    m.put("size", size.toString());
    m.put("quality", s.quality());
    return m;
  }

  private static Map<String, String> finish(
      Map<String, String> m, int references, String inputFidelity) {
    if (references > 0) {
      m.put("references", Integer.toString(references));
    }
    if (!inputFidelity.isEmpty()) {
      m.put("input_fidelity", inputFidelity);
    }
    return m;
  }

  /**
   * The entries of one image.
   *
   * @param upstreamSize the size the upstream returned when it differs from the requested one, else
   *     {@code ""}
   * @return a new, modifiable map; the caller adds the call's usage to the first image of a call
   */
  public static Map<String, String> image(
      Map<String, String> common,
      long seed,
      String revisedPrompt,
      String upstreamSize,
      String requestId) {
    Map<String, String> m = new LinkedHashMap<>(common);
    m.put("seed", Long.toString(seed));
    m.put("seed_forwarded", "false");
    if (!revisedPrompt.isEmpty()) {
      m.put("revised_prompt", revisedPrompt);
    }
    if (!upstreamSize.isEmpty()) {
      m.put("upstream_size", upstreamSize);
    }
    if (!requestId.isEmpty()) {
      m.put("upstream_request_id", requestId);
    }
    return m;
  }
}
