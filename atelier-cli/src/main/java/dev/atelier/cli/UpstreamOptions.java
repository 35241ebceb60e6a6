package dev.atelier.cli;

import dev.atelier.engine.openai.UpstreamConfig;
import dev.atelier.server.images.PriceTable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Options of the {@code openai} engine. The API key is read from {@code OPENAI_API_KEY} only: a
 * command-line flag would show it to every user of {@code ps}.
 */
final class UpstreamOptions {
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--upstream-model",
      paramLabel = "NAME",
      description =
          "Upstream image model for --engine openai. Default: $ATELIER_UPSTREAM_MODEL, else "
              + UpstreamConfig.DEFAULT_MODEL
              + ".")
  String model;

  @Option(
      names = "--upstream-timeout",
      paramLabel = "SECONDS",
      description = "Longest one upstream call may take, in seconds. Default: ${DEFAULT-VALUE}.",
      defaultValue = "180")
  int timeoutSeconds;

  @Option(
      names = "--upstream-retries",
      paramLabel = "N",
      description =
          "Retries of a call answered 429 or 5xx (exponential backoff with jitter, honouring"
              + " Retry-After). Default: ${DEFAULT-VALUE}.",
      defaultValue = "3")
  int retries;

  @Option(
      names = "--upstream-max-n",
      paramLabel = "N",
      description =
          "Most images one upstream call asks for; larger n is split into several calls."
              + " Default: 1 for dall-e-3, else 8.")
  Integer maxN;

  @Option(
      names = "--price-table",
      paramLabel = "FILE",
      description =
          "JSON of model -> {input_text, input_image, output} dollars per million tokens, added"
              + " to the bundled prices (gpt-image-1, gpt-image-1-mini) for session costs.")
  Path priceTable;

  /**
   * The upstream settings: key, base URL, organisation and project from the environment
   * (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID), the rest from the options.
   *
   * @throws dev.atelier.core.AtelierException.ModelUnavailable when OPENAI_API_KEY is not set
   */
  UpstreamConfig config(Map<String, String> env) {
    if (timeoutSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--upstream-timeout must be >= 1 but was " + timeoutSeconds);
    }
    if (retries < 0 || retries > 10) {
      throw new ParameterException(
          spec.commandLine(), "--upstream-retries must be 0..10 but was " + retries);
    }
    if (maxN != null && (maxN < 1 || maxN > 10)) {
      throw new ParameterException(
          spec.commandLine(), "--upstream-max-n must be 1..10 but was " + maxN);
    }
    String name = model;
    if (name == null || name.isBlank()) {
      name = env.getOrDefault("ATELIER_UPSTREAM_MODEL", "");
    }
    UpstreamConfig base = UpstreamConfig.fromEnvironment(env);
    UpstreamConfig.Builder b =
        base.toBuilder().requestTimeout(Duration.ofSeconds(timeoutSeconds)).maxRetries(retries);
    if (!name.isBlank()) {
      b.model(name).maxImagesPerCall(UpstreamConfig.defaultMaxImagesPerCall(name));
    }
    if (maxN != null) {
      b.maxImagesPerCall(maxN);
    }
    return b.build();
  }

  /** The bundled prices, with the file's added when one is named. */
  PriceTable prices() {
    if (priceTable == null) {
      return PriceTable.bundled();
    }
    try {
      return PriceTable.load(priceTable);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "--price-table " + priceTable + " cannot be read: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--price-table: " + e.getMessage());
    }
  }
}
