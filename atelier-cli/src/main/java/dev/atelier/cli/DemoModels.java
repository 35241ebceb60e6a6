package dev.atelier.cli;

import dev.atelier.core.AtelierException.ModelUnavailable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The tiny random-weight models behind {@code --demo}: the test fixtures {@code tiny-sd}, {@code
 * tiny-sd-inpaint} and {@code tiny-clipseg}, bundled in the jar under {@code demo/} and extracted
 * once into {@code <data dir>/demo-models/} (ADR 0014).
 *
 * <p>ONNX Runtime loads graphs from files, so the models are written out; a marker holding the
 * SHA-256 of the bundled files makes later starts skip the copy, and a jar with other demo models
 * replaces the folder.
 */
final class DemoModels {

  /** The id the server announces for the demo's text-to-image model, its default. */
  static final String MODEL_NAME = "demo";

  /** The id the server announces for the demo's inpainting model. */
  static final String INPAINTING_NAME = "demo-inpaint";

  private static final String RESOURCE_ROOT = "demo";
  private static final String TEXT_TO_IMAGE = "tiny-sd";
  private static final String INPAINTING = "tiny-sd-inpaint";
  private static final String GROUNDING = "tiny-clipseg";
  private static final String MARKER = ".demo-sha256";

  private final Path root;

  private DemoModels(Path root) {
    this.root = root;
  }

  /** The folder the models were extracted into. */
  Path root() {
    return root;
  }

  /** The text-to-image (and image-to-image) model folder. */
  Path textToImage() {
    return root.resolve(TEXT_TO_IMAGE);
  }

  /** The 9-channel inpainting model folder. */
  Path inpainting() {
    return root.resolve(INPAINTING);
  }

  /** The CLIPSeg grounding model folder. */
  Path grounding() {
    return root.resolve(GROUNDING);
  }

  /**
   * The demo models under {@code dataDir/demo-models}, extracted from the jar unless an identical
   * copy is there.
   *
   * @throws ModelUnavailable when this build carries no demo models or they cannot be written
   */
  static DemoModels extract(Path dataDir) {
    Path target = dataDir.resolve("demo-models").toAbsolutePath().normalize();
    try {
      URL probe =
          DemoModels.class.getResource(
              "/" + RESOURCE_ROOT + "/" + TEXT_TO_IMAGE + "/model_index.json");
      if (probe == null) {
        throw new ModelUnavailable(
            "this build carries no demo models: expected "
                + RESOURCE_ROOT
                + "/"
                + TEXT_TO_IMAGE
                + " among the jar's resources (build atelier-cli with ./mvnw package)");
      }
      URI uri = probe.toURI();
      if (uri.getScheme().equals("jar")) {
        try (FileSystem jar = openJar(uri)) {
          copyIfChanged(jar.getPath("/" + RESOURCE_ROOT), target);
        }
      } else {
        copyIfChanged(Path.of(uri).getParent().getParent(), target);
      }
    } catch (IOException | URISyntaxException e) {
      throw new ModelUnavailable("cannot extract the demo models into " + target + ": " + e, e);
    }
    return new DemoModels(target);
  }

  private static FileSystem openJar(URI uri) throws IOException {
    try {
      return FileSystems.newFileSystem(uri, Map.of());
    } catch (FileSystemAlreadyExistsException e) {
      // Someone else opened the jar as a file system; a fresh one over the same file is harmless.
      String jar = uri.getSchemeSpecificPart();
      return FileSystems.newFileSystem(
          Path.of(URI.create(jar.substring(0, jar.indexOf("!/")))), Map.of());
    }
  }

  private static void copyIfChanged(Path source, Path target) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(source)) {
      files =
          walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
    }
    String digest = digest(source, files);
    if (upToDate(source, files, target, digest)) {
      return;
    }
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempDirectory(parent, "demo-models-");
    try {
      for (Path file : files) {
        Path to = temp.resolve(source.relativize(file).toString());
        Files.createDirectories(to.getParent());
        try (InputStream in = Files.newInputStream(file)) {
          Files.copy(in, to);
        }
      }
      Files.writeString(temp.resolve(MARKER), digest + "\n", StandardCharsets.UTF_8);
      deleteTree(target);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // Another `serve --demo` on the same data dir may have put a complete copy there first.
        if (!upToDate(source, files, target, digest)) {
          throw e;
        }
      }
    } finally {
      if (Files.exists(temp)) {
        deleteTree(temp);
      }
    }
  }

  /** True when every bundled file is in the target with its size and the marker names the set. */
  private static boolean upToDate(Path source, List<Path> files, Path target, String digest)
      throws IOException {
    Path marker = target.resolve(MARKER);
    if (!Files.isRegularFile(marker)
        || !Files.readString(marker, StandardCharsets.UTF_8).strip().equals(digest)) {
      return false;
    }
    for (Path file : files) {
      Path copy = target.resolve(source.relativize(file).toString());
      if (!Files.isRegularFile(copy) || Files.size(copy) != Files.size(file)) {
        return false;
      }
    }
    return true;
  }

  /** SHA-256 over every file's relative path and bytes, in path order. */
  private static String digest(Path source, List<Path> files) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    for (Path file : files) {
      sha.update(source.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          sha.update(buffer, 0, n);
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
