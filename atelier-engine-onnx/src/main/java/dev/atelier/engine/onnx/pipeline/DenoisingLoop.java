package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.StepProgress;
import dev.atelier.engine.onnx.model.UNet;
import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.Scheduler;

/**
 * The loop every pipeline shares: scale, assemble, run the UNet, combine, step, post-process,
 * report; for each timestep. Times ONNX Runtime's UNet run and all the Java work of the step around
 * it (scheduler, guidance, tensor assembly, copies in and out of ONNX Runtime) separately.
 */
final class DenoisingLoop {
  private DenoisingLoop() {}

  static float[] run(
      UNet unet,
      Scheduler scheduler,
      float[] timesteps,
      float[] latents,
      long[] shape,
      StepModel model,
      StepHook hook,
      NoiseSource noise,
      RunContext ctx) {
    float[] x = latents;
    for (int i = 0; i < timesteps.length; i++) {
      ctx.cancel().throwIfCancelled("before step " + (i + 1) + " of " + timesteps.length);
      float t = timesteps[i];
      long t0 = System.nanoTime();
      float[] scaled = scheduler.scaleModelInput(x, t);
      StepModel.UNetBatch batch = model.assemble(scaled, shape, t);
      long t1 = System.nanoTime();
      float[] raw =
          unet.predict(
              batch.sample(),
              batch.sampleShape(),
              t,
              batch.hidden(),
              batch.hiddenShape(),
              batch.extras(),
              ctx.cancel());
      long t2 = System.nanoTime();
      float[] prediction = model.combine(raw);
      x = scheduler.step(prediction, t, x, shape, noise);
      x = hook.afterStep(i, x);
      long t3 = System.nanoTime();
      long ortNanos = Math.min(unet.lastRunNanos(), t2 - t1);
      ctx.timings().add(StageTimings.UNET, ortNanos);
      ctx.timings().add(StageTimings.STEP_JAVA, (t3 - t0) - ortNanos);
      ctx.observer().afterStep(i, x, shape);
      float[] current = x;
      ctx.progress()
          .onStep(
              new StepProgress(i + 1, timesteps.length, () -> LatentPreview.of(current, shape)));
    }
    return x;
  }
}
