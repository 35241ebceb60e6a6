package dev.atelier.cli;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code atelier bench-server} found, as a short table for people and one JSON object for
 * scripts. RSS figures are in KiB as read from {@code /proc}; empty where none were measured.
 *
 * @param what which server was loaded, in words
 * @param peakSinceBaseline whether the kernel's peak was reset at the baseline (else it includes
 *     the server's start)
 * @param serverExit the exit code of a child server that died during the load
 */
record BenchServerReport(
    URI base,
    String what,
    int requests,
    int concurrency,
    String size,
    int n,
    int steps,
    ServerLoad.Result result,
    OptionalLong baselineKib,
    OptionalLong peakKib,
    OptionalLong finalKib,
    boolean peakSinceBaseline,
    Optional<Integer> serverExit) {

  private static final double[] PERCENTILES = {50, 90, 99, 100};

  /** The human table, several lines each ending in a newline. */
  String table() {
    StringBuilder b = new StringBuilder();
    line(
        b,
        "bench-server: %d requests, concurrency %d, size %s, n %d, %d steps, %s%n",
        requests,
        concurrency,
        size,
        n,
        steps,
        what);
    line(b, "  wall             %.1f s%n", seconds(result.wall()));
    line(
        b,
        "  responses        2xx %d   429 %d   other 4xx %d   5xx %d   connection errors %d%n",
        result.between(200, 299),
        result.between(429, 429),
        result.between(400, 499) - result.between(429, 429),
        result.between(500, 599),
        result.connectionErrors());
    if (result.latency(50).isPresent()) {
      line(
          b,
          "  latency (2xx)    p50 %.2f s   p90 %.2f s   p99 %.2f s   max %.2f s%n",
          seconds(result.latency(50).get()),
          seconds(result.latency(90).get()),
          seconds(result.latency(99).get()),
          seconds(result.latency(100).get()));
    } else {
      b.append("  latency (2xx)    none served\n");
    }
    line(
        b,
        "  throughput       %.2f images/s (%d images, %.2f requests/s)%n",
        result.images() / seconds(result.wall()),
        result.images(),
        result.requests() / seconds(result.wall()));
    if (baselineKib.isPresent()) {
      line(
          b,
          "  server RSS       baseline %s   peak %s (%s)   final %s%n",
          mib(baselineKib),
          mib(peakKib),
          peakSinceBaseline ? "during the load" : "since the server started",
          mib(finalKib));
    } else {
      b.append("  server RSS       not measured (give --server-pid with --url, on Linux)\n");
    }
    serverExit.ifPresent(
        code -> line(b, "  server           EXITED during the load with code %d%n", code));
    for (String e : result.errors()) {
      b.append("  first errors     ").append(e).append('\n');
    }
    return b.toString();
  }

  /** One JSON object on one line. */
  String json() {
    StringBuilder b = new StringBuilder("{");
    b.append("\"url\":").append(quote(base.toString()));
    b.append(",\"server\":").append(quote(what));
    b.append(",\"requests\":").append(requests);
    b.append(",\"concurrency\":").append(concurrency);
    b.append(",\"size\":").append(quote(size));
    b.append(",\"n\":").append(n);
    b.append(",\"steps\":").append(steps);
    b.append(",\"wall_s\":").append(number(seconds(result.wall())));
    b.append(",\"responses\":{");
    b.append("\"2xx\":").append(result.between(200, 299));
    b.append(",\"429\":").append(result.between(429, 429));
    b.append(",\"other_4xx\":").append(result.between(400, 499) - result.between(429, 429));
    b.append(",\"5xx\":").append(result.between(500, 599));
    b.append(",\"other\":")
        .append(
            result.statuses().values().stream().mapToInt(Integer::intValue).sum()
                - result.between(200, 299)
                - result.between(400, 599));
    b.append(",\"connection_errors\":").append(result.connectionErrors());
    b.append("},\"statuses\":{");
    String sep = "";
    for (var e : result.statuses().entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
      sep = ",";
    }
    b.append("},\"latency_s\":");
    if (result.latency(50).isPresent()) {
      String[] names = {"p50", "p90", "p99", "max"};
      b.append('{');
      for (int i = 0; i < PERCENTILES.length; i++) {
        b.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":");
        b.append(number(seconds(result.latency(PERCENTILES[i]).get())));
      }
      b.append('}');
    } else {
      b.append("null");
    }
    b.append(",\"images\":").append(result.images());
    b.append(",\"images_per_s\":").append(number(result.images() / seconds(result.wall())));
    b.append(",\"requests_per_s\":").append(number(result.requests() / seconds(result.wall())));
    b.append(",\"server_rss_mib\":");
    if (baselineKib.isPresent()) {
      b.append("{\"baseline\":").append(mibNumber(baselineKib));
      b.append(",\"peak\":").append(mibNumber(peakKib));
      b.append(",\"final\":").append(mibNumber(finalKib));
      b.append(",\"peak_since_baseline\":").append(peakSinceBaseline).append('}');
    } else {
      b.append("null");
    }
    b.append(",\"server_exit_code\":").append(serverExit.map(String::valueOf).orElse("null"));
    b.append(",\"errors\":[");
    List<String> errors = result.errors();
    for (int i = 0; i < errors.size(); i++) {
      b.append(i == 0 ? "" : ",").append(quote(errors.get(i)));
    }
    return b.append("]}").toString();
  }

  /** {@code s} as a JSON string literal. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static void line(StringBuilder b, String pattern, Object... args) {
    b.append(String.format(Locale.ROOT, pattern, args));
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static String number(double x) {
    return Double.isFinite(x) ? String.format(Locale.ROOT, "%.3f", x) : "null";
  }

  private static String mib(OptionalLong kib) {
    return kib.isPresent() ? String.format(Locale.ROOT, "%.1f MiB", kib.getAsLong() / 1024.0) : "?";
  }

  private static String mibNumber(OptionalLong kib) {
    return kib.isPresent() ? number(kib.getAsLong() / 1024.0) : "null";
  }
}
