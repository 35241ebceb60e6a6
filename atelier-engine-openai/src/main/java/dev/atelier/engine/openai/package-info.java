/**
 * Atelier's {@code openai} engine: image generation and editing forwarded to an OpenAI-compatible
 * Images API over the JDK's {@link java.net.http.HttpClient}.
 *
 * <p>{@link dev.atelier.engine.openai.OpenAiEngine} is the entry point, configured by {@link
 * dev.atelier.engine.openai.UpstreamConfig} (usually from the environment). {@link
 * dev.atelier.engine.openai.UpstreamReferences} adds reference images, {@link
 * dev.atelier.engine.openai.DoctorCheck} reports account checks. Wire formats, retries and answer
 * parsing live in {@code internal}. Serving HTTP and choosing an engine live elsewhere.
 */
package dev.atelier.engine.openai;
