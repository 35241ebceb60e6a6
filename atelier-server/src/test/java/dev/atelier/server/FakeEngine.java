package dev.atelier.server;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.StepProgress;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A working in-memory engine for server tests: generation paints a flat colour derived from the
 * prompt and seed; inpainting repaints exactly the masked pixels; image-to-image and instruction
 * edits shift every pixel. Deterministic, so tests can assert pixels.
 *
 * <p>Like the local engine it reports every step ({@code steps} of them) with a low-resolution
 * preview of image 0 (an eighth of each side, its final colour faded in step by step) and checks
 * the cancellation token before each step. Tests can make it fail at a step ({@link #failAtStep})
 * or keep reporting one step until it is cancelled ({@link #holdAtStep}), as a slow engine would.
 */
public final class FakeEngine implements Engine {
  /** How many times the engine ran (generations and edits). */
  public final AtomicInteger calls = new AtomicInteger();

  /** A step (1-based) at which the engine throws an engine failure; 0 for none. */
  volatile int failAtStep;

  /** A step at which the engine keeps reporting progress until cancelled; 0 for none. */
  volatile int holdAtStep;

  /**
   * When set, a run waits after step {@link #stepGateAt} until this latch is counted down (or the
   * run is cancelled), so a test can look at a running job for as long as it needs.
   */
  volatile CountDownLatch stepGate;

  /** The step after which a run waits for {@link #stepGate}. */
  volatile int stepGateAt;

  /** How long each step takes (a slow engine of controlled duration); 0 for no wait. */
  public volatile long stepMillis;

  /** Steps the engine ran, over all calls (to count where a cancel stopped it). */
  public final AtomicInteger stepsRun = new AtomicInteger();

  /** When set, each generation waits for it to open (tests that hold requests running). */
  volatile CountDownLatch gate;

  /** Released once per generation that reached {@link #gate}. */
  final java.util.concurrent.Semaphore atGate = new java.util.concurrent.Semaphore(0);

  /** Counted down when the engine stopped because its token was cancelled. */
  final CountDownLatch cancelled = new CountDownLatch(1);

  final List<String> prompts = new ArrayList<>();

  /** Every generation request, in order. */
  public final List<GenerationRequest> generations = new ArrayList<>();

  /** Seeds whose image copies the image of {@link #duplicateOf} (near-duplicates on purpose). */
  volatile java.util.Set<Long> duplicateSeeds = java.util.Set.of();

  volatile long duplicateOf = -1;
  final List<List<dev.atelier.core.Reference>> references = new ArrayList<>();

  @Override
  public String name() {
    return "fake";
  }

  /** A fake tokenizer: one token per whitespace-separated word. */
  @Override
  public java.util.OptionalInt promptTokens(String prompt) {
    return java.util.OptionalInt.of(prompt.isBlank() ? 0 : prompt.trim().split("\\s+").length);
  }

  static int colour(String prompt, long seed) {
    return (prompt.hashCode() * 31 + (int) seed) & 0xffffff;
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest r, ProgressListener progress, CancellationToken cancel) {
    calls.incrementAndGet();
    synchronized (prompts) {
      prompts.add(r.prompt());
      references.add(r.references());
      generations.add(r);
    }
    CountDownLatch g = gate;
    if (g != null) {
      atGate.release();
      try {
        if (!g.await(30, TimeUnit.SECONDS)) {
          throw new AtelierException.EngineFailure("the gate never opened", null);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AtelierException.EngineFailure("interrupted at the gate", e);
      }
    }
    SamplingParams s = r.sampling();
    RgbImage first = flat(r.size().width(), r.size().height(), colour(r.prompt(), s.seedOf(0)));
    steps(s.steps(), first, progress, cancel);
    List<GeneratedImage> out = new ArrayList<>();
    for (int i = 0; i < s.n(); i++) {
      String prompt = r.promptOf(i);
      long look = duplicateSeeds.contains(s.seedOf(i)) ? duplicateOf : s.seedOf(i);
      int c = colour(prompt, look);
      out.add(
          new GeneratedImage(
              pattern(r.size().width(), r.size().height(), c, prompt.hashCode() ^ look),
              s.seedOf(i),
              params(prompt, s, i, "text-to-image", r.size().toString())));
    }
    return out;
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest r, ProgressListener progress, CancellationToken cancel) {
    calls.incrementAndGet();
    synchronized (prompts) {
      prompts.add(r.prompt());
      references.add(r.references());
    }
    SamplingParams s = r.sampling();
    steps(s.steps(), r.image(), progress, cancel);
    List<GeneratedImage> out = new ArrayList<>();
    for (int i = 0; i < s.n(); i++) {
      byte[] rgb = r.image().rgb().clone();
      int c = colour(r.prompt(), s.seedOf(i));
      String mode;
      if (r.mode() instanceof EditMode.Inpaint(var mask)) {
        mode = "inpaint";
        for (int p = 0; p < mask.values().length; p++) {
          if (mask.values()[p] >= 0.5f) {
            rgb[p * 3] = (byte) (c >> 16);
            rgb[p * 3 + 1] = (byte) (c >> 8);
            rgb[p * 3 + 2] = (byte) c;
          }
        }
      } else {
        mode = r.mode() instanceof EditMode.Instruct ? "instruct-pix2pix" : "image-to-image";
        for (int p = 0; p < rgb.length; p++) {
          rgb[p] = (byte) (rgb[p] + 17 + i);
        }
      }
      out.add(
          new GeneratedImage(
              new RgbImage(r.image().width(), r.image().height(), rgb),
              s.seedOf(i),
              params(r.prompt(), s, i, mode, r.image().width() + "x" + r.image().height())));
    }
    return out;
  }

  /**
   * The prompt's colour with a 4x4 grid of cells, each kept or inverted by a bit of {@code key}
   * (the top-left cell always kept), so images of different seeds are far apart in perceptual hash,
   * as real variations are.
   */
  static RgbImage pattern(int w, int h, int c, long key) {
    long bits = new java.util.Random(key).nextLong() & ~1L;
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int cell = (y * 4 / h) * 4 + x * 4 / w;
        int v = ((bits >>> cell) & 1) == 0 ? c : c ^ 0xffffff;
        int p = y * w + x;
        rgb[p * 3] = (byte) (v >> 16);
        rgb[p * 3 + 1] = (byte) (v >> 8);
        rgb[p * 3 + 2] = (byte) v;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  static RgbImage flat(int w, int h, int c) {
    byte[] rgb = new byte[w * h * 3];
    for (int p = 0; p < w * h; p++) {
      rgb[p * 3] = (byte) (c >> 16);
      rgb[p * 3 + 1] = (byte) (c >> 8);
      rgb[p * 3 + 2] = (byte) c;
    }
    return new RgbImage(w, h, rgb);
  }

  /** Reports {@code total} steps with previews of {@code target} faded in, honouring the token. */
  private void steps(
      int total, RgbImage target, ProgressListener progress, CancellationToken cancel) {
    for (int step = 1; step <= total; step++) {
      stopIfCancelled(cancel, step);
      if (step == failAtStep) {
        throw new AtelierException.EngineFailure("fake failure at step " + step, null);
      }
      if (stepMillis > 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(stepMillis));
      }
      stepsRun.incrementAndGet();
      int at = step;
      progress.onStep(new StepProgress(step, total, () -> Optional.of(preview(target, at, total))));
      CountDownLatch g = stepGate;
      if (g != null && step == stepGateAt) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cancel.isCancelled() && g.getCount() > 0) {
          if (System.nanoTime() > deadline) {
            throw new AtelierException.EngineFailure(
                "gated at step " + step + " but never released", null);
          }
          try {
            g.await(2, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AtelierException.EngineFailure("interrupted at step " + step, e);
          }
        }
        stopIfCancelled(cancel, step);
      }
      if (step == holdAtStep) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cancel.isCancelled()) {
          if (System.nanoTime() > deadline) {
            throw new AtelierException.EngineFailure(
                "held at step " + step + " but never cancelled", null);
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
          progress.onStep(new StepProgress(step, total, Optional::empty));
        }
        stopIfCancelled(cancel, step);
      }
    }
  }

  private void stopIfCancelled(CancellationToken cancel, int step) {
    if (cancel.isCancelled()) {
      cancelled.countDown();
      cancel.throwIfCancelled("at step " + step);
    }
  }

  /** An eighth-size preview of {@code target}: its top-left pixel's colour scaled by step/total. */
  static RgbImage preview(RgbImage target, int step, int total) {
    int w = Math.max(1, target.width() / 8);
    int h = Math.max(1, target.height() / 8);
    int c = 0;
    for (int k = 0; k < 3; k++) {
      int v = (target.rgb()[k] & 0xff) * step / total;
      c = (c << 8) | v;
    }
    return flat(w, h, c);
  }

  // The same fields as OnnxEngine's provenance, so that PNG metadata can be checked end to end.
  private static Map<String, String> params(
      String prompt, SamplingParams s, int i, String mode, String size) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("engine", "fake");
    m.put("model", "fake-model");
    m.put("prompt", prompt);
    if (!s.negativePrompt().isEmpty()) {
      m.put("negative_prompt", s.negativePrompt());
    }
    m.put("seed", Long.toString(s.seedOf(i)));
    m.put("steps", Integer.toString(s.steps()));
    m.put("scheduler", s.scheduler());
    m.put("guidance", Double.toString(s.guidanceScale()));
    m.put("size", size);
    m.put("mode", mode);
    return m;
  }

  @Override
  public void close() {}
}
