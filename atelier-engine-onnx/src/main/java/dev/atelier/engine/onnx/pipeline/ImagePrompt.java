package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.Reference;
import dev.atelier.engine.onnx.model.IpAdapter;
import java.util.List;

/**
 * Subject, character and object references as IP-Adapter image-prompt tokens.
 *
 * <p>Each reference is encoded and projected to {@code T} tokens; several references are averaged
 * token by token, each scaled by its weight ({@code (1/K) * sum_k w_k * P(e_k)}), so the UNet
 * always sees {@code T} image tokens, the count its IP-Adapter attention was exported for. The
 * negative branch gets {@code P(0)}, diffusers' projection of zero image embeddings, scaled by the
 * mean weight, so that weight 0 gives zero tokens on both branches.
 */
public final class ImagePrompt {
  private ImagePrompt() {}

  /**
   * The tokens for {@code references} (not empty).
   *
   * @throws IllegalArgumentException when {@code references} is empty
   */
  public static ImageTokens tokens(IpAdapter adapter, List<Reference> references) {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("at least 1 reference is needed but got 0");
    }
    int k = references.size();
    float[] cond = new float[adapter.tokens() * adapter.hidden()];
    double weights = 0;
    for (Reference r : references) {
      float[] t = adapter.tokensOf(r.image());
      float w = (float) (r.weight() / k);
      for (int i = 0; i < cond.length; i++) {
        cond[i] += w * t[i];
      }
      weights += r.weight() / k;
    }
    float[] uncond = adapter.unconditionalTokens();
    for (int i = 0; i < uncond.length; i++) {
      uncond[i] *= (float) weights;
    }
    return new ImageTokens(adapter.tokens(), adapter.hidden(), cond, uncond);
  }
}
