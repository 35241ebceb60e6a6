package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atelier.core.GeneratedImage;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
  @TempDir Path out;

  @Test
  void writesPngsWithTheUmaskModeLikeAnyCliTool() throws Exception {
    assumeTrue(out.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = out.resolve("atelier-1.png");
    // A plain new file gets 0666 less the umask; the image must get the same.
    Path plain = Files.createFile(out.resolve("plain"));

    ImageFiles.writePng(image(), file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)));
    try (var left = Files.list(out)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("atelier-1.png", "plain");
    }
  }

  @Test
  void writesTheSharedParametersText() throws Exception {
    Path file = out.resolve("a.png");

    ImageFiles.writePng(image(), file);

    Map<String, String> text = ImageCodec.readPngText(Files.readAllBytes(file));
    assertThat(text.get("parameters"))
        .isEqualTo(
            "a cup\nSteps: 4, Sampler: euler_a, CFG scale: 7.5, Seed: 1, Size: 8x8, Model: tiny");
    assertThat(text).containsKeys("atelier", "Software");
  }

  private static GeneratedImage image() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("model", "tiny");
    p.put("prompt", "a cup");
    p.put("scheduler", "euler_a");
    p.put("steps", "4");
    p.put("guidance", "7.5");
    p.put("size", "8x8");
    return new GeneratedImage(RgbImage.fromFloats(8, 8, new float[8 * 8 * 3]), 1, p);
  }
}
