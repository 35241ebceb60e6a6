package dev.atelier.core;

import dev.atelier.core.image.RgbImage;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A reference image that guides a generation or an edit without being edited itself.
 *
 * @param image the reference
 * @param role what to take from it
 * @param weight how strongly, 0..1 (1 = as much as the engine can)
 */
public record Reference(RgbImage image, Role role, double weight) {
  /** Most references one request may carry. */
  public static final int MAX_REFERENCES = 4;

  /** What a reference contributes. */
  public enum Role {
    /** Palette, medium, lighting: how the image looks, not what it shows. */
    STYLE,
    /** The main subject to show again (a product, a pet). */
    SUBJECT,
    /** A person or character whose identity must stay the same. */
    CHARACTER,
    /** An object to place in the image. */
    OBJECT;

    /** The wire name: {@code style}, {@code subject}, {@code character}, {@code object}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The wire names, in order. */
    public static List<String> wireNames() {
      return java.util.Arrays.stream(values()).map(Role::wireName).toList();
    }

    /**
     * The role with this wire name.
     *
     * @throws IllegalArgumentException naming the accepted names
     */
    public static Role ofWireName(String name) {
      for (Role r : values()) {
        if (r.wireName().equals(name)) {
          return r;
        }
      }
      throw new IllegalArgumentException(
          "role must be one of " + wireNames() + " but was '" + name + "'");
    }
  }

  /** Validates the values. */
  public Reference {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(role, "role");
    if (!(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException("weight must be in 0..1 but was " + weight);
    }
  }

  /** Checks a request's references: at most {@link #MAX_REFERENCES}, none null. */
  static List<Reference> checkAll(List<Reference> references) {
    Objects.requireNonNull(references, "references");
    if (references.size() > MAX_REFERENCES) {
      throw new IllegalArgumentException(
          "references must hold at most "
              + MAX_REFERENCES
              + " images but holds "
              + references.size());
    }
    return List.copyOf(references);
  }
}
