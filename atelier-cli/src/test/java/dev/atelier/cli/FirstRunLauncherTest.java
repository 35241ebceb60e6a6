package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first {@code ./atelier serve} on a machine without the Hub: the real launcher script
 * from the repository root, in a fresh home and data dir, with no model.
 *
 * <p>Tagged {@code launcher}: the script runs {@code target/atelier.jar}, so these run after the
 * package phase (the {@code launcher-tests} surefire execution of {@code ./mvnw verify}), when the
 * jar is fresh and the script does not rebuild it.
 */
@Tag("launcher")
class FirstRunLauncherTest {
  static final Path ROOT = Path.of(System.getProperty("atelier.root", "..")).toAbsolutePath();

  @TempDir Path home;

  record Result(int code, String stdout, String stderr) {}

  @Test
  void firstServeWithoutTheHubPrintsOneScreenWithTheWaysOn() throws Exception {
    Result r = atelier(Map.of("HF_ENDPOINT", "http://127.0.0.1:" + closedPort()), "serve");

    assertThat(r.code()).as(r.stderr()).isNotZero();
    assertThat(r.stderr())
        .contains("TheyCallMeHex/LCM-Dreamshaper-V7-ONNX")
        .contains(home.resolve("data").resolve("models").toString())
        .contains("cannot reach the Hub at http://127.0.0.1:")
        .contains("about 4.3 GB")
        .contains("resumes where it stopped")
        .contains("--model PATH")
        .contains("HF_ENDPOINT")
        .contains("--demo");
    assertNoStackTrace(r);
  }

  @Test
  void offlineServeWithAnEmptyCacheSaysSoAndBlamesOnlyTheFlag() throws Exception {
    Result r = atelier(Map.of(), "serve", "--offline");

    assertThat(r.code()).as(r.stderr()).isNotZero();
    assertThat(r.stderr())
        .contains("offline mode (set by --offline)")
        .contains("the model cache is empty")
        .contains(home.resolve("data").resolve("models").toString())
        .contains("drop --offline")
        .contains("--demo")
        .doesNotContain("ATELIER_OFFLINE")
        .doesNotContain("HF_HUB_OFFLINE");
    assertNoStackTrace(r);
  }

  private static void assertNoStackTrace(Result r) {
    assertThat(r.stderr() + r.stdout())
        .doesNotContain("Exception in thread")
        .doesNotContainPattern("\\n\\s+at [a-z]+\\.");
  }

  /** Runs {@code ./atelier ARGS} in a clean environment: temp HOME and data dir, no model. */
  private Result atelier(Map<String, String> extraEnv, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(ROOT.resolve("atelier").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    Map<String, String> env = pb.environment();
    for (String name :
        List.of(
            "ATELIER_MODEL",
            "ATELIER_OFFLINE",
            "HF_HUB_OFFLINE",
            "HF_ENDPOINT",
            "HF_TOKEN",
            "ATELIER_ENGINE",
            "ATELIER_DATABASE_URL",
            "ATELIER_TINY_DECODER",
            "ATELIER_GROUNDING_MODEL")) {
      env.remove(name);
    }
    env.put("HOME", home.toString());
    env.put("ATELIER_DATA_DIR", home.resolve("data").toString());
    // The launcher's default pre-touches a 1 GB heap; this check needs little.
    env.put("ATELIER_JAVA_OPTS", "-Xmx256m");
    env.putAll(extraEnv);
    Path out = home.resolve("stdout.txt");
    Path err = home.resolve("stderr.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("./atelier " + String.join(" ", args) + " did not exit in 120 s");
    }
    return new Result(p.exitValue(), read(out), read(err));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
