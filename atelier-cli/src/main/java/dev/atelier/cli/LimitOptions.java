package dev.atelier.cli;

import dev.atelier.server.RequestLimits;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code serve}'s request limits: one flag per {@link RequestLimits} field, with the same defaults
 * ({@code LimitOptionsTest} keeps the two from drifting apart). Sizes are in MiB.
 */
final class LimitOptions {
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--max-json-mb",
      paramLabel = "MIB",
      defaultValue = "80",
      description =
          "Largest JSON body, in MiB; a larger declared Content-Length is a 413 before anything"
              + " is read. Default: ${DEFAULT-VALUE}.")
  long maxJsonMb;

  @Option(
      names = "--max-multipart-mb",
      paramLabel = "MIB",
      defaultValue = "200",
      description = "Largest multipart body, in MiB. Default: ${DEFAULT-VALUE}.")
  long maxMultipartMb;

  @Option(
      names = "--max-parts",
      paramLabel = "N",
      defaultValue = "64",
      description = "Most parts in one multipart body. Default: ${DEFAULT-VALUE}.")
  int maxParts;

  @Option(
      names = "--max-json-depth",
      paramLabel = "N",
      defaultValue = "64",
      description = "Deepest nesting of JSON arrays and objects. Default: ${DEFAULT-VALUE}.")
  int maxJsonDepth;

  @Option(
      names = "--max-number-chars",
      paramLabel = "N",
      defaultValue = "64",
      description = "Longest JSON number, in characters. Default: ${DEFAULT-VALUE}.")
  int maxNumberChars;

  @Option(
      names = "--max-image-mb",
      paramLabel = "MIB",
      defaultValue = "50",
      description =
          "Largest encoded input image, in MiB (OpenAI's limit). Default: ${DEFAULT-VALUE}.")
  long maxImageMb;

  @Option(
      names = "--max-image-pixels",
      paramLabel = "N",
      defaultValue = "8294400",
      description =
          "Most pixels of one input image, read from its header before decoding (3840x2160,"
              + " OpenAI's largest size). Default: ${DEFAULT-VALUE}.")
  long maxImagePixels;

  @Option(
      names = "--max-image-side",
      paramLabel = "N",
      defaultValue = "16384",
      description = "Longest side of one input image, in pixels. Default: ${DEFAULT-VALUE}.")
  int maxImageSide;

  @Option(
      names = "--max-images-per-request",
      paramLabel = "N",
      defaultValue = "21",
      description =
          "Most images one request may bring: edit images, mask and references together."
              + " Default: ${DEFAULT-VALUE}.")
  int maxImagesPerRequest;

  @Option(
      names = "--max-pixels-per-request",
      paramLabel = "N",
      defaultValue = "33177600",
      description =
          "Most decoded pixels all images of one request may add up to. Default: ${DEFAULT-VALUE}.")
  long maxPixelsPerRequest;

  /**
   * The limits the flags set.
   *
   * @throws ParameterException naming the first flag below 1
   */
  RequestLimits limits() {
    return new RequestLimits(
        mib("--max-json-mb", maxJsonMb),
        mib("--max-multipart-mb", maxMultipartMb),
        (int) positive("--max-parts", maxParts),
        (int) positive("--max-json-depth", maxJsonDepth),
        (int) positive("--max-number-chars", maxNumberChars),
        mib("--max-image-mb", maxImageMb),
        positive("--max-image-pixels", maxImagePixels),
        (int) positive("--max-image-side", maxImageSide),
        (int) positive("--max-images-per-request", maxImagesPerRequest),
        positive("--max-pixels-per-request", maxPixelsPerRequest));
  }

  private long mib(String flag, long value) {
    positive(flag, value);
    if (value > (Long.MAX_VALUE >> 20)) {
      throw new ParameterException(
          spec.commandLine(),
          flag + " must be at most " + (Long.MAX_VALUE >> 20) + " but was " + value);
    }
    return value << 20;
  }

  private long positive(String flag, long value) {
    if (value < 1) {
      throw new ParameterException(
          spec.commandLine(), flag + " must be at least 1 but was " + value);
    }
    return value;
  }
}
