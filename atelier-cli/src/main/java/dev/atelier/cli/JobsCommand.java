package dev.atelier.cli;

import dev.atelier.core.json.JsonValue;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code atelier jobs list|show|cancel}: a running server's image jobs, over its {@code /v1/jobs}
 * API. Server errors print as {@code error: MESSAGE} and exit 1.
 */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = {
      "The image jobs of a running server (requests sent with Prefer: respond-async, and every",
      "request while it runs). --url defaults to $ATELIER_URL, --api-key to $ATELIER_API_KEY."
    },
    subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class, JobsCommand.Cancel.class})
final class JobsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The environment {@code --url} and {@code --api-key} default from. */
  private static final Map<String, String> ENV = System.getenv();

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A subcommand's body, with server failures printed as one {@code error:} line and exit 1. */
  private abstract static class Base implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin ServerOptions server;

    @Override
    public final Integer call() throws Exception {
      ApiClient client = server.client(ENV);
      try {
        return run(client, spec.commandLine().getOut(), spec.commandLine().getErr());
      } catch (ApiClient.Failure e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      }
    }

    abstract int run(ApiClient client, PrintWriter out, PrintWriter err) throws Exception;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List jobs, newest first: id, kind, status, progress, images, created.")
  static final class ListJobs extends Base {
    @Option(
        names = "--status",
        paramLabel = "STATUS",
        description = "Only jobs that are queued, in_progress, completed, failed or cancelled.")
    String status;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "20",
        description = "Most jobs listed (1..100). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Override
    int run(ApiClient client, PrintWriter out, PrintWriter err) {
      if (limit < 1 || limit > 100) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--limit must be 1..100 but was " + limit);
      }
      String query = "?limit=" + limit;
      if (status != null && !status.isBlank()) {
        query += "&status=" + encode(status.strip());
      }
      JsonValue.Obj page = client.get("/v1/jobs" + query);
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "KIND", "STATUS", "STEP", "IMAGES", "CREATED"});
      for (JsonValue v : page.array("data")) {
        JsonValue.Obj job = v.asObject();
        JsonValue.Obj p = progress(job);
        rows.add(
            new String[] {
              job.string("id", ""),
              job.string("kind", ""),
              job.string("status", ""),
              p.integer("step", 0) + "/" + p.integer("steps", 0),
              p.integer("images_done", 0) + "/" + p.integer("n", 0),
              time(job, "created_at")
            });
      }
      if (rows.size() == 1) {
        err.println(
            "no jobs"
                + (status == null || status.isBlank() ? "" : " with status " + status.strip()));
        return 0;
      }
      table(out, rows);
      if (page.bool("has_more", false)) {
        err.println("(more jobs than --limit " + limit + ")");
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Show one job. With --follow, follow its progress until it ends, then print its images",
        "or its error; exit 0 when it completed, 1 when it failed or was cancelled."
      })
  static final class Show extends Base {
    @Parameters(paramLabel = "ID", description = "The job's id (job_...).")
    String id;

    @Option(
        names = {"-f", "--follow"},
        description = "Follow the job's events with a progress bar until it ends.")
    boolean follow;

    /** Connections in a row that may drop before --follow gives up. */
    int maxRetries = 10;

    /** The wait before reconnecting. */
    Duration retryDelay = Duration.ofSeconds(1);

    @Override
    int run(ApiClient client, PrintWriter out, PrintWriter err) throws InterruptedException {
      JsonValue.Obj job = client.get(path(id));
      if (!follow) {
        print(out, job);
        return 0;
      }
      String status = job.string("status", "");
      ProgressBar bar = new ProgressBar(err, System.console() != null, job.string("id", id));
      if (!JobEventFollower.TERMINAL.contains(status)) {
        JobEventFollower.End end =
            new JobEventFollower(client, path(id), bar, maxRetries, retryDelay).follow();
        job = end.job();
        status = end.status();
      }
      if (status.equals("completed")) {
        // The job may have ended before the stream showed its last step, or before --follow began.
        if (job.get("progress").orElse(null) instanceof JsonValue.Obj progress) {
          bar.showFinal((int) progress.integer("step", 0), (int) progress.integer("steps", 0));
        }
      }
      print(out, job);
      return status.equals("completed") ? 0 : 1;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = {
        "Cancel a job: a queued one ends at once, a running one at its next step.",
        "Prints the job's id and its status afterwards."
      })
  static final class Cancel extends Base {
    @Parameters(paramLabel = "ID", description = "The job's id (job_...).")
    String id;

    @Override
    int run(ApiClient client, PrintWriter out, PrintWriter err) {
      JsonValue.Obj job = client.post(path(id) + "/cancel");
      String status = job.string("status", "");
      out.println(
          job.string("id", id)
              + " "
              + status
              + (status.equals("in_progress") ? " (stops at its next step)" : ""));
      return 0;
    }
  }

  /** A job's fields, one per line, then its images or its error. */
  static void print(PrintWriter out, JsonValue.Obj job) {
    List<String[]> rows = new ArrayList<>();
    JsonValue.Obj p = progress(job);
    rows.add(new String[] {"id", job.string("id", "")});
    rows.add(new String[] {"kind", job.string("kind", "")});
    rows.add(new String[] {"status", job.string("status", "")});
    if (job.has("queue_position")) {
      rows.add(new String[] {"queue", job.integer("queue_position", 0) + " job(s) ahead"});
    }
    rows.add(
        new String[] {
          "progress",
          "step "
              + p.integer("step", 0)
              + "/"
              + p.integer("steps", 0)
              + ", images "
              + p.integer("images_done", 0)
              + "/"
              + p.integer("n", 0)
        });
    rows.add(new String[] {"attempts", Long.toString(job.integer("attempts", 0))});
    rows.add(new String[] {"created", time(job, "created_at")});
    rows.add(new String[] {"started", time(job, "started_at")});
    rows.add(new String[] {"completed", time(job, "completed_at")});
    job.object("error")
        .ifPresent(
            e -> {
              String code = e.string("code", "");
              rows.add(
                  new String[] {
                    "error", e.string("message", "") + (code.isEmpty() ? "" : " (" + code + ")")
                  });
            });
    job.object("result")
        .ifPresent(
            r -> {
              for (JsonValue d : r.array("data")) {
                if (d instanceof JsonValue.Obj image) {
                  String shown = image.string("id", "");
                  String url = image.string("url", "");
                  if (!url.isEmpty()) {
                    shown = shown.isEmpty() ? url : shown + " " + url;
                  }
                  rows.add(new String[] {"image", shown.isEmpty() ? "(inline b64_json)" : shown});
                }
              }
              r.object("session")
                  .ifPresent(s -> rows.add(new String[] {"session", s.string("id", "")}));
            });
    for (String[] row : rows) {
      out.println(row[0] + ":" + " ".repeat(11 - row[0].length()) + row[1]);
    }
    out.flush();
  }

  private static JsonValue.Obj progress(JsonValue.Obj job) {
    return job.object("progress").orElse(new JsonValue.Obj(Map.of()));
  }

  /** A Unix-seconds field as an ISO instant, {@code -} while it is null. */
  private static String time(JsonValue.Obj job, String field) {
    return job.has(field) ? Instant.ofEpochSecond(job.integer(field, 0)).toString() : "-";
  }

  /** Left-aligned columns, two spaces apart. */
  static void table(PrintWriter out, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        b.append(r[i]);
        if (i < r.length - 1) {
          b.append(" ".repeat(widths[i] - r[i].length() + 2));
        }
      }
      out.println(b);
    }
    out.flush();
  }

  private static String path(String id) {
    return "/v1/jobs/" + encode(id.strip());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
