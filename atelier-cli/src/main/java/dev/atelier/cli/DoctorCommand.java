package dev.atelier.cli;

import dev.atelier.core.AtelierException;
import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.openai.DoctorCheck;
import dev.atelier.engine.openai.OpenAiEngine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code atelier doctor}: checks that the engine {@code serve} would use can work, without
 * generating anything (and so without spending upstream tokens).
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Check the engine without generating anything.",
      "For --engine openai: the upstream is reachable, accepts $OPENAI_API_KEY and lists the",
      "model; for --engine local: the model loads.",
      "Exit code 0 when every check passes, 4 (openai) or 3 (local) otherwise."
    })
final class DoctorCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      description = "local or openai. Default: $ATELIER_ENGINE, else local.")
  String engine;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where models are cached. Default: $ATELIER_DATA_DIR or ~/.atelier.")
  Path dataDir;

  @Mixin ModelOptions modelOptions;

  @Mixin UpstreamOptions upstreamOptions;

  /** The environment the engine settings are read from (tests supply their own). */
  java.util.Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    String name = engine;
    if (name == null || name.isBlank()) {
      name = env.getOrDefault("ATELIER_ENGINE", "local");
    }
    PrintWriter out = spec.commandLine().getOut();
    return switch (name) {
      case "openai" -> upstream(out);
      case "local" -> local(out);
      default ->
          throw new ParameterException(
              spec.commandLine(), "--engine must be local or openai but was '" + name + "'");
    };
  }

  private int upstream(PrintWriter out) {
    List<DoctorCheck> checks;
    String target;
    try (OpenAiEngine e = new OpenAiEngine(upstreamOptions.config(env))) {
      target = e.config().model() + " at " + e.config().baseUrl();
      checks = e.doctor();
    } catch (AtelierException.ModelUnavailable e) {
      out.println("FAIL  configuration: " + e.getMessage());
      out.flush();
      return 4;
    }
    out.println("openai engine: " + target);
    boolean ok = true;
    for (DoctorCheck c : checks) {
      out.printf("%s  %s: %s%n", c.ok() ? "ok  " : "FAIL", c.name(), c.message());
      ok &= c.ok();
    }
    out.flush();
    return ok ? 0 : 4;
  }

  private int local(PrintWriter out) {
    Path data = dataDir != null ? dataDir : ServeCommand.defaultDataDir();
    try (OnnxEngine e = modelOptions.load(data, false)) {
      out.printf(
          "ok    model: %s (%s, native %dx%d)%n",
          e.model().name(),
          e.model().kind(),
          e.model().defaultImageSide(),
          e.model().defaultImageSide());
      out.flush();
      return 0;
    } catch (AtelierException.ModelUnavailable e) {
      out.println("FAIL  model: " + e.getMessage());
      out.flush();
      return 3;
    }
  }
}
