package dev.atelier.engine.onnx.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The floor of a text-to-image call: the ONNX Runtime calls the image needs, made directly on the
 * model's own sessions with inputs of the same shapes, and timed inside {@code OrtSession.run}
 * only.
 *
 * <p>It is what no pipeline on these sessions can beat: the text encoder (both towers for SDXL) as
 * often as the pipeline ran it (once per distinct prompt, plus the negative prompt unless cached),
 * the UNet once per step at the batch the pipeline uses (its rows split by {@link
 * OrtSettings#maxUnetBatch()} exactly as the pipeline's calls are), and the VAE decoder once per
 * image. {@code atelier bench --floor} runs it in alternation with the real pipeline, so the ratio
 * between the two holds on a noisy machine. Inputs are random and built before each timed call;
 * nothing is stored.
 */
public final class OrtFloor {
  private final StableDiffusionModel model;
  private final SplittableRandom random = new SplittableRandom(20_260_612);

  /** A floor over the sessions of {@code model}; the model stays owned by the caller. */
  public OrtFloor(StableDiffusionModel model) {
    this.model = model;
  }

  /**
   * The time per stage of one floor run.
   *
   * @param textEncoderNanos inside the text encoder's runs
   * @param unetNanos inside the UNet's runs, all steps
   * @param vaeDecoderNanos inside the VAE decoder's runs, all images
   */
  public record Times(long textEncoderNanos, long unetNanos, long vaeDecoderNanos) {
    /** The whole floor. */
    public long totalNanos() {
      return textEncoderNanos + unetNanos + vaeDecoderNanos;
    }
  }

  /**
   * Runs the calls of one text-to-image request once.
   *
   * @param width image width in pixels
   * @param height image height in pixels
   * @param n images
   * @param steps denoising steps (UNet calls)
   * @param guided whether classifier-free guidance doubles the UNet's rows
   * @param textEncoderCalls how many prompts to encode (batch 1 each)
   * @return the time spent inside ONNX Runtime per stage
   */
  public Times run(int width, int height, int n, int steps, boolean guided, int textEncoderCalls) {
    if (n < 1 || steps < 1) {
      throw new IllegalArgumentException("n and steps must be >= 1 but were " + n + ", " + steps);
    }
    int factor = model.vaeScaleFactor();
    int h = height / factor;
    int w = width / factor;
    int length = 77;
    int hidden =
        model.textEncoder().hiddenSize()
            + model.textEncoder2().map(TextEncoder::hiddenSize).orElse(0);

    long text = 0;
    int[][] ids = new int[1][length];
    for (int i = 0; i < textEncoderCalls; i++) {
      Arrays.fill(ids[0], 1 + i);
      if (model.isSdxl()) {
        // SDXL: both towers, each with its per-layer outputs, as the pipeline runs them.
        model.textEncoder().encodePenultimate(ids[0]);
        text += OnnxComponent.lastRunNanos();
        model.textEncoder2().orElseThrow().encodePenultimate(ids[0]);
      } else {
        model.textEncoder().encode(ids);
      }
      text += OnnxComponent.lastRunNanos();
    }

    UNet unet = model.unet();
    int rows = guided ? 2 * n : n;
    long[] shape = {rows, unet.inChannels(), h, w};
    long[] hiddenShape = {rows, length, hidden};
    UNet.Extras extras =
        new UNet.Extras(
            unet.timestepCondDim().isPresent()
                ? new float[rows * unet.timestepCondDim().getAsInt()]
                : new float[0],
            gaussian(rows * unet.textEmbedsDim()),
            UNet.Extras.timeIds(
                unet.timeIdsDim(), width, height, UNet.Extras.AESTHETIC_SCORE, rows));
    long denoise = 0;
    for (int s = 0; s < steps; s++) {
      float[] sample = gaussian(rows * unet.inChannels() * h * w);
      float[] states = gaussian(rows * length * hidden);
      unet.predict(sample, shape, 999f - s, states, hiddenShape, extras);
      denoise += unet.lastRunNanos();
    }

    long decode = 0;
    long[] one = {1, 4, h, w};
    for (int i = 0; i < n; i++) {
      model.vaeDecoder().decode(gaussian(4 * h * w), one);
      decode += OnnxComponent.lastRunNanos();
    }
    return new Times(text, denoise, decode);
  }

  private float[] gaussian(int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      // Sum of uniforms: near-Gaussian and cheap; the values only need realistic magnitudes.
      a[i] = (float) (random.nextDouble() + random.nextDouble() + random.nextDouble() - 1.5) * 2f;
    }
    return a;
  }
}
