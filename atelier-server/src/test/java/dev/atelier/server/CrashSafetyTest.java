package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while images are being written: afterwards no row points at a missing blob, and the next
 * start sweeps every blob and temp file that no row references.
 */
class CrashSafetyTest {
  @TempDir Path data;

  @Test
  void killDashNineLeavesNoDanglingRowAndTheNextStartSweepsOrphans() throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                CrashHarness.class.getName(),
                data.toString())
            .redirectErrorStream(true)
            .start();
    int port;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      Matcher m = null;
      while ((line = out.readLine()) != null) {
        m = Pattern.compile("READY (\\d+)").matcher(line);
        if (m.find()) {
          break;
        }
      }
      assertThat(m).as("the child server announced its port").isNotNull();
      port = Integer.parseInt(m.group(1));

      HttpClient http = HttpClient.newHttpClient();
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        inFlight.add(
            http.sendAsync(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"cup " + i + "\",\"n\":4,\"size\":\"512x512\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      // Kill as soon as the first request has been answered, with the others mid-flight.
      CompletableFuture.anyOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    try (MetadataStore metadata = Stores.open(data, "")) {
      BlobStore blobs = Stores.blobs(data);
      assertThat(metadata.referencedBlobs()).as("images committed before the kill").isNotEmpty();
      for (String sha : metadata.referencedBlobs()) {
        assertThat(blobs.exists(sha)).as("blob of a committed row: " + sha).isTrue();
      }
      AtelierServer restarted =
          AtelierServer.start(
              new FakeEngine(),
              metadata,
              blobs,
              new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false));
      restarted.close();
      List<String> files;
      try (Stream<Path> s = Files.walk(data.resolve("blobs"))) {
        files = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
      }
      assertThat(files)
          .as("blob files after the start-up sweep")
          .hasSameSizeAs(metadata.referencedBlobs());
      assertThat(files).allSatisfy(name -> assertThat(metadata.referencedBlobs()).contains(name));
    }
  }
}
