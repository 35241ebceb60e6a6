package dev.atelier.engine.openai.internal;

/** Keeps the API key out of text that leaves the engine (messages, provenance, logs). */
public final class Redaction {
  /** What replaces the key. */
  public static final String MARK = "[redacted]";

  private Redaction() {}

  /** {@code text} with every occurrence of {@code secret} replaced by {@link #MARK}. */
  public static String redact(String text, String secret) {
    if (secret.isEmpty() || !text.contains(secret)) {
      return text;
    }
    return text.replace(secret, MARK);
  }
}
