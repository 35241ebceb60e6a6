package dev.atelier.store;

import java.util.Objects;

/**
 * Whose rows a listing shows: one owner's, or every owner's (what an admin and a server without
 * keys see).
 *
 * @param everyone true to show every owner's rows ({@code owner} is then {@code ""})
 * @param owner the one owner whose rows are shown when {@code everyone} is false ({@code ""} is the
 *     owner of rows made without keys)
 */
public record OwnerScope(boolean everyone, String owner) {

  /** Every owner's rows. */
  public static final OwnerScope EVERYONE = new OwnerScope(true, "");

  /** Validates. */
  public OwnerScope {
    Objects.requireNonNull(owner, "owner");
    if (everyone && !owner.isEmpty()) {
      throw new IllegalArgumentException(
          "a scope of every owner names no owner but named '" + owner + "'");
    }
  }

  /** Only {@code owner}'s rows. */
  public static OwnerScope only(String owner) {
    return new OwnerScope(false, owner);
  }
}
