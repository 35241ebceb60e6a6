/**
 * Batches of images that belong together: checks and metrics on a generated batch, and the wording
 * that keeps a set's character and palette the same from image to image.
 *
 * <p>{@link dev.atelier.core.batch.PerceptualHash} and {@link
 * dev.atelier.core.batch.BatchChecks#nearDuplicates} find near-duplicates among variations; {@link
 * dev.atelier.core.batch.ConsistencyReport} measures how alike a set's colours are, from each
 * image's {@link dev.atelier.core.batch.Palette} and {@link dev.atelier.core.batch.LabHistogram};
 * {@link dev.atelier.core.batch.CharacterSheet} reads a character's traits from a prompt or a
 * request's {@code character} object and adds them to every panel's prompt, and warns when a prompt
 * names a person without describing them (the practitioner guide's pitfall 3).
 *
 * <p>Everything here is pure Java on {@link dev.atelier.core.image.RgbImage}s and strings. Making
 * the batch (per-image seeds, shared noise, replacing near-duplicates) is the engines' and the
 * server's work, not this package's.
 */
package dev.atelier.core.batch;
