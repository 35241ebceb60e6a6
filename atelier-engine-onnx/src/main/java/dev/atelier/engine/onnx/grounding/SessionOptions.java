package dev.atelier.engine.onnx.grounding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.atelier.core.AtelierException;
import dev.atelier.engine.onnx.model.OrtSettings;
import java.nio.file.Path;

/**
 * Opens a CLIPSeg session with the options the diffusion components use: full graph optimisation,
 * the configured intra-op threads, one inter-op thread, no spinning, CUDA when asked.
 */
final class SessionOptions {
  private SessionOptions() {}

  static OrtSession open(OrtEnvironment env, Path file, OrtSettings settings) {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      o.setIntraOpNumThreads(settings.intraOpThreads());
      o.setInterOpNumThreads(1);
      // An idle server should not burn a core per thread spinning for work.
      o.addConfigEntry("session.intra_op.allow_spinning", "0");
      o.addConfigEntry("session.inter_op.allow_spinning", "0");
      if (settings.device() == OrtSettings.Device.CUDA) {
        o.addCUDA(settings.deviceId());
      }
      // From the path, not bytes, so that external weight files beside the graph resolve.
      return env.createSession(file.toString(), o);
    } catch (OrtException e) {
      throw new AtelierException.ModelUnavailable(
          file + " could not be loaded by ONNX Runtime: " + e.getMessage(), e);
    }
  }
}
