package dev.atelier.cli;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.onnx.model.OrtFloor;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.pipeline.LatentObserver;
import dev.atelier.engine.onnx.pipeline.RunContext;
import dev.atelier.engine.onnx.pipeline.StageTimings;
import dev.atelier.engine.onnx.scheduler.Scheduler;
import dev.atelier.engine.onnx.scheduler.Schedulers;
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
 * {@code atelier bench}: times text-to-image on a warm engine and splits the time per stage.
 *
 * <p>Prints p50/p95 seconds per image, images per second, peak RSS, and per run: tokenize, text
 * encoder, UNet per step, the Java work per step outside ONNX Runtime, VAE decode; optionally as
 * CSV. Each run uses a distinct prompt unless {@code --cache-prompts}, so the text encoder is
 * measured every time.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark text-to-image on a local model: time per stage and per image.")
final class BenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--size", paramLabel = "WxH", description = "Default: the model's native size.")
  String size;

  @Option(
      names = "--runs",
      paramLabel = "R",
      defaultValue = "5",
      description = "Timed runs. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "2",
      description = "Untimed runs first. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(
      names = "--prompt",
      paramLabel = "TEXT",
      defaultValue = "a white ceramic coffee cup on a dark wooden table",
      description = "Prompt. Default: ${DEFAULT-VALUE}.")
  String prompt;

  @Option(names = "--cache-prompts", description = "Reuse the prompt embedding across runs.")
  boolean cachePrompts;

  @Option(names = "--csv", paramLabel = "FILE", description = "Also write one CSV row per run.")
  Path csv;

  @Option(
      names = "--floor",
      description =
          "After each run, also run the floor: the same ONNX Runtime calls made directly on the"
              + " model's sessions (text encoder, UNet per step at the batch used, VAE decoder per"
              + " image), and print Atelier's time as a ratio of it.")
  boolean floor;

  @Option(
      names = "--sequential",
      description =
          "With -n above 1: after each run, also make the same n images as n one-image calls, and"
              + " print the one call's time as a ratio of theirs.")
  boolean sequential;

  @Option(
      names = "--local-edit",
      description =
          "Benchmark one plain-words local edit of a --size input (default 1024x1024) instead:"
              + " decode, grounding, engine, composite and fidelity, PNG encode, base64; needs"
              + " --grounding-model or --region.")
  boolean localEdit;

  @Option(
      names = "--region",
      paramLabel = "X,Y,W,H",
      description =
          "With --local-edit: use this rectangle (pixels) as the grounded region instead of"
              + " running a grounding model; the instruction is still planned as the server does.")
  String region;

  @Option(
      names = "--compare-full",
      description =
          "With --local-edit: after each edit run, regenerate the whole image at the input's size"
              + " (text-to-image, same steps, guidance and scheduler) and print both times, their"
              + " ratio, the region's share of the image and the crop's working size.")
  boolean compareFull;

  @Option(
      names = "--grounding-model",
      paramLabel = "PATH",
      description = "CLIPSeg folder for --local-edit.")
  Path groundingModel;

  @Option(
      names = "--instruction",
      paramLabel = "TEXT",
      defaultValue = "change the red box to a green box, keep everything else unchanged",
      description = "The --local-edit instruction. Default: ${DEFAULT-VALUE}.")
  String instruction;

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "The --local-edit input image. Default: a generated test card of --size.")
  Path input;

  @Option(
      names = "--grounding-threshold",
      paramLabel = "P",
      defaultValue = "0.4",
      description = "The --local-edit grounding threshold. Default: ${DEFAULT-VALUE}.")
  double groundingThreshold;

  @Option(
      names = "--png-levels",
      description = "After --local-edit, encode the last result at every deflate level.")
  boolean pngLevels;

  @Option(
      names = "--working-side",
      paramLabel = "PX",
      description = "The --local-edit crop's longer side for the engine. Default: the model's.")
  Integer workingSide;

  @Mixin ModelOptions modelOptions;
  @Mixin SamplingOptions samplingOptions;

  /**
   * The scheduler as the user named it ({@code euler_trailing}); for {@code default}, also the name
   * of the one the model folder picks. Asking the engine first fails early on an unknown name.
   */
  private static String schedulerName(OnnxEngine engine, String name) {
    Scheduler scheduler = engine.scheduler(name);
    return name.equals("default") ? "default (" + Schedulers.nameOf(scheduler) + ")" : name;
  }

  @Override
  public Integer call() throws IOException {
    if (runs < 1 || warmup < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--runs must be >= 1 and --warmup >= 0 but were " + runs + " and " + warmup);
    }
    PrintWriter out = spec.commandLine().getOut();
    SamplingParams sampling = samplingOptions.params();
    if (sequential && sampling.n() < 2) {
      throw new ParameterException(
          spec.commandLine(), "--sequential needs -n above 1 but n was " + sampling.n());
    }
    if (localEdit) {
      return localEdit(out, sampling);
    }
    if (region != null || compareFull) {
      throw new ParameterException(
          spec.commandLine(),
          (region != null ? "--region" : "--compare-full") + " needs --local-edit");
    }
    long loadStart = System.nanoTime();
    try (OnnxEngine engine = modelOptions.load()) {
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      String loadPeak = peakRss() + ", then " + rss("VmRSS:");
      int side = engine.model().defaultImageSide();
      ImageSize imageSize;
      try {
        imageSize = size == null ? new ImageSize(side, side) : ImageSize.parse(size);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--size: " + e.getMessage());
      }
      out.printf(
          Locale.ROOT,
          "model %s loaded in %.2f s (peak RSS %s); %s, n=%d, steps=%d, guidance=%s,"
              + " scheduler=%s, threads=%d, %s%n",
          engine.model().name(),
          loadSeconds,
          loadPeak,
          imageSize,
          sampling.n(),
          sampling.steps(),
          sampling.guidanceScale(),
          schedulerName(engine, sampling.scheduler()),
          modelOptions.settings().intraOpThreads(),
          describe(modelOptions.settings()));
      boolean resetPeak = resetPeakRss();
      FloorRun floorRun = floor ? new FloorRun(new OrtFloor(engine.model())) : null;
      boolean guided =
          sampling.guidanceScale() > 1 && engine.model().unet().timestepCondDim().isEmpty();
      for (int i = 0; i < warmup; i++) {
        StageTimings t = new StageTimings();
        runOnce(engine, imageSize, sampling, "warmup " + i, t);
        if (floorRun != null) {
          floorRun.run(imageSize, sampling, guided, textEncoderCalls(t));
        }
      }
      List<Row> rows = new ArrayList<>();
      List<OrtFloor.Times> floors = new ArrayList<>();
      List<Double> singles = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        StageTimings t = new StageTimings();
        long start = System.nanoTime();
        runOnce(engine, imageSize, sampling, "run " + r, t);
        rows.add(new Row(r, (System.nanoTime() - start) / 1e9, t));
        if (floorRun != null) {
          floors.add(floorRun.run(imageSize, sampling, guided, textEncoderCalls(t)));
        }
        if (sequential) {
          long begin = System.nanoTime();
          for (int i = 0; i < sampling.n(); i++) {
            SamplingParams one = sampling.toBuilder().n(1).seed(sampling.seedOf(i)).build();
            runOnce(engine, imageSize, one, "run " + r, new StageTimings());
          }
          singles.add((System.nanoTime() - begin) / 1e9);
        }
      }
      report(out, rows, sampling, resetPeak);
      if (floorRun != null) {
        reportFloor(out, rows, floors);
      }
      if (sequential) {
        double[] batched = rows.stream().mapToDouble(Row::seconds).sorted().toArray();
        double[] apart = singles.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        out.printf(
            Locale.ROOT,
            "%d images in one call s: best %.4f p50 %.4f; as %d one-image calls: best %.4f p50"
                + " %.4f; ratio best %.3fx p50 %.3fx%n",
            sampling.n(),
            batched[0],
            percentile(batched, 50),
            sampling.n(),
            apart[0],
            percentile(apart, 50),
            batched[0] / apart[0],
            percentile(batched, 50) / percentile(apart, 50));
      }
      if (csv != null) {
        writeCsv(rows, sampling);
      }
    }
    out.flush();
    return 0;
  }

  private int localEdit(PrintWriter out, SamplingParams sampling) throws IOException {
    GivenRegion given = givenRegion();
    if (groundingModel == null && given == null) {
      throw new ParameterException(
          spec.commandLine(), "--local-edit needs --grounding-model or --region");
    }
    byte[] png;
    if (input != null) {
      png = Files.readAllBytes(input);
    } else {
      int[] wh = parseSize(size == null ? "1024x1024" : size);
      png = ImageCodec.encodePng(LocalEditBench.testCard(wh[0], wh[1]), java.util.Map.of());
    }
    ImageLimits limits = new ImageLimits(8192L * 8192L, 16384, 1L << 30);
    RgbImage decoded = ImageCodec.decode(png, limits);
    ImageSize inputSize = new ImageSize(decoded.width(), decoded.height());
    if (given != null) {
      try {
        given.checkInside(inputSize.width(), inputSize.height());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    try (OnnxEngine engine = modelOptions.load();
        GroundingOption grounding =
            given != null
                ? new GroundingOption(given.grounder(), null)
                : GroundingOption.load(groundingModel, modelOptions.settings())) {
      int side =
          workingSide != null ? workingSide : Math.max(64, engine.model().defaultImageSide());
      LocalEditor.Options d = LocalEditor.Options.DEFAULT;
      LocalEditor.Options options =
          new LocalEditor.Options(
              side,
              d.marginPx(),
              d.globalStrength(),
              d.dilatePx(),
              d.featherPx(),
              groundingThreshold);
      LocalEditBench bench =
          new LocalEditBench(engine, grounding.grounder(), options, instruction, sampling, out);
      FullRenderComparison full = null;
      if (compareFull) {
        try {
          full = new FullRenderComparison(engine, decoded, prompt, sampling);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), e.getMessage());
        }
      }
      decoded = null; // each run decodes its own copy, as a request does
      out.printf(
          Locale.ROOT,
          "local edit: model %s, input %s (%d KiB PNG), working side %d, steps %d, guidance %s,"
              + " scheduler %s, %s, max heap %d MiB; %s%n",
          engine.model().name(),
          inputSize,
          png.length / 1024,
          side,
          sampling.steps(),
          sampling.guidanceScale(),
          schedulerName(engine, sampling.scheduler()),
          given != null
              ? "grounding given: --region " + given + " (no grounding model run)"
              : "grounding threshold " + groundingThreshold,
          Runtime.getRuntime().maxMemory() >> 20,
          describe(modelOptions.settings()));
      List<LocalEditBench.Row> rows = new ArrayList<>();
      List<FullRenderComparison.Row> fulls = new ArrayList<>();
      for (int i = -warmup; i < runs; i++) {
        LocalEditBench.Row row = bench.run(i, png, limits);
        FullRenderComparison.Row fullRow = full == null ? null : full.run(i);
        if (i >= 0) {
          rows.add(row);
          if (fullRow != null) {
            fulls.add(fullRow);
          }
        }
      }
      bench.report(rows);
      if (full != null) {
        double share =
            given != null
                ? given.share(inputSize.width(), inputSize.height())
                : bench.lastRegionShare();
        full.report(
            out,
            rows,
            fulls,
            share,
            bench.lastBox() + " scaled to " + bench.lastWorkingSize(),
            bench.lastStages());
      }
      if (pngLevels) {
        bench.pngLevels();
      }
      if (csv != null) {
        LocalEditBench.writeCsv(csv, rows);
      }
    }
    out.flush();
    return 0;
  }

  /** The parsed {@code --region}, or null when not given. */
  private GivenRegion givenRegion() {
    if (region == null) {
      return null;
    }
    try {
      return GivenRegion.parse(region);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private int[] parseSize(String s) {
    String[] parts = s.toLowerCase(Locale.ROOT).split("x");
    try {
      if (parts.length == 2) {
        int w = Integer.parseInt(parts[0]);
        int h = Integer.parseInt(parts[1]);
        if (w >= 16 && h >= 16) {
          return new int[] {w, h};
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ParameterException(
        spec.commandLine(), "--size must be WxH with sides of at least 16 but was '" + s + "'");
  }

  private void runOnce(
      OnnxEngine engine, ImageSize s, SamplingParams sampling, String tag, StageTimings t) {
    String text = cachePrompts ? prompt : prompt + " (" + tag + ")";
    RunContext ctx =
        new RunContext(ProgressListener.NONE, CancellationToken.none(), t, LatentObserver.NONE);
    engine.generate(new GenerationRequest(text, s, sampling), ctx);
  }

  private record Row(int run, double seconds, StageTimings timings) {
    double ms(String stage) {
      return timings.totals().getOrDefault(stage, 0L) / 1e6;
    }

    long count(String stage) {
      return timings.counts().getOrDefault(stage, 0L);
    }

    double perCallMs(String stage) {
      long c = count(stage);
      return c == 0 ? 0 : ms(stage) / c;
    }
  }

  /** The floor of one request of this bench: its size, n and steps. */
  private record FloorRun(OrtFloor floor) {
    OrtFloor.Times run(ImageSize s, SamplingParams p, boolean guided, int textEncoderCalls) {
      return floor.run(s.width(), s.height(), p.n(), p.steps(), guided, textEncoderCalls);
    }
  }

  private static int textEncoderCalls(StageTimings t) {
    return (int) (long) t.counts().getOrDefault(StageTimings.TEXT_ENCODER, 0L);
  }

  /** The memory-relevant session settings, as the flags that set them. */
  static String describe(OrtSettings s) {
    return String.format(
        Locale.ROOT,
        "max-unet-batch=%d, memory-pattern=%s, cpu-arena=%s",
        s.maxUnetBatch(),
        s.memoryPattern() ? "on" : "off",
        s.cpuArena().flag());
  }

  private static void report(
      PrintWriter out, List<Row> rows, SamplingParams sampling, boolean peakWasReset) {
    double[] perImage =
        rows.stream().mapToDouble(r -> r.seconds() / sampling.n()).sorted().toArray();
    double meanRun = rows.stream().mapToDouble(Row::seconds).average().orElse(0);
    out.printf(
        Locale.ROOT,
        "seconds per image: p50 %.4f  p95 %.4f   images/s %.3f   peak RSS %s %s; RSS now %s%n",
        percentile(perImage, 50),
        percentile(perImage, 95),
        sampling.n() / meanRun,
        peakRss(),
        peakWasReset ? "(runs only)" : "(load and runs)",
        rss("VmRSS:"));
    out.println(
        "run  wall_s   tokenize_ms  text_encoder_ms  unet_ms/step  java_ms/step  vae_decode_ms");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          "%-4d %-8.4f %-12.3f %-16.3f %-13.3f %-13.4f %.3f%n",
          r.run(),
          r.seconds(),
          r.ms(StageTimings.TOKENIZE),
          r.ms(StageTimings.TEXT_ENCODER),
          r.perCallMs(StageTimings.UNET),
          r.perCallMs(StageTimings.STEP_JAVA),
          r.ms(StageTimings.VAE_DECODER));
    }
    double[] javaSteps =
        rows.stream()
            .flatMap(r -> r.timings().calls(StageTimings.STEP_JAVA).stream())
            .mapToDouble(n -> n / 1e6)
            .sorted()
            .toArray();
    double[] unetSteps =
        rows.stream()
            .flatMap(r -> r.timings().calls(StageTimings.UNET).stream())
            .mapToDouble(n -> n / 1e6)
            .sorted()
            .toArray();
    out.printf(
        Locale.ROOT,
        "per step over all runs (ms): unet p50 %.3f p95 %.3f; java outside ONNX Runtime p50 %.3f"
            + " p95 %.3f%n",
        percentile(unetSteps, 50),
        percentile(unetSteps, 95),
        percentile(javaSteps, 50),
        percentile(javaSteps, 95));
    Row last = rows.get(rows.size() - 1);
    out.println("last run, each step (ms):");
    out.println("  unet      " + millis(last.timings().calls(StageTimings.UNET)));
    out.println("  step_java " + millis(last.timings().calls(StageTimings.STEP_JAVA)));
  }

  /**
   * Atelier's runs against the floor runs made right after each: best against best and median
   * against median, so neither a slow outlier nor a lucky floor run decides the ratio.
   */
  private static void reportFloor(PrintWriter out, List<Row> rows, List<OrtFloor.Times> floors) {
    double[] atelier = rows.stream().mapToDouble(Row::seconds).sorted().toArray();
    double[] raw = floors.stream().mapToDouble(f -> f.totalNanos() / 1e9).sorted().toArray();
    out.printf(
        Locale.ROOT,
        "floor (ONNX Runtime calls only) s per run: best %.4f p50 %.4f; atelier best %.4f p50"
            + " %.4f; ratio best %.3fx p50 %.3fx%n",
        raw[0],
        percentile(raw, 50),
        atelier[0],
        percentile(atelier, 50),
        atelier[0] / raw[0],
        percentile(atelier, 50) / percentile(raw, 50));
    out.println("floor run  text_encoder_ms  unet_ms  vae_decode_ms  total_s");
    for (int i = 0; i < floors.size(); i++) {
      OrtFloor.Times f = floors.get(i);
      out.printf(
          Locale.ROOT,
          "%-10d %-16.3f %-8.1f %-14.1f %.4f%n",
          i,
          f.textEncoderNanos() / 1e6,
          f.unetNanos() / 1e6,
          f.vaeDecoderNanos() / 1e6,
          f.totalNanos() / 1e9);
    }
  }

  private static String millis(List<Long> nanos) {
    StringBuilder sb = new StringBuilder();
    for (long n : nanos) {
      sb.append(String.format(Locale.ROOT, "%.3f ", n / 1e6));
    }
    return sb.toString().trim();
  }

  private void writeCsv(List<Row> rows, SamplingParams sampling) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "run,n,steps,wall_s,per_image_s,tokenize_ms,text_encoder_ms,unet_ms_per_step,"
                + "java_ms_per_step,vae_decoder_ms\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%d,%d,%d,%.6f,%.6f,%.4f,%.4f,%.4f,%.5f,%.4f%n",
              r.run(),
              sampling.n(),
              sampling.steps(),
              r.seconds(),
              r.seconds() / sampling.n(),
              r.ms(StageTimings.TOKENIZE),
              r.ms(StageTimings.TEXT_ENCODER),
              r.perCallMs(StageTimings.UNET),
              r.perCallMs(StageTimings.STEP_JAVA),
              r.ms(StageTimings.VAE_DECODER)));
    }
    Files.writeString(csv, sb.toString());
  }

  static double percentile(double[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  /** Peak resident set size from /proc/self/status (Linux), else "n/a". */
  static String peakRss() {
    return rss("VmHWM:");
  }

  /**
   * Resets the kernel's peak RSS of this process (Linux: {@code 5} into {@code
   * /proc/self/clear_refs}), so that the next {@link #peakRss()} covers only what follows.
   *
   * @return false where the kernel does not allow it (the peak then includes the load)
   */
  static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A size line of /proc/self/status ({@code VmHWM:}, {@code VmRSS:}) in MiB, else "n/a". */
  static String rss(String field) {
    Path status = Path.of("/proc/self/status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          return String.format(Locale.ROOT, "%.1f MiB", Long.parseLong(parts[0]) / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
    return "n/a";
  }
}
