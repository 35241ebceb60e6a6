package dev.atelier.cli;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.edit.Region;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.PngMetadata;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.onnx.pipeline.LatentObserver;
import dev.atelier.engine.onnx.pipeline.RunContext;
import dev.atelier.engine.onnx.pipeline.StageTimings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code atelier bench --local-edit}: one plain-words local edit at a given input size, as the
 * server serves it, split into the stages that run outside the engine.
 *
 * <p>Per run: decode the uploaded PNG, ground the target, run the editor (crop, resize, engine,
 * resize back, composite, fidelity report), encode the result as the server stores it (PNG with
 * provenance text), encode the region mask as the server stores it, and base64 the PNG as a {@code
 * b64_json} answer does. The floor, measured in the same run, is a plain decode and encode of the
 * same input; the engine's own time is the other reference. Memory: {@link MemoryProbe}'s figures,
 * reset before each run.
 */
final class LocalEditBench {
  private final OnnxEngine engine;
  private final Grounder grounder;
  private final LocalEditor.Options options;
  private final String instruction;
  private final SamplingParams sampling;
  private final PrintWriter out;

  LocalEditBench(
      OnnxEngine engine,
      Grounder grounder,
      LocalEditor.Options options,
      String instruction,
      SamplingParams sampling,
      PrintWriter out) {
    this.engine = engine;
    this.grounder = grounder;
    this.options = options;
    this.instruction = instruction;
    this.sampling = sampling;
    this.out = out;
  }

  /** One run's figures, milliseconds unless named otherwise. */
  record Row(
      int run,
      double floorMs,
      double decodeMs,
      double groundMs,
      double engineMs,
      double editorMs,
      double encodeMs,
      double maskMs,
      double base64Ms,
      double totalMs,
      long inputBytes,
      long pngBytes,
      long maskBytes,
      double allocatedMiB,
      double liveAfterGcMiB,
      double heapPeakMiB,
      double rssPeakMiB) {

    /** The request's own work: decode through base64, without the floor. */
    double outsideEngineMs() {
      return totalMs - engineMs;
    }
  }

  /**
   * A deterministic test card: smooth gradients with a few flat shapes, which compress as an
   * illustration or a clean render does (a photo compresses less and encodes slower).
   */
  static RgbImage testCard(int w, int h) {
    byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        int r = x * 255 / Math.max(1, w - 1);
        int g = y * 255 / Math.max(1, h - 1);
        int b = 128;
        if (x > w / 5 && x < w / 2 && y > h / 3 && y < 2 * h / 3) {
          r = 200;
          g = 30;
          b = 40;
        } else if ((x - 3 * w / 4) * (x - 3 * w / 4) + (y - h / 2) * (y - h / 2) < h * h / 25) {
          r = 20;
          g = 60;
          b = 200;
        }
        rgb[i] = (byte) r;
        rgb[i + 1] = (byte) g;
        rgb[i + 2] = (byte) b;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  private RgbImage lastResult;
  private String lastFidelity = "";
  private String lastBox = "";
  private double lastRegionShare;
  private EditRequest lastRequest;
  private StageTimings lastStages = new StageTimings();

  /** The last run's crop as the engine got it ({@code 512x496}), or "" before the first run. */
  String lastWorkingSize() {
    return lastRequest == null
        ? ""
        : lastRequest.image().width() + "x" + lastRequest.image().height();
  }

  /** The last run's crop box in the input ({@code x,y,WxH}), or "" before the first run. */
  String lastBox() {
    return lastBox;
  }

  /** The last run's hard region's share of the input's area, 0..1. */
  double lastRegionShare() {
    return lastRegionShare;
  }

  /** The engine's stage times of the last run (text encoder, VAE encoder, UNet, VAE decoder). */
  StageTimings lastStages() {
    return lastStages;
  }

  /**
   * Encodes the last run's result at every deflate level and with ImageIO's PNG writer at its
   * defaults (what {@code ImageCodec.encodePng} used before), best of three each: size against
   * time.
   */
  void pngLevels() throws IOException {
    RgbImage image = lastResult;
    out.println("png encoder    ms (best of 3)  KiB");
    for (int level = -1; level <= 9; level++) {
      double best = Double.MAX_VALUE;
      long size = 0;
      for (int k = 0; k < 3; k++) {
        long t = System.nanoTime();
        size =
            level < 0
                ? imageIoPng(image).length
                : ImageCodec.encodePng(image, Map.of(), level).length;
        best = Math.min(best, ms(t));
      }
      out.printf(
          Locale.ROOT,
          "%-14s %-15.0f %d%n",
          level < 0 ? "ImageIO" : "level " + level,
          best,
          size / 1024);
    }
  }

  private static byte[] imageIoPng(RgbImage image) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image.toBufferedImage(), "png", bytes);
    return bytes.toByteArray();
  }

  Row run(int index, byte[] inputPng, ImageLimits limits) {
    MemoryProbe.reset();
    long t0 = System.nanoTime();
    RgbImage floorImage = ImageCodec.decode(inputPng, limits);
    ImageCodec.encodePng(floorImage, Map.of());
    double floorMs = ms(t0);
    floorImage = null;
    MemoryProbe.reset();

    long allocated0 = MemoryProbe.allocatedBytes();
    long start = System.nanoTime();
    RgbImage image = ImageCodec.decode(inputPng, limits);
    double decodeMs = ms(start);
    TimedEngine timedEngine = new TimedEngine(engine);
    TimedGrounder timedGrounder = new TimedGrounder(grounder);
    LocalEditor editor = new LocalEditor(timedEngine, new EditPlanner(), timedGrounder);
    long e0 = System.nanoTime();
    LocalEditor.Outcome outcome =
        editor.edit(
            image,
            instruction,
            null,
            sampling,
            options,
            List.of(),
            ProgressListener.NONE,
            CancellationToken.none());
    double editMs = ms(e0);
    GeneratedImage g = outcome.images().get(0);
    lastResult = g.image();
    lastFidelity = outcome.reports().get(0).toJson();
    lastBox = g.parameters().getOrDefault("region_box", "");
    lastRegionShare = outcome.hardRegion().coverage();
    lastRequest = timedEngine.request;
    lastStages = timedEngine.timings;
    long c0 = System.nanoTime();
    Map<String, String> provenance = new LinkedHashMap<>(g.parameters());
    provenance.put("fidelity", outcome.reports().get(0).toJson());
    byte[] png = ImageCodec.encodePng(g.image(), PngMetadata.textChunks(provenance));
    double encodeMs = ms(c0);
    long m0 = System.nanoTime();
    byte[] maskPng =
        ImageCodec.encodeMaskPng(
            outcome.region(), Map.of("kind", "mask", "convention", "white = edit"));
    double maskMs = ms(m0);
    long b0 = System.nanoTime();
    String b64 = Base64.getEncoder().encodeToString(png);
    double base64Ms = ms(b0);
    double totalMs = ms(start);
    double allocatedMiB = (MemoryProbe.allocatedBytes() - allocated0) / (1024.0 * 1024.0);
    if (b64.isEmpty()) {
      throw new IllegalStateException("empty answer");
    }
    double engineMs = timedEngine.nanos / 1e6;
    double groundMs = timedGrounder.nanos / 1e6;
    return new Row(
        index,
        floorMs,
        decodeMs,
        groundMs,
        engineMs,
        editMs - engineMs - groundMs,
        encodeMs,
        maskMs,
        base64Ms,
        totalMs,
        inputPng.length,
        png.length,
        maskPng.length,
        allocatedMiB,
        MemoryProbe.liveAfterGcMiB(),
        MemoryProbe.heapPeakMiB(),
        MemoryProbe.rssPeakMiB());
  }

  void report(List<Row> rows) {
    out.println("last run's fidelity report: " + lastFidelity);
    out.println(
        "run  floor_ms decode_ms ground_ms engine_ms editor_ms encode_ms mask_ms b64_ms total_ms"
            + "  png_KiB mask_KiB alloc_MiB live_MiB heap_MiB rss_MiB");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          "%-4d %-8.0f %-9.0f %-9.0f %-9.0f %-9.0f %-9.0f %-7.0f %-6.0f %-9.0f %-8.0f %-8.0f %-9.0f"
              + " %-8.0f %-8.0f %.0f%n",
          r.run(),
          r.floorMs(),
          r.decodeMs(),
          r.groundMs(),
          r.engineMs(),
          r.editorMs(),
          r.encodeMs(),
          r.maskMs(),
          r.base64Ms(),
          r.totalMs(),
          r.pngBytes() / 1024.0,
          r.maskBytes() / 1024.0,
          r.allocatedMiB(),
          r.liveAfterGcMiB(),
          r.heapPeakMiB(),
          r.rssPeakMiB());
    }
    Row best = rows.stream().min((a, b) -> Double.compare(a.totalMs(), b.totalMs())).orElseThrow();
    double heap = rows.stream().mapToDouble(Row::heapPeakMiB).max().orElse(0);
    double live = rows.stream().mapToDouble(Row::liveAfterGcMiB).max().orElse(0);
    double alloc = rows.stream().mapToDouble(Row::allocatedMiB).max().orElse(0);
    double rss = rows.stream().mapToDouble(Row::rssPeakMiB).max().orElse(0);
    out.printf(
        Locale.ROOT,
        "best run: %.2f s = %.2fx the floor (decode+encode %.0f ms), %.2fx the engine (%.0f ms);"
            + " outside the engine %.0f ms; input %d KiB, stored PNG %d KiB%n",
        best.totalMs() / 1000,
        best.totalMs() / best.floorMs(),
        best.floorMs(),
        best.totalMs() / best.engineMs(),
        best.engineMs(),
        best.outsideEngineMs(),
        best.inputBytes() / 1024,
        best.pngBytes() / 1024);
    out.printf(
        Locale.ROOT,
        "worst run: allocated %.0f MiB, heap after GC at most %.0f MiB, heap peak %.0f MiB, peak"
            + " RSS %.0f MiB (%s); heap in use before a run, after a full GC: %.0f MiB%n",
        alloc,
        live,
        heap,
        rss,
        MemoryProbe.rssResettable() ? "VmHWM reset before each run" : "VmHWM since start",
        MemoryProbe.baselineHeapMiB());
  }

  static void writeCsv(Path csv, List<Row> rows) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "run,floor_ms,decode_ms,ground_ms,engine_ms,editor_ms,encode_ms,mask_ms,base64_ms,"
                + "total_ms,input_bytes,png_bytes,mask_bytes,allocated_mib,live_after_gc_mib,"
                + "heap_peak_mib,rss_peak_mib\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%d,%d,%d,%.1f,%.1f,%.1f,%.1f%n",
              r.run(),
              r.floorMs(),
              r.decodeMs(),
              r.groundMs(),
              r.engineMs(),
              r.editorMs(),
              r.encodeMs(),
              r.maskMs(),
              r.base64Ms(),
              r.totalMs(),
              r.inputBytes(),
              r.pngBytes(),
              r.maskBytes(),
              r.allocatedMiB(),
              r.liveAfterGcMiB(),
              r.heapPeakMiB(),
              r.rssPeakMiB()));
    }
    Files.writeString(csv, sb.toString());
  }

  private static double ms(long start) {
    return (System.nanoTime() - start) / 1e6;
  }

  /**
   * Delegates to an engine and adds up the time its edits take, keeping the last request and the
   * engine's own stage times (the same call the server makes, with timings it can read).
   */
  private static final class TimedEngine implements Engine {
    private final OnnxEngine delegate;
    private final StageTimings timings = new StageTimings();
    private EditRequest request;
    long nanos;

    TimedEngine(OnnxEngine delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public List<GeneratedImage> generate(
        GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
      return delegate.generate(request, progress, cancel);
    }

    @Override
    public List<GeneratedImage> edit(
        EditRequest request, ProgressListener progress, CancellationToken cancel) {
      this.request = request;
      long t = System.nanoTime();
      try {
        return new ArrayList<>(
            delegate.edit(request, new RunContext(progress, cancel, timings, LatentObserver.NONE)));
      } finally {
        nanos += System.nanoTime() - t;
      }
    }

    @Override
    public void close() {}
  }

  /** Delegates to a grounder and adds up the time its lookups take. */
  private static final class TimedGrounder implements Grounder {
    private final Grounder delegate;
    long nanos;

    TimedGrounder(Grounder delegate) {
      this.delegate = delegate;
    }

    @Override
    public Region locate(RgbImage image, GroundingQuery query) {
      long t = System.nanoTime();
      try {
        return delegate.locate(image, query);
      } finally {
        nanos += System.nanoTime() - t;
      }
    }
  }
}
