/**
 * Helpers of the {@code openai} engine, not API: the HTTP exchange with retries and timeouts, the
 * multipart body, the mask PNG, parsing of JSON answers and event streams, decoding of returned
 * images and provenance entries.
 */
package dev.atelier.engine.openai.internal;
