package dev.atelier.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where {@code generate} and {@code edit} write their PNGs, and whether they show progress. */
final class OutputOptions {
  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Folder for the PNGs. Default: the current directory.",
      defaultValue = ".")
  Path out;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  /** A progress bar on stderr labelled {@code label}, or none with {@code --quiet}. */
  ProgressBar progressBar(String label) {
    return quiet ? null : ProgressBar.stderr(label);
  }
}
