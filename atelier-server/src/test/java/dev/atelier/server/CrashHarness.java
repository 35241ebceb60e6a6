package dev.atelier.server;

import dev.atelier.store.Stores;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A server in its own JVM for the kill -9 and SIGTERM tests: prints {@code READY <port>} and serves
 * until it is killed or, with {@code drain-on-sigterm}, drains and closes on SIGTERM as {@code
 * atelier serve} does.
 */
public final class CrashHarness {
  private CrashHarness() {}

  /**
   * Starts the server on the data folder {@code args[0]}; {@code args[1]}, when given, is how long
   * each engine step takes in milliseconds; {@code args[2]}, when it is {@code drain-on-sigterm},
   * installs a shutdown hook that drains for up to 30 s, then closes the server and the store.
   */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    FakeEngine engine = new FakeEngine();
    if (args.length > 1) {
      engine.stepMillis = Long.parseLong(args[1]);
    }
    dev.atelier.store.MetadataStore metadata = Stores.open(data, "");
    AtelierServer server =
        AtelierServer.start(
            engine,
            metadata,
            Stores.blobs(data),
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withJobs(
                    dev.atelier.server.jobs.JobRunner.Settings.DEFAULT.withLease(
                        java.time.Duration.ofSeconds(1))));
    if (args.length > 2 && args[2].equals("drain-on-sigterm")) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    int givenBack = server.drain(java.time.Duration.ofSeconds(30)).givenBack();
                    System.out.println("DRAINED " + givenBack);
                    server.close();
                    metadata.close();
                  },
                  "harness-shutdown"));
    }
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
