/**
 * Atelier's HTTP API: OpenAI's Images API ({@code /v1/images/*}, {@code /v1/models}) plus sessions
 * ({@code /v1/sessions}) and newest-first listings of both ({@code GET /v1/images}, {@code GET
 * /v1/sessions}, in {@code Gallery}), on Javalin, and the studio's static files. Errors leave in
 * OpenAI's shape from one place ({@link dev.atelier.server.ErrorMapper}). Engines and storage are
 * injected; no ONNX types here.
 */
package dev.atelier.server;
