package dev.atelier.engine.onnx.hub;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One bundled short name for a Hub model, such as {@code sd15}.
 *
 * @param name the short name users type
 * @param repo the Hub repository id, {@code owner/name}
 * @param revision the revision to pull
 * @param licence the licence as the model page states it
 * @param size the approximate download size, for display
 * @param capabilities what the model can be used for
 * @param note caveats, such as facts that were not verified; {@code ""} when none
 */
public record RegistryEntry(
    String name,
    String repo,
    String revision,
    String licence,
    String size,
    Set<Capability> capabilities,
    String note) {

  /** What a registered model is good for. */
  public enum Capability {
    /** Generates images from a prompt. */
    TEXT_TO_IMAGE("text-to-image"),
    /** Repaints a masked region. */
    INPAINTING("inpainting"),
    /** Edits an image by instruction (InstructPix2Pix style). */
    INSTRUCTION_EDITING("instruction-editing"),
    /** Finds the region a phrase names (CLIPSeg). */
    GROUNDING("grounding"),
    /** A small, fast latent decoder (TAESD). */
    TINY_DECODER("tiny-decoder");

    private final String wireName;

    Capability(String wireName) {
      this.wireName = wireName;
    }

    /** The name used in {@code registry.json}, e.g. {@code text-to-image}. */
    public String wireName() {
      return wireName;
    }

    /**
     * The capability with the given wire name.
     *
     * @throws IllegalArgumentException naming the known names when there is no such capability
     */
    public static Capability fromWireName(String name) {
      for (Capability c : values()) {
        if (c.wireName.equals(name)) {
          return c;
        }
      }
      throw new IllegalArgumentException(
          "capability must be one of text-to-image, inpainting, instruction-editing, grounding,"
              + " tiny-decoder but was '"
              + name
              + "'");
    }
  }

  /** Validates the values. */
  public RegistryEntry {
    Objects.requireNonNull(licence, "licence");
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(note, "note");
    if (name == null || !name.matches("[a-z0-9][a-z0-9._-]*")) {
      throw new IllegalArgumentException(
          "registry name must be lower-case letters, digits, '.', '_' or '-' but was '"
              + name
              + "'");
    }
    new ModelId(
        repo.substring(0, Math.max(0, repo.indexOf('/'))),
        repo.substring(repo.indexOf('/') + 1),
        revision);
    capabilities =
        capabilities.isEmpty()
            ? Set.of()
            : java.util.Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
  }

  /** The id to pull, {@code repo@revision}. */
  public ModelId modelId() {
    return new ModelId(
        repo.substring(0, repo.indexOf('/')), repo.substring(repo.indexOf('/') + 1), revision);
  }
}
