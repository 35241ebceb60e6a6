package dev.atelier.cli;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.Consistency;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.SamplingParams;
import dev.atelier.engine.onnx.OnnxEngine;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier generate PROMPT}: text-to-image into PNG files. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Generate images from a prompt with a local Stable Diffusion ONNX model.",
      "Writes one PNG per image (parameters in the PNG metadata) and prints each image's seed."
    },
    footer = {
      "",
      "Example:",
      "  atelier generate \"a white ceramic coffee cup on a dark wooden table\" -n 4 \\",
      "    --size 512x512 --model PATH --seed 7 --steps 4 --scheduler euler_a --out DIR"
    })
final class GenerateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PROMPT", description = "What to draw.")
  String prompt;

  @Option(
      names = "--size",
      paramLabel = "WxH",
      description = "Image size, multiples of 8. Default: the model's native size, square.")
  String size;

  @Mixin OutputOptions output;

  @Option(
      names = "--consistency",
      paramLabel = "MODE",
      description =
          "variations (distinct images) or set (shared low-frequency noise, for storyboards and"
              + " brand sets). Default: ${DEFAULT-VALUE}.",
      defaultValue = "variations")
  String consistency;

  @Option(
      names = "--panel",
      paramLabel = "TEXT",
      description =
          "One prompt per image (repeat it; n follows), e.g. storyboard panels; PROMPT then"
              + " describes the set.")
  List<String> panels = new java.util.ArrayList<>();

  @Mixin ModelOptions modelOptions;
  @Mixin SamplingOptions samplingOptions;

  @Override
  public Integer call() throws Exception {
    SamplingParams sampling = samplingOptions.params();
    Consistency mode =
        switch (consistency) {
          case "variations" -> Consistency.VARIATIONS;
          case "set" -> Consistency.SET;
          default ->
              throw new ParameterException(
                  spec.commandLine(),
                  "--consistency must be variations or set but was '" + consistency + "'");
        };
    SamplingParams.Builder b = sampling.toBuilder().consistency(mode);
    if (!panels.isEmpty()) {
      b.n(panels.size());
    }
    try {
      sampling = b.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--panel: " + e.getMessage());
    }
    ImageSize requested = parseSize();
    try (OnnxEngine engine = modelOptions.load()) {
      sampling = samplingOptions.forModel(sampling, engine.model().traits());
      int side = engine.model().defaultImageSide();
      ImageSize imageSize = requested != null ? requested : new ImageSize(side, side);
      GenerationRequest request;
      try {
        request = new GenerationRequest(prompt, imageSize, sampling, List.of(), panels);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      ProgressBar bar = output.progressBar("generating");
      List<GeneratedImage> images =
          engine.generate(request, bar == null ? p -> {} : bar, CancellationToken.none());
      ImageFiles.writeAll(
          images, output.out, sampling.noiseMode() == NoiseMode.BATCH, spec.commandLine().getOut());
    }
    return 0;
  }

  private ImageSize parseSize() {
    if (size == null) {
      return null;
    }
    try {
      return ImageSize.parse(size);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--size: " + e.getMessage());
    }
  }
}
