package dev.atelier.engine.onnx.model.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Counts physical CPU cores, for ONNX Runtime's intra-op thread pool. */
public final class CpuInfo {
  private CpuInfo() {}

  /**
   * Physical cores on Linux (distinct physical id/core id pairs in /proc/cpuinfo), else the
   * available processors; never less than 1.
   */
  public static int physicalCores() {
    int logical = Runtime.getRuntime().availableProcessors();
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return logical;
    }
    try {
      List<String> lines = Files.readAllLines(cpuinfo);
      Set<String> cores = new HashSet<>();
      String physical = "0";
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String key = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (key.equals("physical id")) {
          physical = value;
        } else if (key.equals("core id")) {
          cores.add(physical + "/" + value);
        }
      }
      // Containers may limit the CPUs we can use below what the host reports.
      int physicalCount = cores.isEmpty() ? logical : cores.size();
      return Math.max(1, Math.min(physicalCount, logical));
    } catch (IOException | RuntimeException e) {
      return Math.max(1, logical);
    }
  }
}
