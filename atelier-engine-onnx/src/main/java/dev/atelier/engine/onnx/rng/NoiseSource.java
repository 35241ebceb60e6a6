package dev.atelier.engine.onnx.rng;

/**
 * Where a pipeline's standard-normal draws come from.
 *
 * <p>Each call is one {@code torch.randn(shape)} of the reference pipeline, in call order. A single
 * {@link TorchGenerator} is diffusers' "one generator for the batch"; per-image generators and
 * recorded draws (golden tests) implement the same contract.
 */
@FunctionalInterface
public interface NoiseSource {
  /**
   * Draws {@code prod(shape)} standard-normal floats in row-major order.
   *
   * @param shape the tensor shape, as torch would be asked for it
   * @return a new array of the shape's element count
   */
  float[] randn(long... shape);
}
