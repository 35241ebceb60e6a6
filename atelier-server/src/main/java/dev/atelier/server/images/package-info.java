/**
 * Making and keeping images: {@link dev.atelier.server.images.ImageService} runs the engine (and
 * local edits) and saves what it makes into the {@code Library}; multi-round sessions, batches
 * split into engine-sized calls, token usage and the {@link dev.atelier.server.images.PriceTable}
 * that turns it into spend. Nothing here registers routes; a few request-level types come from
 * {@code http} ({@code GenerationOptions}, {@code ApiJson}, {@code ImageInputs.STORED_LIMITS}).
 */
package dev.atelier.server.images;
