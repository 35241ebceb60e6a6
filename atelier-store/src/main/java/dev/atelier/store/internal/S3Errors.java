package dev.atelier.store.internal;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Says what an S3 call's failure was, from the parts that never hold a credential. */
public final class S3Errors {
  private S3Errors() {}

  /**
   * {@code HTTP 403 SignatureDoesNotMatch: <the store's message>} for an answer from the store; the
   * SDK's message (connection refused, no credentials found) otherwise.
   */
  public static String describe(SdkException e) {
    if (e instanceof AwsServiceException a) {
      StringBuilder b = new StringBuilder("HTTP ").append(a.statusCode());
      var details = a.awsErrorDetails();
      if (details != null && details.errorCode() != null && !details.errorCode().isBlank()) {
        b.append(' ').append(details.errorCode());
      }
      if (details != null && details.errorMessage() != null && !details.errorMessage().isBlank()) {
        b.append(": ").append(details.errorMessage());
      }
      return b.toString();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
