package dev.atelier.cli;

import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.onnx.model.OrtSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Which model folder to load and how to run it; shared by every command that runs a model. */
final class ModelOptions {
  @Spec(Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "PATH",
      description = "Stable Diffusion ONNX folder (Hugging Face layout). Default: $ATELIER_MODEL.")
  Path model;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "ONNX Runtime intra-op threads (default: physical cores).")
  int threads;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description = "cpu or cuda (cuda needs the -Pcuda build). Default: ${DEFAULT-VALUE}.",
      defaultValue = "cpu")
  String device;

  Path modelPath() {
    if (model != null) {
      return model;
    }
    String env = System.getenv("ATELIER_MODEL");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    throw new ParameterException(
        spec.commandLine(), "--model is required (or set ATELIER_MODEL) but neither was given");
  }

  OrtSettings settings() {
    if (threads < 0) {
      throw new ParameterException(spec.commandLine(), "--threads must be >= 0 but was " + threads);
    }
    OrtSettings.Device d =
        switch (device.toLowerCase(java.util.Locale.ROOT)) {
          case "cpu" -> OrtSettings.Device.CPU;
          case "cuda", "gpu" -> OrtSettings.Device.CUDA;
          default ->
              throw new ParameterException(
                  spec.commandLine(), "--device must be cpu or cuda but was '" + device + "'");
        };
    return new OrtSettings(threads, d, 0);
  }

  OnnxEngine load() {
    return OnnxEngine.load(modelPath(), settings());
  }
}
