package dev.atelier.server;

import dev.atelier.store.Stores;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A server in its own JVM for the kill -9 test: prints {@code READY <port>} and serves until it is
 * killed.
 */
public final class CrashHarness {
  private CrashHarness() {}

  /**
   * Starts the server on the data folder {@code args[0]}; {@code args[1]}, when given, is how long
   * each engine step takes in milliseconds.
   */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    FakeEngine engine = new FakeEngine();
    if (args.length > 1) {
      engine.stepMillis = Long.parseLong(args[1]);
    }
    AtelierServer server =
        AtelierServer.start(
            engine,
            Stores.open(data, ""),
            Stores.blobs(data),
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withJobs(
                    dev.atelier.server.jobs.JobRunner.Settings.DEFAULT.withLease(
                        java.time.Duration.ofSeconds(1))));
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
