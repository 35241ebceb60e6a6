package dev.atelier.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code atelier bench-server}: a bounded, closed-loop load test of a running server's {@code POST
 * /v1/images/generations}, with the server's memory.
 *
 * <p>Without {@code --url} it starts {@code serve --demo} in a child JVM ({@link ChildServer}) and
 * samples that process's RSS ({@link RssSampler}); with {@code --url} it loads the given server and
 * samples {@code --server-pid} when given. Exits with 1 when any request got a 5xx or no response
 * at all: a load test that finds those must fail.
 */
@Command(
    name = "bench-server",
    mixinStandardHelpOptions = true,
    description = {
      "Load a server's /v1/images/generations from concurrent clients and report status counts,",
      "latency percentiles, images per second and the server's RSS (baseline, peak, final).",
      "Without --url it starts `serve --demo` in a child JVM and stops it at the end.",
      "Exits with 1 when any request got a 5xx or no response."
    })
final class BenchServerCommand implements Callable<Integer> {
  /** The launcher's JVM options ({@code ./atelier}: none), so the child is sized like a serve. */
  static final String LAUNCHER_JAVA_OPTS = "";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Base URL of a running server (http://127.0.0.1:8080). Default: start `serve --demo` in"
              + " a child JVM.")
  URI url;

  @Option(
      names = "--server-pid",
      paramLabel = "PID",
      description = "With --url: the server's process id on this machine, to sample its RSS.")
  Long serverPid;

  @Option(
      names = "--server-java-opts",
      paramLabel = "OPTS",
      description =
          "JVM options of the child server. Default: $ATELIER_JAVA_OPTS, else none (as the"
              + " launcher).")
  String serverJavaOpts;

  @Option(
      names = "--server-arg",
      paramLabel = "ARG",
      description = {
        "An argument appended to the child's `serve --demo` command line, once per use and in",
        "order (--server-arg=--url-ttl --server-arg=10m for an option with a value; `=` lets a",
        "value start with --). --demo, --engine, --port and --data-dir are set already.",
        "Default: none."
      })
  List<String> serverArgs = new ArrayList<>();

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "200",
      description = "Requests to send in all. Default: ${DEFAULT-VALUE}.")
  int requests;

  @Option(
      names = "--concurrency",
      paramLabel = "C",
      defaultValue = "20",
      description =
          "Clients sending at once, each waiting for its answer. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(
      names = "--size",
      paramLabel = "WxH",
      defaultValue = "128x128",
      description = "`size` of every request. Default: ${DEFAULT-VALUE}.")
  String size;

  @Option(
      names = "--n",
      paramLabel = "N",
      defaultValue = "2",
      description = "`n`, images per request. Default: ${DEFAULT-VALUE}.")
  int n;

  @Option(
      names = "--steps",
      paramLabel = "S",
      defaultValue = "2",
      description = "`steps` (Atelier's extension) of every request. Default: ${DEFAULT-VALUE}.")
  int steps;

  @Option(
      names = "--prompt",
      paramLabel = "TEXT",
      defaultValue = "a white ceramic coffee cup on a dark wooden table",
      description = "`prompt` of every request. Default: ${DEFAULT-VALUE}.")
  String prompt;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "Sent as `Authorization: Bearer KEY`. Default: none.")
  String apiKey;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "600",
      description =
          "How long one request may take before it counts as a connection error. Default:"
              + " ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(
      names = "--json",
      description = "Write the results as one JSON object to stdout (the table goes to stderr).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    check(requests >= 1, "--requests must be at least 1 but was " + requests);
    check(concurrency >= 1, "--concurrency must be at least 1 but was " + concurrency);
    check(timeoutSeconds >= 1, "--timeout must be at least 1 second but was " + timeoutSeconds);
    check(
        serverPid == null || url != null,
        "--server-pid names the process behind --url, but no --url was given");
    check(
        serverJavaOpts == null || url == null,
        "--server-java-opts applies to the server bench-server starts, but --url was given");
    check(
        serverArgs.isEmpty() || url == null,
        "--server-arg applies to the server bench-server starts, but --url was given");
    String body = body();
    if (url != null) {
      URI base = base(url);
      try (RssSampler rss = serverPid == null ? null : new RssSampler(serverPid, 100)) {
        return measure(base, body, rss, "server at " + base, null);
      }
    }
    try (ChildServer child =
            ChildServer.start(childJavaOptions(), serverArgs, Duration.ofSeconds(120));
        RssSampler rss = new RssSampler(child.pid(), 100)) {
      return measure(child.baseUrl(), body, rss, "child `serve --demo`, pid " + child.pid(), child);
    }
  }

  private int measure(URI base, String body, RssSampler rss, String what, ChildServer child)
      throws InterruptedException {
    boolean sampling = rss != null && rss.available();
    OptionalLong baseline = sampling ? rss.rssKib() : OptionalLong.empty();
    if (sampling) {
      rss.start();
    }
    ServerLoad load =
        new ServerLoad(
            base.resolve("/v1/images/generations"),
            body,
            Optional.ofNullable(apiKey),
            Duration.ofSeconds(timeoutSeconds));
    ServerLoad.Result result = load.run(requests, concurrency);
    OptionalLong peak = sampling ? rss.peakKib() : OptionalLong.empty();
    OptionalLong last = sampling ? rss.rssKib() : OptionalLong.empty();
    BenchServerReport report =
        new BenchServerReport(
            base,
            what,
            requests,
            concurrency,
            size,
            n,
            steps,
            result,
            baseline,
            peak,
            last,
            sampling && rss.peakReset(),
            child == null || child.alive() ? Optional.empty() : Optional.of(child.exitValue()));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter table = json ? err : out;
    table.print(report.table());
    table.flush();
    if (json) {
      out.println(report.json());
      out.flush();
    }
    int failures = result.between(500, 599) + result.connectionErrors();
    if (failures > 0) {
      err.println(
          "atelier bench-server: the server failed under load: "
              + result.between(500, 599)
              + " responses were 5xx and "
              + result.connectionErrors()
              + " requests got no response");
      err.flush();
      return 1;
    }
    return 0;
  }

  /** The request: {@code url} responses keep the client's side of the load small. */
  private String body() {
    return "{\"prompt\":"
        + BenchServerReport.quote(prompt)
        + ",\"size\":"
        + BenchServerReport.quote(size)
        + ",\"n\":"
        + n
        + ",\"steps\":"
        + steps
        + ",\"response_format\":\"url\"}";
  }

  private List<String> childJavaOptions() {
    String opts = serverJavaOpts;
    if (opts == null) {
      opts = System.getenv().getOrDefault("ATELIER_JAVA_OPTS", LAUNCHER_JAVA_OPTS);
    }
    return Arrays.stream(opts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  /** {@code http://host:port}, from a base URL with or without {@code /v1}. */
  private URI base(URI given) {
    String s = given.toString().replaceAll("/+$", "");
    if (s.endsWith("/v1")) {
      s = s.substring(0, s.length() - 3);
    }
    URI u = URI.create(s);
    check(
        ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
        "--url must be an http(s) URL such as http://127.0.0.1:8080 but was '" + given + "'");
    return u;
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }
}
