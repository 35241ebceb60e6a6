package dev.atelier.engine.openai.internal;

import java.util.List;
import java.util.Optional;

/**
 * What one upstream call returned, not yet decoded.
 *
 * @param images the images in the upstream's order
 * @param usage the call's token usage, when reported
 * @param requestId the upstream's {@code x-request-id}, or {@code ""}
 */
public record CallResult(List<UpstreamImage> images, Optional<Usage> usage, String requestId) {

  /** Copies the list. */
  public CallResult {
    images = List.copyOf(images);
  }

  /**
   * One image of an answer.
   *
   * @param b64Json the base64 image ({@code b64_json})
   * @param revisedPrompt the prompt the upstream actually used, or {@code ""}
   */
  public record UpstreamImage(String b64Json, String revisedPrompt) {}
}
