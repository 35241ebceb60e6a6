package dev.atelier.core.json;

import java.util.Optional;

/**
 * Text that {@link Json#parse} could not read: not JSON, a repeated member, or over one of the
 * {@link Json.Limits}. The message names the offset (and the limit, for a limit); {@link #member()}
 * names the top-level member being read, so that a server can say which request field was at fault.
 */
public final class JsonReadException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int offset;
  private final String member;

  JsonReadException(String message, int offset, String member) {
    super(message);
    this.offset = offset;
    this.member = member;
  }

  /** Where in the text reading failed, in UTF-16 units from the start. */
  public int offset() {
    return offset;
  }

  /**
   * The member of the top-level object whose value was being read ({@code seed} for {@code {"seed":
   * 1e}}), or empty when the failure is outside any (the top level itself, a member name).
   */
  public Optional<String> member() {
    return Optional.ofNullable(member);
  }
}
