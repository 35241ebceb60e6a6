package dev.atelier.engine.onnx.hub.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a pull takes from a repository that holds several formats, as the SDXL repos do. */
class FileSelectionTest {

  @Test
  void takesOnnxGraphsTheirExternalDataConfigsAndTokenizers() {
    assertThat(FileSelection.wanted("unet/model.onnx")).isTrue();
    assertThat(FileSelection.wanted("unet/model.onnx_data")).isTrue();
    assertThat(FileSelection.wanted("text_encoder_2/model.onnx.data")).isTrue();
    assertThat(FileSelection.wanted("model_index.json")).isTrue();
    assertThat(FileSelection.wanted("scheduler/scheduler_config.json")).isTrue();
    assertThat(FileSelection.wanted("tokenizer_2/merges.txt")).isTrue();
  }

  @Test
  void skipsSafetensorsOpenVinoFlaxAndRepoClutter() {
    assertThat(FileSelection.wanted("unet/diffusion_pytorch_model.safetensors")).isFalse();
    assertThat(FileSelection.wanted("unet/diffusion_pytorch_model.fp16.safetensors")).isFalse();
    assertThat(FileSelection.wanted("sd_xl_base_1.0.safetensors")).isFalse();
    assertThat(FileSelection.wanted("sd_xl_base_1.0_0.9vae.safetensors")).isFalse();
    assertThat(FileSelection.wanted("unet/openvino_model.xml")).isFalse();
    assertThat(FileSelection.wanted("unet/openvino_model.bin")).isFalse();
    assertThat(FileSelection.wanted("text_encoder_2/flax_model.msgpack")).isFalse();
    assertThat(FileSelection.wanted("01.png")).isFalse();
    assertThat(FileSelection.wanted(".gitattributes")).isFalse();
  }
}
