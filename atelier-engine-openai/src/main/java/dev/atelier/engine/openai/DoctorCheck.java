package dev.atelier.engine.openai;

import java.util.Objects;

/**
 * One result of {@link OpenAiEngine#doctor()}: whether the upstream passed one check, and why.
 *
 * @param name what was checked: {@code reachable}, {@code key accepted} or {@code model visible}
 * @param ok whether the check passed
 * @param message what was found, or what to do about it; never contains the API key
 */
public record DoctorCheck(String name, boolean ok, String message) {
  /** Validates the texts. */
  public DoctorCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(message, "message");
  }
}
