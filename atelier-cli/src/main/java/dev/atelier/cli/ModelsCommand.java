package dev.atelier.cli;

import dev.atelier.engine.onnx.hub.CachedModel;
import dev.atelier.engine.onnx.hub.ModelCache;
import dev.atelier.engine.onnx.hub.ModelRegistry;
import dev.atelier.engine.onnx.hub.ProgressFormatter;
import dev.atelier.engine.onnx.hub.RegistryEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier models pull|list|info|rm}: the model cache under the data dir. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description =
        "Manage models pulled from the Hugging Face Hub (HF_TOKEN, HF_ENDPOINT honoured).",
    subcommands = {
      ModelsCommand.Pull.class,
      ModelsCommand.ListModels.class,
      ModelsCommand.Info.class,
      ModelsCommand.Remove.class
    })
final class ModelsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every models subcommand shares. */
  static class CacheOptions {
    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "Data dir holding models/. Default: $ATELIER_DATA_DIR or ~/.atelier.")
    Path dataDir;

    @Option(names = "--offline", description = "Never use the network.")
    boolean offline;

    ModelCache cache() {
      return ModelOptions.cache(dataDir != null ? dataDir : ServeCommand.defaultDataDir(), offline);
    }
  }

  @Command(name = "pull", mixinStandardHelpOptions = true, description = "Download a model.")
  static final class Pull extends CacheOptions implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "owner/name[@revision] or a registry alias.")
    String model;

    @Override
    public Integer call() {
      Path folder = cache().pull(ModelRegistry.bundled().expand(model), DownloadBar.stderr());
      spec.commandLine().getOut().println(folder);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List cached models and the registry's aliases.")
  static final class ListModels extends CacheOptions implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.println("cached:");
      for (CachedModel m : cache().list()) {
        out.printf(
            "  %s@%s  %s  %s%s%n",
            m.id(),
            m.revision(),
            ProgressFormatter.bytes(m.sizeOnDisk()),
            m.path(),
            m.complete() ? "" : "  (incomplete)");
      }
      ModelRegistry registry = ModelRegistry.bundled();
      out.println("aliases (default: " + registry.defaultModel().name() + "):");
      for (RegistryEntry e : registry.entries()) {
        out.printf(
            "  %-20s %s@%s  %s, %s, %s%n",
            e.name(),
            e.repo(),
            e.revision(),
            e.licence(),
            e.size(),
            e.capabilities().stream()
                .map(c -> c.toString().toLowerCase(java.util.Locale.ROOT))
                .sorted()
                .collect(java.util.stream.Collectors.joining("+")));
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true, description = "Show one cached model.")
  static final class Info extends CacheOptions implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "owner/name[@revision] or a registry alias.")
    String model;

    @Override
    public Integer call() {
      var m = cache().info(ModelRegistry.bundled().expand(model));
      if (m.isEmpty()) {
        spec.commandLine().getErr().println("atelier models info: " + model + " is not cached");
        return 3;
      }
      CachedModel c = m.get();
      spec.commandLine()
          .getOut()
          .printf(
              "%s@%s%n  path %s%n  size %s%n  complete %s%n",
              c.id(),
              c.revision(),
              c.path(),
              ProgressFormatter.bytes(c.sizeOnDisk()),
              c.complete());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a cached model.")
  static final class Remove extends CacheOptions implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "owner/name[@revision] or a registry alias.")
    String model;

    @Override
    public Integer call() {
      boolean removed = cache().rm(ModelRegistry.bundled().expand(model));
      spec.commandLine().getOut().println(removed ? "removed " + model : model + " was not cached");
      spec.commandLine().getOut().flush();
      return removed ? 0 : 3;
    }
  }
}
