package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * {@code atelier serve} run in this JVM on a thread of its own, for tests: {@link #start} returns
 * once it listens (failing with its output if it does not within a minute), {@link #close} stops it
 * as a signal would and waits for it.
 */
final class InProcessServe implements AutoCloseable {
  private final ServeCommand serve = new ServeCommand();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final Thread thread;

  private InProcessServe(java.util.function.Consumer<ServeCommand> setup, String... args) {
    setup.accept(serve);
    CommandLine cli = new CommandLine(serve);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    thread = new Thread(() -> cli.execute(args), "serve-under-test");
  }

  /** Runs {@code atelier serve ARGS} and waits until it listens. */
  static InProcessServe start(String... args) throws InterruptedException {
    return start(serve -> {}, args);
  }

  /**
   * Runs {@code atelier serve ARGS} after {@code setup} (e.g. the environment it reads) and waits
   * until it listens.
   */
  static InProcessServe start(java.util.function.Consumer<ServeCommand> setup, String... args)
      throws InterruptedException {
    InProcessServe s = new InProcessServe(setup, args);
    s.thread.start();
    boolean started = s.serve.started.await(60, TimeUnit.SECONDS);
    if (!started) {
      s.close();
    }
    assertThat(started).as("serve started; out: %s; err: %s", s.out, s.err).isTrue();
    return s;
  }

  /** The port it listens on. */
  int port() {
    return serve.server.port();
  }

  /** {@code http://127.0.0.1:PORT}. */
  String base() {
    return "http://127.0.0.1:" + port();
  }

  /** What it printed so far. */
  String out() {
    return out.toString();
  }

  /** What it printed to standard error so far. */
  String err() {
    return err.toString();
  }

  @Override
  public void close() throws InterruptedException {
    serve.stop.countDown();
    thread.join(60_000);
  }
}
