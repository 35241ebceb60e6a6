/**
 * Atelier's HTTP API: OpenAI's Images API ({@code /v1/images/*}, {@code /v1/models}) plus sessions
 * ({@code /v1/sessions}) and newest-first listings of both ({@code GET /v1/images}, {@code GET
 * /v1/sessions}, in {@code Gallery}), on Javalin, and the wire shapes and request parsing behind
 * them. Errors leave in OpenAI's shape from one place ({@link
 * dev.atelier.server.http.ErrorMapper}); the work itself is done by {@link
 * dev.atelier.server.images.ImageService}.
 */
package dev.atelier.server.http;
