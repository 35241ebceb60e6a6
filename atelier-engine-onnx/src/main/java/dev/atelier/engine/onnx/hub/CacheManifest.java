package dev.atelier.engine.onnx.hub;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The list of files a pull intends to fetch, written into the folder before the first byte.
 *
 * <p>It lets an offline run say exactly which files an interrupted pull still lacks.
 */
final class CacheManifest {

  static final String FILE_NAME = ".atelier-manifest.json";

  private CacheManifest() {}

  static void write(Path folder, ModelId model, List<HubFile> files) throws IOException {
    List<JsonValue> items = new ArrayList<>();
    for (HubFile f : files) {
      Map<String, JsonValue> m = new LinkedHashMap<>();
      m.put("path", new JsonValue.Str(f.path()));
      m.put("size", new JsonValue.Num(f.size()));
      m.put("sha256", new JsonValue.Str(f.sha256()));
      items.add(new JsonValue.Obj(m));
    }
    Map<String, JsonValue> root = new LinkedHashMap<>();
    root.put("repo", new JsonValue.Str(model.repo()));
    root.put("revision", new JsonValue.Str(model.revision()));
    root.put("files", new JsonValue.Arr(items));
    Files.createDirectories(folder);
    Files.writeString(
        folder.resolve(FILE_NAME), Json.write(new JsonValue.Obj(root)), StandardCharsets.UTF_8);
  }

  /** The files listed in the folder's manifest; empty when there is none. */
  static List<HubFile> read(Path folder) throws IOException {
    Path file = folder.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    JsonValue.Obj root = Json.parse(Files.readString(file, StandardCharsets.UTF_8)).asObject();
    List<HubFile> files = new ArrayList<>();
    for (JsonValue item : root.array("files")) {
      JsonValue.Obj f = item.asObject();
      files.add(new HubFile(f.string("path", ""), f.integer("size", 0), f.string("sha256", "")));
    }
    return files;
  }
}
