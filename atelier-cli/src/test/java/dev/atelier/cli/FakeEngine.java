package dev.atelier.cli;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.StepProgress;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A working in-memory engine for command tests against a real server: grey images, every step
 * reported and checked for cancellation, {@link #stepMillis} per step, generations held at {@link
 * #gate} until it opens, and a failure at the first step for the prompt {@code fail}.
 */
final class FakeEngine implements Engine {
  /** How long each step takes. */
  volatile long stepMillis;

  /** Each generation waits for this to open before its first step. */
  final CountDownLatch gate = new CountDownLatch(1);

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest r, ProgressListener progress, CancellationToken cancel) {
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new AtelierException.EngineFailure("the gate never opened", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AtelierException.EngineFailure("interrupted at the gate", e);
    }
    int steps = r.sampling().steps();
    for (int step = 1; step <= steps; step++) {
      cancel.throwIfCancelled("at step " + step);
      if (r.prompt().equals("fail")) {
        throw new AtelierException.EngineFailure("fake failure at step " + step, null);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(stepMillis));
      progress.onStep(new StepProgress(step, steps, Optional::empty));
    }
    List<GeneratedImage> out = new ArrayList<>();
    for (int i = 0; i < r.sampling().n(); i++) {
      int w = r.size().width();
      int h = r.size().height();
      byte[] rgb = new byte[w * h * 3];
      java.util.Arrays.fill(rgb, (byte) 128);
      out.add(
          new GeneratedImage(
              new RgbImage(w, h, rgb),
              r.sampling().seedOf(i),
              Map.of("engine", "fake", "prompt", r.promptOf(i))));
    }
    return out;
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel) {
    throw new AtelierException.InvalidRequest("image", "the fake engine does not edit");
  }

  @Override
  public void close() {}
}
