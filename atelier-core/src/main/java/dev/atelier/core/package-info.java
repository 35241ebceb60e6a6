/**
 * Atelier's domain: requests, results, the {@link dev.atelier.core.Engine} interface, progress and
 * cancellation, and the one sealed failure type {@link dev.atelier.core.AtelierException}.
 *
 * <p>JDK only. Engines, storage and HTTP live in their own modules; image values and codecs are in
 * {@code dev.atelier.core.image}, JSON in {@code dev.atelier.core.json}.
 */
package dev.atelier.core;
