package dev.atelier.server.http;

import java.util.Arrays;

/**
 * The image-producing routes, each a kind of job: the route's name (in a stored request) and the
 * job's {@code kind} on the wire.
 */
public enum JobKind {
  GENERATIONS("images.generations", "image_generation", false),
  EDITS("images.edits", "image_edit", true),
  VARIATIONS("images.variations", "image_variation", true),
  SESSION_CREATE("sessions.create", "session_create", true),
  SESSION_ROUND("sessions.rounds", "session_round", true),
  SESSION_RESTART("sessions.restart", "session_restart", false);

  private final String route;
  private final String wire;
  private final boolean multipart;

  JobKind(String route, String wire, boolean multipart) {
    this.route = route;
    this.wire = wire;
    this.multipart = multipart;
  }

  /** The route's name in a stored request. */
  String route() {
    return route;
  }

  /** The job's {@code kind}. */
  String wire() {
    return wire;
  }

  /** Whether the route takes a multipart body as well as JSON. */
  boolean multipart() {
    return multipart;
  }

  private static final java.util.regex.Pattern JOB_PATHS =
      java.util.regex.Pattern.compile(
          "/v1/images/(generations|edits|variations)|/v1/sessions(/[^/]+/(rounds|restart))?");

  /** Whether a POST to {@code path} makes a job (its idempotency key is kept with the job). */
  public static boolean isJobPath(String path) {
    return JOB_PATHS.matcher(path).matches();
  }

  /** The kind whose route is named {@code route}. */
  static JobKind ofRoute(String route) {
    return Arrays.stream(values())
        .filter(k -> k.route.equals(route))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no image route named " + route));
  }
}
