package dev.atelier.server;

import java.util.Locale;

/**
 * What one Atelier process does in a deployment (docs/architecture.md, "Roles").
 *
 * <p>{@link #ALL} is the single machine: HTTP API and job workers in one process, over SQLite or
 * PostgreSQL. {@link #API} and {@link #WORKER} split them over several processes sharing one
 * PostgreSQL and one blob store.
 */
public enum Role {
  /** The HTTP API and the workers in one process (the default). */
  ALL,
  /**
   * The HTTP API without workers: authenticates, validates, queues, answers reads, lists, event
   * streams and image bytes; loads no model.
   */
  API,
  /**
   * Workers without the HTTP API: loads its models and runs the queued jobs for them; answers only
   * {@code /healthz}, {@code /readyz} and {@code /metrics}.
   */
  WORKER;

  /** The wire name: {@code all}, {@code api}, {@code worker}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this process serves the HTTP API. */
  public boolean servesApi() {
    return this != WORKER;
  }

  /** Whether this process runs jobs. */
  public boolean runsJobs() {
    return this != API;
  }
}
