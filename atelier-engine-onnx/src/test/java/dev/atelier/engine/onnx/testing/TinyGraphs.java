package dev.atelier.engine.onnx.testing;

import dev.atelier.engine.onnx.testing.OnnxModelWriter.ElementType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Stand-ins for Stable Diffusion pipeline components: real input/output names and layouts, but a
 * few analytic operations instead of weights, so loader and pipeline tests can check exact values.
 *
 * <p>Each factory writes {@code dir/model.onnx} (creating {@code dir}), the layout of one component
 * folder of a diffusers ONNX export, and returns that file. All arithmetic happens in float32
 * inside the graph; FLOAT16 variants cast at the boundaries only, so their results are the float32
 * formula rounded to half precision. {@code mean}/{@code sum} below are arithmetic means and sums.
 */
public final class TinyGraphs {
  private static final long CAST_TO_FLOAT = 1;
  private static final long CAST_TO_FLOAT16 = 10;

  private TinyGraphs() {}

  /**
   * A CLIP-style text encoder.
   *
   * <ul>
   *   <li>input {@code input_ids} [batch, sequence] of {@code idsType} (INT32 or INT64)
   *   <li>{@code last_hidden_state}[b, s, k] = float(input_ids[b, s]) * 0.01 + 0.001 * k, shape
   *       [batch, sequence, hidden]
   *   <li>{@code pooler_output}[b, k] = mean over s of last_hidden_state[b, s, k], that is 0.01 *
   *       mean_s(input_ids[b, s]) + 0.001 * k, shape [batch, hidden]
   * </ul>
   */
  public static Path textEncoder(Path dir, ElementType idsType, int hidden) throws IOException {
    float[] offsets = new float[hidden];
    for (int k = 0; k < hidden; k++) {
      offsets[k] = 0.001f * k;
    }
    OnnxModelWriter g =
        OnnxModelWriter.graph("text_encoder")
            .input("input_ids", idsType, "batch", "sequence")
            .initializer("scale", new float[] {0.01f})
            .initializer("offsets", offsets, hidden)
            .initializer("last_axis", new long[] {-1}, 1)
            .node("Cast", List.of("input_ids"), List.of("ids_f"), Map.of("to", CAST_TO_FLOAT))
            .node("Unsqueeze", List.of("ids_f", "last_axis"), List.of("ids_3d"))
            .node("Mul", List.of("ids_3d", "scale"), List.of("scaled"))
            .node("Add", List.of("scaled", "offsets"), List.of("last_hidden_state"))
            .node(
                "ReduceMean",
                List.of("last_hidden_state"),
                List.of("pooler_output"),
                Map.of("axes", new long[] {1}, "keepdims", 0L))
            .output("last_hidden_state", ElementType.FLOAT, "batch", "sequence", hidden)
            .output("pooler_output", ElementType.FLOAT, "batch", hidden);
    return write(g, dir);
  }

  /**
   * A UNet: for c in 0..3,
   *
   * <pre>
   * out_sample[b, c, y, x] = 0.5 * sample[b, c, y, x]
   *                        + 0.001 * float(timestep[b or 0])
   *                        + mean(encoder_hidden_states[b, :, :])
   *                        + sum(timestep_cond[b, :])      (only when withTimestepCond)
   * </pre>
   *
   * <p>Inputs: {@code sample} [batch, inChannels, height, width] (inChannels &ge; 4; channels
   * beyond 4 are ignored, as with inpainting's extra mask channels), {@code timestep} of {@code
   * timestepType} (INT64, FLOAT or FLOAT16) shaped [] when {@code scalarTimestep} else ["steps"] (1
   * or batch entries; entry b applies to batch item b), {@code encoder_hidden_states} [batch,
   * sequence, hidden], and with {@code withTimestepCond} also {@code timestep_cond} [batch,
   * condDim]. Output {@code out_sample} [batch, 4, height, width]. With {@code fp16} the sample,
   * hidden states, timestep_cond and output are FLOAT16; the timestep keeps {@code timestepType}.
   */
  public static Path unet(
      Path dir,
      int inChannels,
      ElementType timestepType,
      boolean scalarTimestep,
      boolean withTimestepCond,
      int condDim,
      boolean fp16)
      throws IOException {
    ElementType ft = fp16 ? ElementType.FLOAT16 : ElementType.FLOAT;
    Object[] timestepShape = scalarTimestep ? new Object[0] : new Object[] {"steps"};
    OnnxModelWriter g =
        OnnxModelWriter.graph("unet")
            .input("sample", ft, "batch", inChannels, "height", "width")
            .input("timestep", timestepType, timestepShape)
            .input("encoder_hidden_states", ft, "batch", "sequence", "hidden")
            .initializer("half", new float[] {0.5f})
            .initializer("milli", new float[] {0.001f})
            .initializer("start0", new long[] {0}, 1)
            .initializer("end4", new long[] {4}, 1)
            .initializer("axis1", new long[] {1}, 1)
            .initializer("axis3", new long[] {3}, 1)
            .initializer("per_batch", new long[] {-1, 1, 1, 1}, 4);
    String sample = toFloat(g, "sample", ft);
    g.node("Slice", List.of(sample, "start0", "end4", "axis1"), List.of("first4"))
        .node("Mul", List.of("first4", "half"), List.of("scaled"));
    // Reshaping to [n,1,1,1] makes a per-batch timestep vector line up with the batch axis.
    g.node("Mul", List.of(toFloat(g, "timestep", timestepType), "milli"), List.of("t_scaled"))
        .node("Reshape", List.of("t_scaled", "per_batch"), List.of("t_b"))
        .node("Add", List.of("scaled", "t_b"), List.of("acc_t"));
    g.node(
            "ReduceMean",
            List.of(toFloat(g, "encoder_hidden_states", ft)),
            List.of("ehs_mean"),
            Map.of("axes", new long[] {1, 2}, "keepdims", 1L))
        .node("Unsqueeze", List.of("ehs_mean", "axis3"), List.of("ehs_b"))
        .node("Add", List.of("acc_t", "ehs_b"), List.of("acc_ehs"));
    String acc = "acc_ehs";
    if (withTimestepCond) {
      g.input("timestep_cond", ft, "batch", condDim)
          .initializer("axes23", new long[] {2, 3}, 2)
          .node(
              "ReduceSum",
              List.of(toFloat(g, "timestep_cond", ft), "axis1"),
              List.of("cond_sum"),
              Map.of("keepdims", 1L))
          .node("Unsqueeze", List.of("cond_sum", "axes23"), List.of("cond_b"))
          .node("Add", List.of(acc, "cond_b"), List.of("acc_cond"));
      acc = "acc_cond";
    }
    fromFloat(g, acc, "out_sample", ft).output("out_sample", ft, "batch", 4, "height", "width");
    return write(g, dir);
  }

  /**
   * A VAE decoder: {@code sample}[b, c, y, x] = 0.5 * latent_sample[b, c, y / 2, x / 2] for c in
   * 0..2 (integer division, i.e. nearest-neighbour upsampling by 2). Input {@code latent_sample}
   * [batch, 4, height, width], output {@code sample} [batch, 3, 2 * height, 2 * width]; both
   * FLOAT16 when {@code fp16}.
   */
  public static Path vaeDecoder(Path dir, boolean fp16) throws IOException {
    ElementType ft = fp16 ? ElementType.FLOAT16 : ElementType.FLOAT;
    OnnxModelWriter g =
        OnnxModelWriter.graph("vae_decoder")
            .input("latent_sample", ft, "batch", 4, "height", "width")
            .initializer("half", new float[] {0.5f})
            .initializer("start0", new long[] {0}, 1)
            .initializer("end3", new long[] {3}, 1)
            .initializer("axis1", new long[] {1}, 1)
            .initializer("scales", new float[] {1, 1, 2, 2}, 4);
    g.node(
            "Slice",
            List.of(toFloat(g, "latent_sample", ft), "start0", "end3", "axis1"),
            List.of("rgb"))
        .node("Mul", List.of("rgb", "half"), List.of("halved"))
        .node(
            "Resize",
            List.of("halved", "", "scales"),
            List.of("upsampled"),
            Map.of(
                "mode", "nearest",
                "coordinate_transformation_mode", "asymmetric",
                "nearest_mode", "floor"));
    fromFloat(g, "upsampled", "sample", ft)
        .output("sample", ft, "batch", 3, "image_height", "image_width");
    return write(g, dir);
  }

  /**
   * A VAE encoder over {@code sample} [batch, 3, H, W] (H, W even). The mean is
   *
   * <pre>
   * pooled[b, c, i, j] = mean of sample[b, c, 2i..2i+1, 2j..2j+1]   (2x2 average pool), c in 0..2
   * mean[b, 0..2]      = pooled[b, 0..2]
   * mean[b, 3, i, j]   = mean over c of pooled[b, c, i, j]
   * </pre>
   *
   * <p>With {@code latentParameters} the output is {@code latent_parameters} [batch, 8, H/2, W/2]:
   * channels 0-3 the mean, channels 4-7 the constant log-variance -2. Otherwise the output is
   * {@code latent_sample} [batch, 4, H/2, W/2] = the mean.
   */
  public static Path vaeEncoder(Path dir, boolean latentParameters) throws IOException {
    OnnxModelWriter g =
        OnnxModelWriter.graph("vae_encoder")
            .input("sample", ElementType.FLOAT, "batch", 3, "height", "width")
            .node(
                "AveragePool",
                List.of("sample"),
                List.of("pooled"),
                Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}))
            .node(
                "ReduceMean",
                List.of("pooled"),
                List.of("pooled_mean"),
                Map.of("axes", new long[] {1}, "keepdims", 1L))
            .node("Concat", List.of("pooled", "pooled_mean"), List.of("mean"), Map.of("axis", 1L));
    if (latentParameters) {
      // mean * 0 + (-2) gives the constant log-variance the shape of the mean without Shape ops.
      g.initializer("zero", new float[] {0f})
          .initializer("logvar_value", new float[] {-2f})
          .node("Mul", List.of("mean", "zero"), List.of("zeros"))
          .node("Add", List.of("zeros", "logvar_value"), List.of("logvar"))
          .node(
              "Concat", List.of("mean", "logvar"), List.of("latent_parameters"), Map.of("axis", 1L))
          .output(
              "latent_parameters", ElementType.FLOAT, "batch", 8, "latent_height", "latent_width");
    } else {
      g.node("Identity", List.of("mean"), List.of("latent_sample"))
          .output("latent_sample", ElementType.FLOAT, "batch", 4, "latent_height", "latent_width");
    }
    return write(g, dir);
  }

  /**
   * A CLIP-style image encoder: {@code image_embeds}[b, c] = mean over y, x of {@code
   * pixel_values}[b, c, y, x], for input {@code pixel_values} [batch, 3, height, width] (symbolic
   * sides) and output [batch, 3].
   */
  public static Path imageEncoder(Path dir) throws IOException {
    OnnxModelWriter g =
        OnnxModelWriter.graph("image_encoder")
            .input("pixel_values", ElementType.FLOAT, "batch", 3, "height", "width")
            .node(
                "ReduceMean",
                List.of("pixel_values"),
                List.of("image_embeds"),
                Map.of("axes", new long[] {2, 3}, "keepdims", 0L))
            .output("image_embeds", ElementType.FLOAT, "batch", 3);
    return write(g, dir);
  }

  /**
   * An IP-Adapter projection: {@code image_prompt_embeds}[b] = reshape(image_embeds[b] @ weights +
   * bias, [tokens, hidden]), for input {@code image_embeds} [batch, width] and output [batch,
   * tokens, hidden]; {@code weights} is [width, tokens * hidden] row-major.
   */
  public static Path ipAdapterProjection(
      Path dir, int width, int tokens, int hidden, float[] weights, float[] bias)
      throws IOException {
    OnnxModelWriter g =
        OnnxModelWriter.graph("ip_adapter")
            .input("image_embeds", ElementType.FLOAT, "batch", width)
            .initializer("weights", weights, width, (long) tokens * hidden)
            .initializer("bias", bias, (long) tokens * hidden)
            .initializer("token_shape", new long[] {-1, tokens, hidden}, 3)
            .node("MatMul", List.of("image_embeds", "weights"), List.of("projected"))
            .node("Add", List.of("projected", "bias"), List.of("biased"))
            .node("Reshape", List.of("biased", "token_shape"), List.of("image_prompt_embeds"))
            .output("image_prompt_embeds", ElementType.FLOAT, "batch", tokens, hidden);
    return write(g, dir);
  }

  /** Returns the name of a float32 view of {@code input}, adding a Cast when needed. */
  private static String toFloat(OnnxModelWriter g, String input, ElementType type) {
    if (type == ElementType.FLOAT) {
      return input;
    }
    String cast = input + "_f32";
    g.node("Cast", List.of(input), List.of(cast), Map.of("to", CAST_TO_FLOAT));
    return cast;
  }

  /** Produces graph output {@code output} from float32 {@code value} in the declared type. */
  private static OnnxModelWriter fromFloat(
      OnnxModelWriter g, String value, String output, ElementType type) {
    return type == ElementType.FLOAT16
        ? g.node("Cast", List.of(value), List.of(output), Map.of("to", CAST_TO_FLOAT16))
        : g.node("Identity", List.of(value), List.of(output));
  }

  private static Path write(OnnxModelWriter g, Path dir) throws IOException {
    Path model = dir.resolve("model.onnx");
    g.write(model);
    return model;
  }
}
