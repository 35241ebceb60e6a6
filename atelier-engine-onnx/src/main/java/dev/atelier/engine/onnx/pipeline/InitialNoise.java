package dev.atelier.engine.onnx.pipeline;

/** Turns the drawn initial noise of a text-to-image batch into the noise the run starts from. */
@FunctionalInterface
public interface InitialNoise {
  /** The noise as drawn: diffusers' behaviour. */
  InitialNoise AS_DRAWN = (drawn, shape) -> drawn;

  /**
   * The initial noise for {@code shape} ({@code [n, 4, h, w]}), before scaling by the scheduler's
   * initial sigma.
   *
   * @param drawn the standard-normal draw of the batch (not modified)
   */
  float[] apply(float[] drawn, long[] shape);
}
