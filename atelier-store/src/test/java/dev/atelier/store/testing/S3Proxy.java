package dev.atelier.store.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: s3proxy (org.gaul:s3proxy, its {@code
 * jar-with-dependencies}) in a separate JVM on a free loopback port, storing into a temp folder
 * with jclouds' filesystem backend and checking AWS signatures (v2 or v4) against a fixed identity
 * and credential, so requests are really signed.
 *
 * <p>The build copies the jar to {@code target/s3proxy/s3proxy.jar} (maven-dependency-plugin, see
 * the parent pom) and names it in the system property {@value #JAR_PROPERTY}; a run outside Maven
 * (an IDE) falls back to the local Maven repository. A separate process keeps s3proxy's own Jetty
 * and jclouds off our test class path.
 */
public final class S3Proxy implements AutoCloseable {
  /** The system property naming s3proxy's jar. */
  public static final String JAR_PROPERTY = "atelier.s3proxy.jar";

  /** The access key id s3proxy accepts. */
  public static final String ACCESS_KEY = "atelier-test-access";

  /** The secret key s3proxy accepts (tests check it never shows in messages). */
  public static final String SECRET_KEY = "atelier-test-secret-7f3a9c0e5b";

  private static final String VERSION = "2.6.0";
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private final Process process;
  private final Path dir;
  private final String endpoint;
  private final S3Client client;
  private final List<String> output;

  private S3Proxy(Process process, Path dir, String endpoint, List<String> output) {
    this.process = process;
    this.dir = dir;
    this.endpoint = endpoint;
    this.output = output;
    this.client =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .region(Region.US_EAST_1)
            .endpointOverride(java.net.URI.create(endpoint))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .build();
  }

  /** The jar: {@value #JAR_PROPERTY}, else the local Maven repository's copy. */
  static Path jar() {
    String named = System.getProperty(JAR_PROPERTY);
    Path jar =
        named != null
            ? Path.of(named)
            : Path.of(
                System.getProperty("user.home"),
                ".m2/repository/org/gaul/s3proxy/" + VERSION,
                "s3proxy-" + VERSION + "-jar-with-dependencies.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "s3proxy's jar is not at "
              + jar
              + "; run the tests with ./mvnw verify, which copies org.gaul:s3proxy:"
              + VERSION
              + ":jar-with-dependencies from Maven Central to target/s3proxy/s3proxy.jar");
    }
    return jar;
  }

  /**
   * Starts s3proxy on a free loopback port, storing under a new temp folder, and waits (up to 60 s)
   * until it listens.
   *
   * @throws IllegalStateException when it exits or does not start in time (with its output)
   */
  public static S3Proxy start() {
    try {
      Path dir = Files.createTempDirectory("atelier-s3proxy-");
      Path data = Files.createDirectories(dir.resolve("data"));
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      String endpoint = "http://127.0.0.1:" + port;
      Path properties = dir.resolve("s3proxy.properties");
      Files.writeString(
          properties,
          String.join(
              "\n",
              "s3proxy.endpoint=" + endpoint,
              "s3proxy.authorization=aws-v2-or-v4",
              "s3proxy.identity=" + ACCESS_KEY,
              "s3proxy.credential=" + SECRET_KEY,
              "jclouds.provider=filesystem-nio2",
              // The backend's own credentials: unused by a filesystem, but s3proxy wants them.
              "jclouds.identity=" + ACCESS_KEY,
              "jclouds.credential=" + SECRET_KEY,
              "jclouds.filesystem.basedir=" + data,
              ""));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                  "-jar",
                  jar().toString(),
                  "--properties",
                  properties.toString())
              .redirectErrorStream(true)
              .start();
      List<String> output = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch started = new CountDownLatch(1);
      AtomicBoolean listening = new AtomicBoolean();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (output.size() < 500) {
                      output.add(line);
                    }
                    if (line.contains("Started Server")) {
                      listening.set(true);
                      started.countDown();
                    }
                  }
                } catch (IOException e) {
                  // the process ended
                }
                started.countDown();
              },
              "s3proxy-output");
      reader.setDaemon(true);
      reader.start();
      // Should JUnit not close it (a crashed run), the process still ends with this JVM.
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "s3proxy-stop"));
      if (!started.await(60, TimeUnit.SECONDS) || !listening.get()) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "s3proxy did not start on " + endpoint + ":\n" + String.join("\n", output));
      }
      return new S3Proxy(p, dir, endpoint, output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting s3proxy", e);
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return endpoint;
  }

  /** A client with the accepted credentials (to look behind a store's back). */
  public S3Client client() {
    return client;
  }

  /** Creates a bucket no other test uses and returns its name. */
  public String createBucket() {
    String name = "atelier-test-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
    client.createBucket(b -> b.bucket(name));
    return name;
  }

  /**
   * Makes the object {@code key} in {@code bucket} look last modified {@code by} ago, by setting
   * the modification time of the file s3proxy's filesystem backend keeps it in.
   */
  public void age(String bucket, String key, java.time.Duration by) throws IOException {
    Path file = dir.resolve("data").resolve(bucket).resolve(key);
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(by)));
  }

  /** What s3proxy printed so far (for failure messages). */
  public String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** Stops s3proxy and deletes its folder. */
  @Override
  public void close() {
    client.close();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
