package dev.atelier.engine.onnx.model;

import dev.atelier.engine.onnx.model.internal.CpuInfo;

/**
 * How ONNX Runtime sessions are created for a model.
 *
 * @param intraOpThreads threads per operator; 0 is replaced by the number of physical cores (ONNX
 *     Runtime's own default gave one thread on our 2-core machines, see docs/performance-notes)
 * @param device where to run
 * @param deviceId GPU ordinal for {@link Device#CUDA}
 * @param maxUnetBatch largest batch one UNet call runs; bigger batches are split (0 = never). On
 *     CPU a batch of 1 is as fast per row as any larger one and holds half the attention buffers of
 *     a guided batch of 2 (ADR 0026), so that is the default there
 * @param optimizedCacheDir folder where optimised graphs are kept between runs, so later loads skip
 *     most of the optimisation; {@code ""} for none
 * @param fixedShapeSessions how many extra UNet sessions, each with every symbolic dimension fixed
 *     to one (batch, size) shape, are kept for the most recently used shapes (0 = none). ONNX
 *     Runtime plans static shapes better (docs/benchmarks.md: UNet steps up to 2.9x faster on the
 *     tiny model); each one costs a second copy of the UNet in memory and its own session creation
 * @param memoryPattern whether ONNX Runtime plans one block for all of a run's intermediate tensors
 *     from the shapes of the previous run (its memory pattern optimisation). On at real size it
 *     holds the whole plan of the largest run resident; docs/benchmarks.md measures its cost
 * @param cpuArena how the CPU allocator keeps freed memory between runs
 */
public record OrtSettings(
    int intraOpThreads,
    Device device,
    int deviceId,
    int maxUnetBatch,
    String optimizedCacheDir,
    int fixedShapeSessions,
    boolean memoryPattern,
    CpuArena cpuArena) {

  /**
   * How ONNX Runtime's CPU allocator keeps memory. The arena keeps every block a run needed for the
   * next run (fast, but resident forever at the largest run's size); shrinking returns the unused
   * blocks after each run; off hands each tensor back to the C allocator when it dies.
   */
  public enum CpuArena {
    /** ONNX Runtime's default: an arena that only grows. */
    ON,
    /** The arena, shrunk after every run ({@code memory.enable_memory_arena_shrinkage}). */
    SHRINK,
    /** No arena: tensors come from and return to the C allocator. */
    OFF;

    /** The lower-case name users type, e.g. {@code shrink}. */
    public String flag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Execution providers Atelier knows how to select. */
  public enum Device {
    /** The default CPU provider. */
    CPU,
    /** NVIDIA CUDA; needs the {@code -Pcuda} build (onnxruntime_gpu) and a driver. */
    CUDA
  }

  /**
   * Settings with the device's defaults and no cache. On CPU: UNet calls of one row (guidance as
   * two calls), no memory pattern, and an arena shrunk after every run (ADR 0026: the peak of a 4
   * GiB model's image falls from 2.8x to about 1.5x its size at the same speed); on CUDA: ONNX
   * Runtime's own defaults and no batch limit.
   */
  public OrtSettings(int intraOpThreads, Device device, int deviceId) {
    this(
        intraOpThreads,
        device,
        deviceId,
        device == Device.CPU ? 1 : 0,
        "",
        0,
        device != Device.CPU,
        device == Device.CPU ? CpuArena.SHRINK : CpuArena.ON);
  }

  /** These settings with optimised graphs cached in {@code dir}. */
  public OrtSettings withOptimizedCache(java.nio.file.Path dir) {
    return new OrtSettings(
        intraOpThreads,
        device,
        deviceId,
        maxUnetBatch,
        dir.toString(),
        fixedShapeSessions,
        memoryPattern,
        cpuArena);
  }

  /** These settings with up to {@code sessions} shape-specialised UNet sessions. */
  public OrtSettings withFixedShapeSessions(int sessions) {
    return new OrtSettings(
        intraOpThreads,
        device,
        deviceId,
        maxUnetBatch,
        optimizedCacheDir,
        sessions,
        memoryPattern,
        cpuArena);
  }

  /**
   * These settings with UNet calls of at most {@code batch} rows (0 = never split). A batch of 1
   * runs classifier-free guidance as two calls, one per half.
   */
  public OrtSettings withMaxUnetBatch(int batch) {
    return new OrtSettings(
        intraOpThreads,
        device,
        deviceId,
        batch,
        optimizedCacheDir,
        fixedShapeSessions,
        memoryPattern,
        cpuArena);
  }

  /** These settings with the given memory pattern choice and CPU arena. */
  public OrtSettings withMemory(boolean pattern, CpuArena arena) {
    return new OrtSettings(
        intraOpThreads,
        device,
        deviceId,
        maxUnetBatch,
        optimizedCacheDir,
        fixedShapeSessions,
        pattern,
        arena);
  }

  /** Validates the values and resolves a thread count of 0. */
  public OrtSettings {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("threads must be >= 0 but was " + intraOpThreads);
    }
    java.util.Objects.requireNonNull(optimizedCacheDir, "optimizedCacheDir");
    java.util.Objects.requireNonNull(cpuArena, "cpuArena");
    if (maxUnetBatch < 0) {
      throw new IllegalArgumentException("maxUnetBatch must be >= 0 but was " + maxUnetBatch);
    }
    if (fixedShapeSessions < 0 || fixedShapeSessions > 8) {
      throw new IllegalArgumentException(
          "fixed-shape sessions must be 0..8 but was " + fixedShapeSessions);
    }
    if (deviceId < 0) {
      throw new IllegalArgumentException("device id must be >= 0 but was " + deviceId);
    }
    if (intraOpThreads == 0) {
      intraOpThreads = CpuInfo.physicalCores();
    }
  }

  /** CPU with one intra-op thread per physical core. */
  public static OrtSettings cpu() {
    return new OrtSettings(0, Device.CPU, 0);
  }
}
