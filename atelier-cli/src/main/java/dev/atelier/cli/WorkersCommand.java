package dev.atelier.cli;

import dev.atelier.core.json.JsonValue;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code atelier workers}: the processes that run jobs, over a running API node's {@code
 * /v1/workers} (scope admin). Server errors print as {@code error: MESSAGE} and exit 1.
 */
@Command(
    name = "workers",
    mixinStandardHelpOptions = true,
    description = {
      "List the processes that run jobs (atelier worker, and serve without --role), oldest first:",
      "id, state, current job, models, engine and device, last heartbeat. A worker whose",
      "heartbeat is older than three leases died and shows as stale. Needs an admin key.",
      "--url defaults to $ATELIER_URL, --api-key to $ATELIER_API_KEY."
    })
final class WorkersCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ServerOptions server;

  /** The environment {@code --url} and {@code --api-key} default from. */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonValue.Obj page;
    try {
      page = server.client(env).get("/v1/workers");
    } catch (ApiClient.Failure e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "STATE", "JOB", "MODELS", "ENGINE", "DEVICE", "HEARTBEAT"});
    for (JsonValue v : page.array("data")) {
      JsonValue.Obj w = v.asObject();
      List<String> models = new ArrayList<>();
      for (JsonValue m : w.array("models")) {
        models.add(m.asObject().string("id", ""));
      }
      String job = w.get("current_job").orElse(null) instanceof JsonValue.Str s ? s.value() : "-";
      rows.add(
          new String[] {
            w.string("id", ""),
            w.bool("stale", false) ? "stale" : w.string("state", ""),
            job,
            String.join(",", models),
            w.string("engine", ""),
            w.string("device", ""),
            Instant.ofEpochSecond(w.integer("heartbeat_at", 0)).toString()
          });
    }
    if (rows.size() == 1) {
      err.println("no workers (start one with `atelier worker`)");
      err.flush();
      return 0;
    }
    JobsCommand.table(out, rows);
    return 0;
  }
}
