package dev.atelier.engine.onnx.hub.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.hub.HubFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Hub's {@code /api/models/{repo}/tree/{revision}?recursive=true} answer.
 *
 * <p>The answer is a JSON array of entries {@code {"type": "file"|"directory", "path", "size",
 * "lfs": {"oid", "size"}}}; large listings are paged with an RFC 8288 {@code Link: <...>;
 * rel="next"} header.
 */
public final class TreeListing {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  private TreeListing() {}

  /**
   * The files (not directories) of one page.
   *
   * @throws IllegalArgumentException when the text is not a tree listing, saying what was found
   */
  public static List<HubFile> parse(String json) {
    JsonValue root = Json.parse(json);
    if (!(root instanceof JsonValue.Arr array)) {
      throw new IllegalArgumentException(
          "expected a JSON array of tree entries but found " + abbreviate(json));
    }
    List<HubFile> files = new ArrayList<>();
    for (JsonValue item : array.items()) {
      if (!(item instanceof JsonValue.Obj entry)) {
        throw new IllegalArgumentException("expected a tree entry object but found " + item);
      }
      if (!"file".equals(entry.string("type", ""))) {
        continue;
      }
      String path = entry.string("path", "");
      long size = entry.integer("size", -1);
      String sha256 = "";
      Optional<JsonValue.Obj> lfs = entry.object("lfs");
      if (lfs.isPresent()) {
        sha256 = lfs.get().string("oid", "").toLowerCase(java.util.Locale.ROOT);
        size = lfs.get().integer("size", size);
      }
      files.add(new HubFile(path, size, sha256));
    }
    return files;
  }

  /** The {@code rel="next"} target of a {@code Link} header, if any. */
  public static Optional<String> nextPage(String linkHeader) {
    Matcher m = NEXT.matcher(linkHeader);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static String abbreviate(String text) {
    String t = text.strip();
    return t.length() <= 80 ? "'" + t + "'" : "'" + t.substring(0, 80) + "...'";
  }
}
