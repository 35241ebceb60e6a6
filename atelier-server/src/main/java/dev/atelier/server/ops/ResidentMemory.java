package dev.atelier.server.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code process_resident_memory_bytes} from {@code /proc/self/status} ({@code VmRSS}): the memory
 * the process holds in RAM, heap, native model weights and ONNX Runtime arenas together, which no
 * JVM meter shows. Micrometer's binders have no such meter; on systems without {@code /proc} the
 * gauge is not registered.
 */
final class ResidentMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ResidentMemory() {}

  static void bindTo(MeterRegistry registry) {
    if (!Files.isReadable(STATUS) || Double.isNaN(read(STATUS))) {
      return;
    }
    Gauge.builder("process.resident.memory", STATUS, ResidentMemory::read)
        .description("Resident set size (VmRSS of /proc/self/status)")
        .baseUnit("bytes")
        .register(registry);
  }

  /** VmRSS in bytes ({@code VmRSS: 123456 kB}), NaN when it cannot be read. */
  static double read(Path status) {
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // A process without /proc (macOS, Windows) or an unexpected format: no value.
    }
    return Double.NaN;
  }
}
