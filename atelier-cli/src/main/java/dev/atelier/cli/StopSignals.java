package dev.atelier.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM, SIGINT and SIGHUP as a request to stop a running server cleanly, handled before the JVM
 * begins to shut down.
 *
 * <p>By default these signals start the JVM's shutdown, which runs every shutdown hook at once.
 * ONNX Runtime's Java binding registers one that releases its native environment: while a worker's
 * job thread was still inside {@code OrtSession.run} (a drain waits for it to reach its next step
 * and give its job back), that hook freed the environment under it and the process died with
 * SIGSEGV before the job was given back, its attempt counted. Handled here, a signal only asks the
 * server to stop; the server drains, closes its engine and stores, and then exits with {@code 128 +
 * the signal's number} (143 for SIGTERM, as before), when ONNX Runtime's hook has nothing running
 * left to break.
 *
 * <p>While no server is registered a signal exits at once with that code, as the JVM would.
 * Handlers use {@code sun.misc.Signal} (module {@code jdk.unsupported}) by reflection, which keeps
 * the {@code -Xlint:all} build free of its proprietary-API warnings; where it is unavailable (a JVM
 * started with {@code -Xrs}) the caller's shutdown hook remains the only way to stop.
 */
final class StopSignals {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

  /** The signals a terminal, {@code kill} and container runtimes send to stop a process. */
  private static final List<String> NAMES = List.of("TERM", "INT", "HUP");

  private static final Set<Registration> REGISTERED = ConcurrentHashMap.newKeySet();

  /** Guarded by the class. */
  private static boolean installed;

  private StopSignals() {}

  /**
   * Calls {@code stop} with the signal's number when one of the signals comes, until the returned
   * registration is closed; installs the handlers on first use.
   *
   * @return the registration; {@link Registration#close()} ends it
   */
  static Registration register(IntConsumer stop) {
    install();
    Registration r = new Registration(stop);
    REGISTERED.add(r);
    return r;
  }

  /** One server stopped by the signals; {@link #close()} stops listening. */
  static final class Registration implements AutoCloseable {
    private final IntConsumer stop;

    private Registration(IntConsumer stop) {
      this.stop = stop;
    }

    @Override
    public void close() {
      REGISTERED.remove(this);
    }
  }

  private static void received(String name, int number) {
    if (REGISTERED.isEmpty()) {
      // Nothing to stop cleanly: what the JVM does by default.
      System.exit(128 + number);
    }
    LOG.info("SIG{} received: stopping", name);
    for (Registration r : REGISTERED) {
      r.stop.accept(number);
    }
  }

  private static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Method handle = signal.getMethod("handle", signal, handlerType);
      Method name = signal.getMethod("getName");
      Method number = signal.getMethod("getNumber");
      Object handler =
          Proxy.newProxyInstance(
              StopSignals.class.getClassLoader(),
              new Class<?>[] {handlerType},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "handle" -> {
                      received((String) name.invoke(args[0]), (Integer) number.invoke(args[0]));
                      yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "StopSignals";
                  });
      for (String n : NAMES) {
        try {
          handle.invoke(null, signal.getConstructor(String.class).newInstance(n), handler);
        } catch (InvocationTargetException e) {
          // -Xrs, or a signal the JVM or the OS keeps (SIGHUP under nohup is ignored).
          LOG.debug("SIG{} not handled: {}", n, e.getCause().toString());
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("no signal handlers ({}): signals run the shutdown hook", e.toString());
    }
  }
}
