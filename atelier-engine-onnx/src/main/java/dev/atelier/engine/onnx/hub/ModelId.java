package dev.atelier.engine.onnx.hub;

import dev.atelier.core.AtelierException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hub model repository at one revision, such as {@code onnx-community/stable-diffusion-v1-5-ONNX}
 * at {@code main}.
 *
 * @param owner the user or organisation
 * @param name the repository name
 * @param revision a branch, tag or commit; {@code main} by default
 */
public record ModelId(String owner, String name, String revision) {

  /** The revision used when an id names none. */
  public static final String DEFAULT_REVISION = "main";

  private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
  private static final Pattern ID = Pattern.compile("([^/@]+)/([^/@]+)(?:@(.+))?");

  /**
   * Validates the parts; {@code ..} and {@code --} are refused because ids become folder names.
   *
   * @throws IllegalArgumentException when a part is malformed
   */
  public ModelId {
    check("owner", owner, PART);
    check("name", name, PART);
    check("revision", revision, REVISION);
    if (owner.contains("--") || name.contains("--")) {
      throw new IllegalArgumentException(
          "model owner and name must not contain '--' but were " + owner + "/" + name);
    }
    if (revision.endsWith("/") || revision.contains("//")) {
      throw new IllegalArgumentException("revision has an empty part: '" + revision + "'");
    }
  }

  /**
   * Parses {@code owner/name} or {@code owner/name@revision}.
   *
   * @throws AtelierException.InvalidRequest when the text is not such an id (param {@code model})
   */
  public static ModelId parse(String text) {
    Matcher m = ID.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new AtelierException.InvalidRequest(
          "model",
          "model id must look like owner/name or owner/name@revision but was '" + text + "'");
    }
    try {
      return new ModelId(
          m.group(1), m.group(2), m.group(3) == null ? DEFAULT_REVISION : m.group(3));
    } catch (IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest(
          "model", "model id '" + text + "' is malformed: " + e.getMessage());
    }
  }

  /** {@code owner/name}, the repository id the Hub knows. */
  public String repo() {
    return owner + "/" + name;
  }

  /** The cache folder name of the repository: {@code owner--name}, as huggingface_hub does. */
  public String folderName() {
    return owner + "--" + name;
  }

  /** The cache folder name of the revision; a {@code /} in a branch name becomes {@code --}. */
  public String revisionFolderName() {
    return revision.replace("/", "--");
  }

  @Override
  public String toString() {
    return repo() + "@" + revision;
  }

  private static void check(String what, String value, Pattern pattern) {
    if (value == null || !pattern.matcher(value).matches() || value.contains("..")) {
      throw new IllegalArgumentException(
          what + " must be letters, digits, '.', '_' or '-' (no '..') but was '" + value + "'");
    }
  }
}
