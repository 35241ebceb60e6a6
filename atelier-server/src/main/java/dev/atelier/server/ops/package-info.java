/**
 * What an operator sees of a running server: {@code GET /metrics} in Prometheus' text format
 * ({@link dev.atelier.server.ops.Metrics}, through Micrometer), the liveness and readiness probes
 * {@code GET /healthz} and {@code GET /readyz} ({@link dev.atelier.server.ops.Readiness}), and the
 * engine that stands in while the model loads ({@link dev.atelier.server.ops.DeferredEngine}).
 *
 * <p>Not here: the API's routes, authentication (which decides that {@code /metrics} needs scope
 * {@code admin} and the probes need no key), the request log line, and the job queue, which reports
 * into {@link dev.atelier.server.ops.Metrics} and plugs its state into {@link
 * dev.atelier.server.ops.Readiness}.
 */
package dev.atelier.server.ops;
