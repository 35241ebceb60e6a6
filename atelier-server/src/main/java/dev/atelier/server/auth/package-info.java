/**
 * Who may call and how much: API keys and their scopes ({@code ApiKeyAuth}), the {@link
 * dev.atelier.server.auth.Caller} of a request, per-key rate limits, and the signed URLs that let a
 * browser fetch an image without a key, with the server's {@link
 * dev.atelier.server.auth.AccessSettings}.
 */
package dev.atelier.server.auth;
