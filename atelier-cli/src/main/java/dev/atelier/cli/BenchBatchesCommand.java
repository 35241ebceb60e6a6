package dev.atelier.cli;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.Consistency;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.batch.ConsistencyReport;
import dev.atelier.core.batch.Palette;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code atelier bench-batches}: the quality targets of batches and style references, measured with
 * pure-Java metrics on a local model.
 *
 * <ul>
 *   <li>Sets vs variations: for each prompt, the same seeds as a {@code variations} batch and as a
 *       {@code set}; the {@link ConsistencyReport}'s mean pairwise palette CIEDE2000 and Lab
 *       histogram distance of both. Target: the set's at most half the variations'.
 *   <li>Style references: for each prompt and seed, the palette CIEDE2000 ({@link
 *       Palette#distanceTo}) between the reference and the output without and with the reference as
 *       a style reference at weight 1. Target: at least 40 % lower with it.
 * </ul>
 */
@Command(
    name = "bench-batches",
    mixinStandardHelpOptions = true,
    description = {
      "Measure batch consistency (set vs variations) and style references on a local model.",
      "Runs over the bundled prompts (English and Chinese, from the practitioner guide)."
    })
final class BenchBatchesCommand implements Callable<Integer> {
  /** Prompts in the guide's spirit, English and Chinese: at least ten, as the target asks. */
  static final List<String> PROMPTS =
      List.of(
          "a modern living room with a light sofa, floor-to-ceiling windows and a city skyline",
          "一间现代风格的客厅,浅色沙发,落地窗,窗外城市天际线",
          "a minimalist brand logo: an abstract flying bird in deep blue and gold",
          "一张现代简约风格的品牌 Logo,主图形是一只抽象的飞鸟,配色深蓝和金色",
          "a coffee shop poster with the words COFFEE & CODE",
          "生成一张咖啡馆海报,文字内容:'COFFEE & CODE'",
          "a 30-year-old Asian man with short hair, black-frame glasses and a dark-blue shirt"
              + " reading in a cafe",
          "a red kite over a windy beach at sunset",
          "a product photo of a white ceramic coffee cup on a dark wooden table",
          "一只橘猫趴在窗台上晒太阳,暖色调",
          "a storyboard panel: a detective walks through a rainy neon street at night",
          "a watercolor landscape of misty mountains and a lake");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--size", paramLabel = "WxH", description = "Default: the model's native size.")
  String size;

  @Option(
      names = "-n",
      paramLabel = "N",
      defaultValue = "4",
      description = "Images per batch. Default: ${DEFAULT-VALUE}.")
  int n;

  @Option(
      names = "--steps",
      paramLabel = "S",
      defaultValue = "8",
      description = "Steps. Default: ${DEFAULT-VALUE}.")
  int steps;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed of image 0. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--prompts",
      paramLabel = "K",
      defaultValue = "12",
      description = "How many of the bundled prompts to use (10..12). Default: ${DEFAULT-VALUE}.")
  int prompts;

  @Option(
      names = "--reference",
      paramLabel = "IMAGE",
      description =
          "Style reference image. Default: a built-in warm palette image (orange, teal, cream).")
  Path reference;

  @Option(names = "--csv", paramLabel = "FILE", description = "Also write one CSV row per prompt.")
  Path csv;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() throws IOException {
    if (n < 2 || n > SamplingParams.MAX_N) {
      throw new ParameterException(spec.commandLine(), "-n must be 2..8 but was " + n);
    }
    if (prompts < 1 || prompts > PROMPTS.size()) {
      throw new ParameterException(
          spec.commandLine(), "--prompts must be 1.." + PROMPTS.size() + " but was " + prompts);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (OnnxEngine engine = modelOptions.load()) {
      int side = engine.model().defaultImageSide();
      ImageSize imageSize = size == null ? new ImageSize(side, side) : ImageSize.parse(size);
      RgbImage ref =
          reference == null
              ? warmPalette(imageSize.width(), imageSize.height())
              : ImageFiles.read(reference, "--reference");
      List<String> rows = new ArrayList<>();
      rows.add(
          "prompt,variations_palette,set_palette,variations_hist,set_hist,"
              + "ref_palette_without,ref_palette_with");
      double[] sums = new double[6];
      for (int k = 0; k < prompts; k++) {
        String prompt = PROMPTS.get(k);
        ConsistencyReport v = report(engine, prompt, imageSize, Consistency.VARIATIONS);
        ConsistencyReport s = report(engine, prompt, imageSize, Consistency.SET);
        double without = paletteToReference(engine, prompt, imageSize, ref, List.of());
        double with =
            paletteToReference(
                engine,
                prompt,
                imageSize,
                ref,
                List.of(new Reference(ref, Reference.Role.STYLE, 1.0)));
        double[] row = {
          v.paletteCiede2000(),
          s.paletteCiede2000(),
          v.labHistogramDistance(),
          s.labHistogramDistance(),
          without,
          with
        };
        for (int i = 0; i < row.length; i++) {
          sums[i] += row[i];
        }
        rows.add("\"" + prompt.replace("\"", "'") + "\"," + String.join(",", format(row)));
        out.printf(
            Locale.ROOT,
            "%2d  palette %.2f -> %.2f  hist %.3f -> %.3f  reference palette %.2f -> %.2f%n",
            k + 1,
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5]);
        out.flush();
      }
      double[] mean = new double[6];
      for (int i = 0; i < 6; i++) {
        mean[i] = sums[i] / prompts;
      }
      out.printf(
          Locale.ROOT,
          "mean over %d prompts, n=%d, %s, %d steps, seed %d:%n",
          prompts,
          n,
          imageSize,
          steps,
          seed);
      out.printf(
          Locale.ROOT,
          "  set / variations: palette CIEDE2000 %.2f / %.2f = %.2f, Lab histogram %.3f / %.3f ="
              + " %.2f (target <= 0.50 both: %s)%n",
          mean[1],
          mean[0],
          mean[1] / mean[0],
          mean[3],
          mean[2],
          mean[3] / mean[2],
          mean[1] / mean[0] <= 0.5 && mean[3] / mean[2] <= 0.5 ? "met" : "NOT met");
      double drop = 1 - mean[5] / mean[4];
      out.printf(
          Locale.ROOT,
          "  style reference at weight 1: palette CIEDE2000 to the reference %.2f -> %.2f, %.0f %%"
              + " lower (target >= 40 %%: %s)%n",
          mean[4],
          mean[5],
          100 * drop,
          drop >= 0.4 ? "met" : "NOT met");
      out.flush();
      if (csv != null) {
        Files.write(csv, rows);
      }
    }
    return 0;
  }

  private ConsistencyReport report(
      OnnxEngine engine, String prompt, ImageSize size, Consistency consistency) {
    SamplingParams s =
        SamplingParams.builder().n(n).seed(seed).steps(steps).consistency(consistency).build();
    List<GeneratedImage> images =
        engine.generate(
            new GenerationRequest(prompt, size, s),
            ProgressListener.NONE,
            CancellationToken.none());
    return ConsistencyReport.of(images.stream().map(GeneratedImage::image).toList());
  }

  private double paletteToReference(
      OnnxEngine engine, String prompt, ImageSize size, RgbImage ref, List<Reference> refs) {
    SamplingParams s = SamplingParams.builder().n(1).seed(seed).steps(steps).build();
    RgbImage image =
        engine
            .generate(
                new GenerationRequest(prompt, size, s, refs),
                ProgressListener.NONE,
                CancellationToken.none())
            .get(0)
            .image();
    return Palette.of(ref).distanceTo(Palette.of(image));
  }

  private static String[] format(double[] row) {
    String[] s = new String[row.length];
    for (int i = 0; i < row.length; i++) {
      s[i] = String.format(Locale.ROOT, "%.4f", row[i]);
    }
    return s;
  }

  /** Three warm bands (orange, teal, cream), a reference whose palette is easy to tell apart. */
  static RgbImage warmPalette(int w, int h) {
    int[] bands = {0xE07A2F, 0x2A7F7A, 0xF2E6C9};
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      int c = bands[Math.min(2, y * 3 / h)];
      for (int x = 0; x < w; x++) {
        int p = (y * w + x) * 3;
        rgb[p] = (byte) (c >> 16);
        rgb[p + 1] = (byte) (c >> 8);
        rgb[p + 2] = (byte) c;
      }
    }
    return new RgbImage(w, h, rgb);
  }
}
