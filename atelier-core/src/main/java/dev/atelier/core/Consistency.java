package dev.atelier.core;

/** What the images of one batch should have in common. */
public enum Consistency {
  /**
   * Distinct takes on the same prompt: every image from its own noise (per-image seeds); the
   * workflow replaces near-duplicates. The default.
   */
  VARIATIONS,
  /**
   * A coherent set (storyboard panels, a brand set): the images share a low-frequency component of
   * their initial noise, so palette and layout stay related, and the workflow applies one character
   * sheet to every prompt.
   */
  SET
}
