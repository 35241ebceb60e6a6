package dev.atelier.engine.onnx.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerTest {
  private static final String GOLDEN = "/diffusers-tiny/goldens/tokenizer.json";

  @TempDir Path temp;

  private static Path golden() throws URISyntaxException {
    URL url = ClipTokenizerTest.class.getResource(GOLDEN);
    assertThat(url).as("classpath resource %s", GOLDEN).isNotNull();
    return Path.of(url.toURI());
  }

  private static Path fixtureDir() throws URISyntaxException {
    return TokenizerGoldens.tokenizerDir(golden());
  }

  /** A writable copy of the fixture tokenizer, for tests that break or change a file. */
  private Path copyOfFixture() throws IOException, URISyntaxException {
    Path dir = temp.resolve("tokenizer");
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(fixtureDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName().toString()));
      }
    }
    return dir;
  }

  @TestFactory
  Stream<DynamicTest> matchesTransformersGoldens() throws URISyntaxException {
    return TokenizerGoldens.tests(golden());
  }

  @Test
  void readsSpecialTokensAndLengthFromTheFolder() throws URISyntaxException {
    ClipTokenizer tok = ClipTokenizer.load(fixtureDir());

    assertThat(tok.bosId()).isEqualTo(812);
    assertThat(tok.eosId()).isEqualTo(813);
    assertThat(tok.padId()).isEqualTo(813);
    assertThat(tok.maxLength()).isEqualTo(77);
    assertThat(tok.vocabSize()).isEqualTo(814);
  }

  @Test
  void framesPadsAndTruncatesToMaxLength() throws URISyntaxException {
    ClipTokenizer tok = ClipTokenizer.load(fixtureDir());

    assertThat(tok.encode("")).containsExactly(812, 813);
    assertThat(tok.encodePadded("")).hasSize(77).startsWith(812, 813).endsWith(813);

    String longText = "long ".repeat(200);
    int[] ids = tok.encode(longText);
    assertThat(tok.tokenIds(longText)).hasSizeGreaterThan(75);
    assertThat(ids).hasSize(77);
    assertThat(ids[0]).isEqualTo(812);
    assertThat(ids[76]).isEqualTo(813);
    assertThat(tok.encodePadded(longText)).containsExactly(ids);
  }

  @Test
  void isCaseInsensitiveAndIgnoresWhitespaceRuns() throws URISyntaxException {
    ClipTokenizer tok = ClipTokenizer.load(fixtureDir());

    assertThat(tok.tokenize("  A\u00a0White\t\nCUP ")).isEqualTo(tok.tokenize("a white cup"));
  }

  @Test
  void padsWithAPadTokenDistinctFromEos() throws IOException, URISyntaxException {
    Path dir = copyOfFixture();
    Files.writeString(
        dir.resolve("special_tokens_map.json"),
        "{\"bos_token\": \"<|startoftext|>\", \"eos_token\": \"<|endoftext|>\","
            + " \"pad_token\": \"!\", \"unk_token\": \"<|endoftext|>\"}",
        StandardCharsets.UTF_8);

    ClipTokenizer tok = ClipTokenizer.load(dir);

    assertThat(tok.padId()).isEqualTo(0);
    int[] padded = tok.encodePadded("a");
    assertThat(padded).startsWith(812, 320, 813);
    assertThat(padded[3]).isEqualTo(0);
    assertThat(padded[76]).isEqualTo(0);
  }

  @Test
  void missingVocabNamesTheFile() throws IOException, URISyntaxException {
    Path dir = copyOfFixture();
    Files.delete(dir.resolve("vocab.json"));

    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocab.json")
        .hasMessageContaining(dir.toString());
  }

  @Test
  void malformedMergeLineNamesFileAndLine() throws IOException, URISyntaxException {
    Path dir = copyOfFixture();
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\nt h\nbroken\n");

    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("merges.txt line 3")
        .hasMessageContaining("broken");
  }

  @Test
  void specialTokenMissingFromVocabIsReported() throws IOException, URISyntaxException {
    Path dir = copyOfFixture();
    Files.writeString(
        dir.resolve("special_tokens_map.json"),
        "{\"pad_token\": \"<pad>\"}",
        StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("special_tokens_map.json")
        .hasMessageContaining("pad_token")
        .hasMessageContaining("<pad>");
  }
}
