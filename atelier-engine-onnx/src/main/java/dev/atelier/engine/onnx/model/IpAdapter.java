package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An IP-Adapter export: a CLIP image encoder and the adapter's projection, turning a reference
 * image into image-prompt tokens for the UNet (layout in ADR 0010).
 *
 * <ul>
 *   <li>{@code image_encoder/model.onnx}: {@code pixel_values} {@code [b, 3, S, S]} float (CLIP
 *       normalisation; {@code S} from the graph, else 224) to {@code image_embeds} {@code [b, D]}
 *   <li>{@code ip_adapter/model.onnx}: {@code image_embeds} {@code [b, D]} to {@code
 *       image_prompt_embeds} {@code [b, T, hidden]}, {@code hidden} the width the UNet
 *       cross-attends to (the text encoder's; SDXL's two towers' together)
 * </ul>
 *
 * <p>Checked when loaded: names, ranks, the widths, and one projection of zero embeddings, which
 * gives {@code T} and the unconditional tokens (diffusers projects {@code zeros_like(image_embeds)}
 * for the negative branch). {@code image_encoder/preprocessor_config.json}'s {@code image_mean} and
 * {@code image_std} are used when present. Thread-safe.
 */
public final class IpAdapter implements AutoCloseable {
  /** CLIP's normalisation mean, used when the folder gives none. */
  static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

  /** CLIP's normalisation standard deviation, used when the folder gives none. */
  static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  /** The image side when the graph's is symbolic (CLIP ViT-H/14 and ViT-bigG/14 use 224). */
  static final int DEFAULT_SIDE = 224;

  private static final Set<OnnxJavaType> FLOATS =
      EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);

  private final OnnxComponent encoder;
  private final OnnxComponent projection;
  private final int side;
  private final int embedWidth;
  private final int tokens;
  private final int hidden;
  private final float[] mean;
  private final float[] std;
  private final float[] unconditional;

  private IpAdapter(
      OnnxComponent encoder,
      OnnxComponent projection,
      int side,
      int embedWidth,
      int hidden,
      float[] mean,
      float[] std) {
    this.encoder = encoder;
    this.projection = projection;
    this.side = side;
    this.embedWidth = embedWidth;
    this.hidden = hidden;
    this.mean = mean;
    this.std = std;
    this.unconditional = project(new float[embedWidth]);
    if (unconditional.length == 0 || unconditional.length % hidden != 0) {
      throw projection.mismatch(
          "returned "
              + unconditional.length
              + " values for one embedding; expected [1, T, "
              + hidden
              + "]");
    }
    this.tokens = unconditional.length / hidden;
  }

  /**
   * Wraps the two graphs, checking them; closes both when they do not fit.
   *
   * @param textHidden the text encoder's width, which the tokens must have
   * @param preprocessor {@code image_encoder/preprocessor_config.json}, or an empty object
   * @throws AtelierException.ModelUnavailable naming the file and what did not fit
   */
  static IpAdapter wrap(
      OnnxComponent encoder, OnnxComponent projection, int textHidden, JsonValue.Obj preprocessor) {
    try {
      TensorInfo pixels = encoder.requireInput("pixel_values", FLOATS, 4);
      TensorInfo embeds = encoder.requireOutput("image_embeds", FLOATS, 2);
      TensorInfo in = projection.requireInput("image_embeds", FLOATS, 2);
      TensorInfo out = projection.requireOutput("image_prompt_embeds", FLOATS, 3);
      long[] ps = pixels.getShape();
      if (ps[1] > 0 && ps[1] != 3) {
        throw encoder.mismatch("input 'pixel_values' must have 3 channels but has " + ps[1]);
      }
      int side = ps[2] > 0 ? (int) ps[2] : ps[3] > 0 ? (int) ps[3] : DEFAULT_SIDE;
      long d = embeds.getShape()[1] > 0 ? embeds.getShape()[1] : in.getShape()[1];
      if (d <= 0) {
        throw projection.mismatch(
            "input 'image_embeds' and image_encoder's output both have a symbolic width; one"
                + " must be fixed");
      }
      if (embeds.getShape()[1] > 0
          && in.getShape()[1] > 0
          && embeds.getShape()[1] != in.getShape()[1]) {
        throw projection.mismatch(
            "input 'image_embeds' has width "
                + in.getShape()[1]
                + " but image_encoder/model.onnx produces "
                + embeds.getShape()[1]);
      }
      long width = out.getShape()[2];
      if (width > 0 && width != textHidden) {
        throw projection.mismatch(
            "output 'image_prompt_embeds' has width "
                + width
                + " but the text encoder produces "
                + textHidden);
      }
      return new IpAdapter(
          encoder,
          projection,
          side,
          (int) d,
          textHidden,
          floats(preprocessor, "image_mean", CLIP_MEAN),
          floats(preprocessor, "image_std", CLIP_STD));
    } catch (RuntimeException e) {
      encoder.close();
      projection.close();
      throw e;
    }
  }

  private static float[] floats(JsonValue.Obj json, String key, float[] fallback) {
    List<JsonValue> values = json.array(key);
    if (values.isEmpty()) {
      return fallback;
    }
    if (values.size() != 3) {
      throw new AtelierException.ModelUnavailable(
          "image_encoder/preprocessor_config.json: " + key + " must hold 3 numbers");
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      if (!(values.get(i) instanceof JsonValue.Num n)) {
        throw new AtelierException.ModelUnavailable(
            "image_encoder/preprocessor_config.json: " + key + " must hold 3 numbers");
      }
      out[i] = (float) n.value();
    }
    return out;
  }

  /** Image tokens per reference ({@code T}). */
  public int tokens() {
    return tokens;
  }

  /** Width of each token (the text encoder's). */
  public int hidden() {
    return hidden;
  }

  /** Side of the square the image encoder sees. */
  public int imageSide() {
    return side;
  }

  /** Width of the image embedding ({@code D}). */
  public int embedWidth() {
    return embedWidth;
  }

  /** The tokens of zero image embeddings {@code [T, hidden]}: the negative branch's. */
  public float[] unconditionalTokens() {
    return unconditional.clone();
  }

  /** The tokens {@code [T, hidden]} of {@code image}: encoder, then projection. */
  public float[] tokensOf(RgbImage image) {
    return project(embed(image));
  }

  /** The CLIP image embedding {@code [1, D]} of {@code image}. */
  public float[] embed(RgbImage image) {
    float[] pixels = preprocess(image, side, mean, std);
    float[] out;
    try {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put(
          "pixel_values",
          encoder.floatInput("pixel_values", pixels, new long[] {1, 3, side, side}));
      out = encoder.run(feeds, "image_embeds");
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(encoder.label() + " input: " + e.getMessage(), e);
    }
    if (out.length != embedWidth) {
      throw new AtelierException.EngineFailure(
          encoder.label() + " returned " + out.length + " values; expected " + embedWidth, null);
    }
    return out;
  }

  /** The projection of one embedding {@code [1, D]} to tokens {@code [T, hidden]}. */
  public float[] project(float[] embeds) {
    try {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put(
          "image_embeds",
          projection.floatInput("image_embeds", embeds, new long[] {1, embeds.length}));
      return projection.run(feeds, "image_prompt_embeds");
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(projection.label() + " input: " + e.getMessage(), e);
    }
  }

  /**
   * CLIPImageProcessor's steps: shortest side resized to {@code side} (bicubic), centre crop to
   * {@code side x side}, values / 255, then {@code (v - mean) / std} per channel; {@code [1, 3,
   * side, side]}.
   */
  static float[] preprocess(RgbImage image, int side, float[] mean, float[] std) {
    int w = image.width();
    int h = image.height();
    int rw = w <= h ? side : (int) Math.round((double) w * side / h);
    int rh = w <= h ? (int) Math.round((double) h * side / w) : side;
    RgbImage resized =
        rw == w && rh == h
            ? image
            : Compositor.resizeBicubic(image, Math.max(rw, side), Math.max(rh, side));
    int left = (resized.width() - side) / 2;
    int top = (resized.height() - side) / 2;
    float[] out = new float[3 * side * side];
    byte[] rgb = resized.rgb();
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int src = ((top + y) * resized.width() + left + x) * 3;
        for (int c = 0; c < 3; c++) {
          float v = (rgb[src + c] & 0xff) / 255f;
          out[c * side * side + y * side + x] = (v - mean[c]) / std[c];
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    encoder.close();
    projection.close();
  }
}
