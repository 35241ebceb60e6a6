package dev.atelier.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.engine.onnx.model.OrtSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CUDA execution provider gives the CPU's image. Needs the {@code -Pcuda} build and an NVIDIA
 * GPU, so it is tagged {@code gpu} and excluded from a plain {@code ./mvnw verify}; run it with
 * {@code ./mvnw -Pcuda -DexcludedTestGroups= -Dtest=CudaEngineTest verify}.
 */
@Tag("gpu")
class CudaEngineTest {
  @Test
  void cudaMatchesCpuOnTheTinyModel() {
    Path model = Path.of("src/test/resources/diffusers-tiny/models/tiny-sd");
    SamplingParams s = SamplingParams.builder().steps(4).seed(7).scheduler("euler_a").build();
    GenerationRequest r = new GenerationRequest("a cup", new ImageSize(64, 64), s);
    GeneratedImage cpu;
    try (OnnxEngine e = OnnxEngine.load(model, OrtSettings.cpu())) {
      cpu = e.generate(r, ProgressListener.NONE, CancellationToken.none()).get(0);
    }
    try (OnnxEngine e = OnnxEngine.load(model, new OrtSettings(0, OrtSettings.Device.CUDA, 0))) {
      GeneratedImage gpu = e.generate(r, ProgressListener.NONE, CancellationToken.none()).get(0);
      int maxDiff = 0;
      for (int i = 0; i < cpu.image().rgb().length; i++) {
        maxDiff =
            Math.max(
                maxDiff, Math.abs((cpu.image().rgb()[i] & 0xff) - (gpu.image().rgb()[i] & 0xff)));
      }
      assertThat(maxDiff).isLessThanOrEqualTo(2);
    }
  }
}
