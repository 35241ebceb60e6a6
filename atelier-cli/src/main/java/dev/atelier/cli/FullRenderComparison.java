package dev.atelier.cli;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.onnx.model.ModelKind;
import dev.atelier.engine.onnx.pipeline.LatentObserver;
import dev.atelier.engine.onnx.pipeline.RunContext;
import dev.atelier.engine.onnx.pipeline.StageTimings;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --local-edit --compare-full}: regenerating the whole image instead of editing a
 * region, timed next to the local edit.
 *
 * <p>A full render is the model's own pipeline at the input's size with the edit's steps, guidance
 * and scheduler: what a user without a local edit would run to change the region. That is
 * text-to-image for a plain (4-channel) model and, for an inpainting model, which has no
 * text-to-image, inpainting of the input with the whole image masked. Runs alternate with the local
 * edit's, so both see the same load on a shared machine; the ratio is best against best and median
 * against median.
 */
final class FullRenderComparison {
  private final OnnxEngine engine;
  private final RgbImage input;
  private final ImageSize size;
  private final String prompt;
  private final SamplingParams sampling;

  /** One full render: wall seconds, the engine's stage times and the peak RSS during it. */
  record Row(int run, double seconds, StageTimings timings, double rssPeakMiB) {}

  /**
   * Prepares the comparison.
   *
   * @throws IllegalArgumentException for an InstructPix2Pix model, which cannot render the whole
   *     image from a prompt
   */
  FullRenderComparison(OnnxEngine engine, RgbImage input, String prompt, SamplingParams sampling) {
    if (engine.model().kind() == ModelKind.INSTRUCT_PIX2PIX) {
      throw new IllegalArgumentException(
          "--compare-full needs a text-to-image or inpainting model but "
              + engine.model().name()
              + " is InstructPix2Pix");
    }
    this.engine = engine;
    this.input = input;
    this.size = new ImageSize(input.width(), input.height());
    this.prompt = prompt;
    this.sampling = sampling;
  }

  /** Renders the whole image once; the peak RSS is reset first where Linux allows it. */
  Row run(int index) {
    MemoryProbe.reset();
    StageTimings t = new StageTimings();
    long start = System.nanoTime();
    RunContext ctx =
        new RunContext(ProgressListener.NONE, CancellationToken.none(), t, LatentObserver.NONE);
    if (engine.model().kind() == ModelKind.TEXT_TO_IMAGE) {
      engine.generate(new GenerationRequest(prompt, size, sampling), ctx);
    } else {
      float[] all = new float[size.width() * size.height()];
      Arrays.fill(all, 1f);
      Mask whole = new Mask(size.width(), size.height(), all);
      engine.edit(new EditRequest(prompt, input, new EditMode.Inpaint(whole), sampling), ctx);
    }
    return new Row(index, (System.nanoTime() - start) / 1e9, t, MemoryProbe.rssPeakMiB());
  }

  /** The pipeline a full render runs, in words. */
  String pipeline() {
    return engine.model().kind() == ModelKind.TEXT_TO_IMAGE
        ? "text-to-image"
        : "inpainting with the whole image masked";
  }

  /**
   * Prints both times, their ratio, the region's share of the image and the crop's working size.
   *
   * @param edits the local edit's runs, one per full render
   * @param regionShare the grounded region's share of the input's area, 0..1
   * @param crop the crop's box in the input and its size as the engine got it
   * @param editStages the last local edit's engine stages
   */
  void report(
      PrintWriter out,
      List<LocalEditBench.Row> edits,
      List<Row> fulls,
      double regionShare,
      String crop,
      StageTimings editStages) {
    double[] edit = edits.stream().mapToDouble(r -> r.totalMs() / 1000).sorted().toArray();
    double[] editEngine = edits.stream().mapToDouble(r -> r.engineMs() / 1000).sorted().toArray();
    double[] full = fulls.stream().mapToDouble(Row::seconds).sorted().toArray();
    double editP50 = BenchCommand.percentile(edit, 50);
    double fullP50 = BenchCommand.percentile(full, 50);
    out.println("full  wall_s    text_encoder_ms unet_ms/step  vae_decode_ms rss_MiB");
    for (Row r : fulls) {
      out.printf(
          Locale.ROOT,
          "%-5d %-9.3f %-15.0f %-13.0f %-14.0f %.0f%n",
          r.run(),
          r.seconds(),
          ms(r.timings(), StageTimings.TEXT_ENCODER),
          perCall(r.timings(), StageTimings.UNET),
          ms(r.timings(), StageTimings.VAE_DECODER),
          r.rssPeakMiB());
    }
    out.printf(
        Locale.ROOT,
        "local edit engine stages (last run, ms): text_encoder %.0f, vae_encoder %.0f, unet/step"
            + " %.0f, vae_decoder %.0f%n",
        ms(editStages, StageTimings.TEXT_ENCODER),
        ms(editStages, StageTimings.VAE_ENCODER),
        perCall(editStages, StageTimings.UNET),
        ms(editStages, StageTimings.VAE_DECODER));
    out.printf(
        Locale.ROOT,
        "compare full: region %.1f%% of the %s image, crop %s; local edit s: best %.3f"
            + " p50 %.3f (engine best %.3f); full render %s (%s) s: best %.3f p50 %.3f; local edit /"
            + " full render: best %.1f%% p50 %.1f%% (engine only, best %.1f%%); peak RSS: local"
            + " edit %.0f MiB, full render %.0f MiB%n",
        regionShare * 100,
        size,
        crop,
        edit[0],
        editP50,
        editEngine[0],
        size,
        pipeline(),
        full[0],
        fullP50,
        100 * edit[0] / full[0],
        100 * editP50 / fullP50,
        100 * editEngine[0] / full[0],
        edits.stream().mapToDouble(LocalEditBench.Row::rssPeakMiB).max().orElse(Double.NaN),
        fulls.stream().mapToDouble(Row::rssPeakMiB).max().orElse(Double.NaN));
  }

  private static double ms(StageTimings t, String stage) {
    return t.totals().getOrDefault(stage, 0L) / 1e6;
  }

  private static double perCall(StageTimings t, String stage) {
    long c = t.counts().getOrDefault(stage, 0L);
    return c == 0 ? 0 : ms(t, stage) / c;
  }
}
