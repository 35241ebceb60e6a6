package dev.atelier.core;

/** How the initial and per-step noise of a batch is drawn from the seed. */
public enum NoiseMode {
  /**
   * Image {@code i} of a batch uses its own generator seeded {@code seed + i}, so any image can be
   * regenerated alone from its reported seed; results do not depend on the batch size. The default.
   */
  PER_IMAGE,
  /**
   * One generator for the whole batch, as diffusers does when given one {@code torch.Generator}:
   * image 0 equals the single-image result, the others depend on the batch size.
   */
  BATCH
}
