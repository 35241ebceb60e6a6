package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OrtEnvironment;
import dev.atelier.core.AtelierException;
import dev.atelier.core.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny VAE decoder (TAESD, e.g. {@code deinferno/taesd-onnx}): decodes Stable Diffusion latents
 * far faster than the full decoder, at slightly lower quality. Used for {@code quality: low}.
 *
 * <p>Layout: {@code vae_decoder/model.onnx} (input {@code latent_sample}, output {@code sample} in
 * [-1, 1]) with {@code vae_decoder/config.json}, or {@code model.onnx} at the folder's root. Like
 * diffusers' {@code AutoencoderTiny}, its {@code scaling_factor} defaults to 1.0: it decodes the
 * scaled latents the UNet works in.
 */
public final class TinyVae implements AutoCloseable {
  private final VaeDecoder decoder;
  private final float scalingFactor;

  private TinyVae(VaeDecoder decoder, float scalingFactor) {
    this.decoder = decoder;
    this.scalingFactor = scalingFactor;
  }

  /**
   * Loads a tiny decoder folder.
   *
   * @throws AtelierException.ModelUnavailable when no decoder graph is found or it does not fit
   */
  public static TinyVae load(Path folder, OrtSettings settings) {
    ModelFolder f = ModelFolder.of(folder);
    Path graph;
    JsonValue.Obj config;
    if (f.component("vae_decoder").isPresent()) {
      graph = f.requireComponent("vae_decoder").resolve("model.onnx");
      config = f.config("vae_decoder");
    } else {
      graph = f.root().resolve("model.onnx");
      config = f.json("", "config.json").orElse(new JsonValue.Obj(java.util.Map.of()));
    }
    if (!Files.isRegularFile(graph)) {
      throw new AtelierException.ModelUnavailable(
          "tiny decoder folder " + f.root() + " has neither vae_decoder/model.onnx nor model.onnx");
    }
    VaeDecoder decoder =
        VaeDecoder.wrap(
            SessionFactory.open(
                OrtEnvironment.getEnvironment(), graph, "tiny vae_decoder/model.onnx", settings));
    return new TinyVae(decoder, (float) config.number("scaling_factor", 1.0));
  }

  /** The decoder. */
  public VaeDecoder decoder() {
    return decoder;
  }

  /** What latents are divided by before decoding (1.0 for TAESD). */
  public float scalingFactor() {
    return scalingFactor;
  }

  @Override
  public void close() {
    decoder.close();
  }
}
