package dev.atelier.engine.onnx.model;

import dev.atelier.engine.onnx.testing.OnnxModelWriter.ElementType;
import dev.atelier.engine.onnx.testing.TinyGraphs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Builds a complete model folder from {@link TinyGraphs} stand-ins, so the loader's adaptation to
 * export variants can be checked against analytic outputs. Defaults mirror a modern optimum export:
 * int64 ids, scalar float timestep, {@code latent_parameters}.
 */
final class TinyFolder {
  static final int HIDDEN = 8;

  ElementType idsType = ElementType.INT64;
  ElementType timestepType = ElementType.FLOAT;
  boolean scalarTimestep = true;
  boolean timestepCond = false;
  int condDim = 6;
  boolean fp16 = false;
  int inChannels = 4;
  boolean latentParameters = true;
  String unetConfig = "{\"in_channels\": 4, \"sample_size\": 8}";

  Path write(Path root) throws IOException {
    Files.createDirectories(root);
    copyTokenizer(root.resolve("tokenizer"));
    TinyGraphs.textEncoder(root.resolve("text_encoder"), idsType, HIDDEN);
    TinyGraphs.unet(
        root.resolve("unet"),
        inChannels,
        timestepType,
        scalarTimestep,
        timestepCond,
        condDim,
        fp16);
    TinyGraphs.vaeDecoder(root.resolve("vae_decoder"), fp16);
    TinyGraphs.vaeEncoder(root.resolve("vae_encoder"), latentParameters);
    Files.writeString(root.resolve("unet/config.json"), unetConfig);
    String vae = "{\"scaling_factor\": 0.5, \"block_out_channels\": [8, 8]}";
    Files.writeString(root.resolve("vae_decoder/config.json"), vae);
    Files.writeString(root.resolve("vae_encoder/config.json"), vae);
    Files.writeString(
        root.resolve("text_encoder/config.json"), "{\"hidden_size\": " + HIDDEN + "}");
    Files.createDirectories(root.resolve("scheduler"));
    Files.writeString(
        root.resolve("scheduler/scheduler_config.json"),
        "{\"_class_name\": \"EulerDiscreteScheduler\", \"beta_start\": 0.00085, \"beta_end\":"
            + " 0.012, \"beta_schedule\": \"scaled_linear\", \"num_train_timesteps\": 1000,"
            + " \"steps_offset\": 1}");
    Files.writeString(
        root.resolve("model_index.json"), "{\"_class_name\": \"ORTStableDiffusionPipeline\"}");
    return root;
  }

  static Path fixtureModels() {
    String goldens = System.getProperty("atelier.goldens", "");
    Path base =
        goldens.isBlank()
            ? Path.of("src/test/resources/diffusers-tiny/goldens")
            : Path.of(goldens.split(",")[0].trim());
    return base.resolveSibling("models");
  }

  private static void copyTokenizer(Path target) throws IOException {
    Path source = Path.of("src/test/resources/diffusers-tiny/models/tiny-sd/tokenizer");
    Files.createDirectories(target);
    try (Stream<Path> s = Files.list(source)) {
      s.forEach(
          f -> {
            try {
              Files.copy(f, target.resolve(f.getFileName().toString()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
  }
}
