/**
 * Atelier's server: {@link dev.atelier.server.AtelierServer} starts it from a {@link
 * dev.atelier.server.ServerConfig} (with its {@link dev.atelier.server.RequestLimits}), which is
 * what the CLI uses. Engines and storage are injected; no ONNX types here.
 *
 * <p>The work is split by concern: {@link dev.atelier.server.http} is the HTTP API (OpenAI's Images
 * API plus sessions and listings, on Javalin, with errors in OpenAI's shape from one place) and
 * request parsing; {@link dev.atelier.server.auth} is who may call (API keys, callers, rate limits,
 * signed image URLs); {@link dev.atelier.server.images} runs the engine and keeps what it makes
 * ({@link dev.atelier.server.images.ImageService}, the library, sessions, usage and prices).
 */
package dev.atelier.server;
