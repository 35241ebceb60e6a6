package dev.atelier.engine.onnx.pipeline;

/**
 * One pipeline's way of calling the UNet: how the batch is assembled from the scaled latents
 * (guidance copies, extra channels) and how its outputs are combined into one prediction.
 */
interface StepModel {
  /** The UNet inputs for {@code scaledLatents} ({@code [n, 4, h, w]}) at {@code timestep}. */
  UNetBatch assemble(float[] scaledLatents, long[] shape, float timestep);

  /** The guided model output ({@code [n, 4, h, w]}) from the UNet's raw output. */
  float[] combine(float[] unetOutput);

  /**
   * The UNet's inputs for one step.
   *
   * @param sample {@code [batch, inChannels, h, w]}
   * @param sampleShape its shape
   * @param hidden text embeddings {@code [batch, length, width]}
   * @param hiddenShape their shape
   * @param extras the per-row inputs besides these (LCM's guidance embedding, SDXL's added
   *     conditions), in the same row order
   */
  record UNetBatch(
      float[] sample,
      long[] sampleShape,
      float[] hidden,
      long[] hiddenShape,
      dev.atelier.engine.onnx.model.UNet.Extras extras) {}
}
