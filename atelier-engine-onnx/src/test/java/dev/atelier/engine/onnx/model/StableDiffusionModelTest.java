package dev.atelier.engine.onnx.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.AtelierException;
import dev.atelier.engine.onnx.testing.OnnxModelWriter;
import dev.atelier.engine.onnx.testing.OnnxModelWriter.ElementType;
import dev.atelier.engine.onnx.testing.TestFolders;
import dev.atelier.engine.onnx.testing.TinyGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader against export variants the fixtures lack, each built as a tiny graph with an analytic
 * output: int64 ids, scalar float timestep, {@code timestep_cond}, float16 I/O, {@code
 * latent_sample}, external weights; and the load-time errors for folders that do not fit.
 */
class StableDiffusionModelTest {
  @TempDir Path tmp;

  private StableDiffusionModel load(TinyFolder f) throws IOException {
    return StableDiffusionModel.load(f.write(tmp.resolve("model")), OrtSettings.cpu());
  }

  @Test
  void int64IdsScalarFloatTimestepAndConfigsFromTheFolder() throws IOException {
    try (StableDiffusionModel m = load(new TinyFolder())) {
      assertThat(m.textEncoder().hiddenSize()).isEqualTo(TinyFolder.HIDDEN);
      assertThat(m.scalingFactor()).isEqualTo(0.5f);
      assertThat(m.vaeScaleFactor()).isEqualTo(2);
      assertThat(m.defaultImageSide()).isEqualTo(16);
      assertThat(m.kind()).isEqualTo(ModelKind.TEXT_TO_IMAGE);

      float[] h = m.textEncoder().encode(new int[][] {{812, 7, 813}});
      assertThat(h[1 * TinyFolder.HIDDEN + 3]).isCloseTo(7 * 0.01f + 0.003f, within(1e-6f));

      long[] shape = {2, 4, 2, 2};
      float[] sample = new float[16 * 2];
      for (int i = 0; i < sample.length; i++) {
        sample[i] = i;
      }
      float[] ehs = new float[2 * 3 * TinyFolder.HIDDEN];
      java.util.Arrays.fill(ehs, 0.25f);
      float[] out =
          m.unet()
              .predict(
                  sample,
                  shape,
                  856.2857f,
                  ehs,
                  new long[] {2, 3, TinyFolder.HIDDEN},
                  new float[0]);
      // 0.5 * x + 0.001 * t + mean(ehs): the float timestep reaches the graph unrounded.
      assertThat(out[5]).isCloseTo(0.5f * 5 + 0.8562857f + 0.25f, within(1e-5f));
      assertThat(out[31]).isCloseTo(0.5f * 31 + 0.8562857f + 0.25f, within(1e-5f));
    }
  }

  @Test
  void int32IdsAndRankOneInt64TimestepRetypedToFloat() throws IOException {
    TinyFolder f = new TinyFolder();
    f.idsType = ElementType.INT32;
    f.timestepType = ElementType.INT64;
    f.scalarTimestep = false;
    try (StableDiffusionModel m = load(f)) {
      float[] h = m.textEncoder().encode(new int[][] {{5}});
      assertThat(h[0]).isCloseTo(0.05f, within(1e-6f));
      float[] out =
          m.unet()
              .predict(
                  new float[4],
                  new long[] {1, 4, 1, 1},
                  856.9f,
                  new float[TinyFolder.HIDDEN],
                  new long[] {1, 1, TinyFolder.HIDDEN},
                  new float[0]);
      // The int64 timestep input is retyped to float at load, so 856.9 is not truncated; it is
      // broadcast from shape [1].
      assertThat(m.unet().timestepRetyped()).isTrue();
      assertThat(out[0]).isCloseTo(0.8569f, within(1e-6f));
    }
  }

  @Test
  void timestepCondIsDetectedAndFed() throws IOException {
    TinyFolder f = new TinyFolder();
    f.timestepCond = true;
    f.condDim = 6;
    try (StableDiffusionModel m = load(f)) {
      assertThat(m.unet().timestepCondDim()).hasValue(6);
      float[] cond = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
      float[] out =
          m.unet()
              .predict(
                  new float[4],
                  new long[] {1, 4, 1, 1},
                  0f,
                  new float[TinyFolder.HIDDEN],
                  new long[] {1, 1, TinyFolder.HIDDEN},
                  cond);
      assertThat(out[0]).isCloseTo(2.1f, within(1e-5f));
      assertThatThrownBy(
              () ->
                  m.unet()
                      .predict(
                          new float[4],
                          new long[] {1, 4, 1, 1},
                          0f,
                          new float[TinyFolder.HIDDEN],
                          new long[] {1, 1, TinyFolder.HIDDEN},
                          new float[2]))
          .hasMessage("timestep_cond must have 6 values but has 2");
    }
  }

  @Test
  void float16InputsAndOutputsAreConvertedAtTheBoundary() throws IOException {
    TinyFolder f = new TinyFolder();
    f.fp16 = true;
    f.timestepType = ElementType.FLOAT16;
    try (StableDiffusionModel m = load(f)) {
      float[] out =
          m.unet()
              .predict(
                  new float[] {1, 2, 3, 4},
                  new long[] {1, 4, 1, 1},
                  500f,
                  new float[TinyFolder.HIDDEN],
                  new long[] {1, 1, TinyFolder.HIDDEN},
                  new float[0]);
      assertThat(out).containsExactly(1.0f, 1.5f, 2.0f, 2.5f);
      float[] pixels =
          m.vaeDecoder().decode(new float[] {0.5f, -1f, 0.25f, 9f}, new long[] {1, 4, 1, 1});
      assertThat(pixels).hasSize(12);
      assertThat(pixels[0]).isEqualTo(0.25f);
      assertThat(pixels[4]).isEqualTo(-0.5f);
    }
  }

  @Test
  void latentParametersAreSplitIntoMeanAndStd() throws IOException {
    try (StableDiffusionModel m = load(new TinyFolder())) {
      float[] pixels = new float[3 * 2 * 2];
      java.util.Arrays.fill(pixels, 0.5f);
      LatentDistribution d = m.vaeEncoder().orElseThrow().encode(pixels, new long[] {1, 3, 2, 2});
      assertThat(d.shape()).containsExactly(1, 4, 1, 1);
      assertThat(d.mean()).containsExactly(0.5f, 0.5f, 0.5f, 0.5f);
      assertThat(d.std()[0]).isCloseTo((float) Math.exp(-1), within(1e-7f));
      assertThat(d.sample(shape -> new float[] {1, 1, 1, 1})[0])
          .isCloseTo(0.5f + (float) Math.exp(-1), within(1e-6f));
    }
  }

  @Test
  void latentSampleExportsHaveNoSpread() throws IOException {
    TinyFolder f = new TinyFolder();
    f.latentParameters = false;
    try (StableDiffusionModel m = load(f)) {
      assertThat(m.vaeEncoder().orElseThrow().returnsParameters()).isFalse();
      float[] pixels = {0, 1, 2, 3, 0, 0, 0, 0, 4, 4, 4, 4};
      LatentDistribution d = m.vaeEncoder().orElseThrow().encode(pixels, new long[] {1, 3, 2, 2});
      assertThat(d.mean()).containsExactly(1.5f, 0f, 4f, 5.5f / 3f);
      assertThat(d.std()).containsOnly(0f);
    }
  }

  @Test
  void externalWeightFilesBesideTheGraphAreFound() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("model"));
    float[] table = new float[814 * TinyFolder.HIDDEN];
    for (int i = 0; i < table.length; i++) {
      table[i] = i * 0.5f;
    }
    Path graph = root.resolve("text_encoder/model.onnx");
    Files.delete(graph);
    OnnxModelWriter.graph("text_encoder")
        .input("input_ids", ElementType.INT64, "batch", "sequence")
        .initializer("embeddings", table, 814, TinyFolder.HIDDEN)
        .node("Gather", List.of("embeddings", "input_ids"), List.of("last_hidden_state"))
        .output("last_hidden_state", ElementType.FLOAT, "batch", "sequence", TinyFolder.HIDDEN)
        .writeWithExternalData(graph, "model.onnx_data");
    assertThat(Files.size(graph)).isLessThan(table.length * 4L);
    try (StableDiffusionModel m = StableDiffusionModel.load(root, OrtSettings.cpu())) {
      float[] h = m.textEncoder().encode(new int[][] {{3}});
      assertThat(h[1]).isEqualTo((3 * TinyFolder.HIDDEN + 1) * 0.5f);
    }
  }

  @Test
  void retypedTimestepGraphStillFindsItsExternalWeights() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("model"));
    Path unet = root.resolve("unet/model.onnx");
    Files.delete(unet);
    OnnxModelWriter.graph("unet")
        .input("sample", ElementType.FLOAT, "batch", 4, "height", "width")
        .input("timestep", ElementType.INT64, "steps")
        .input("encoder_hidden_states", ElementType.FLOAT, "batch", "sequence", TinyFolder.HIDDEN)
        .initializer("w", new float[] {3f}, 1)
        .initializer("milli", new float[] {0.001f}, 1)
        .node("Cast", List.of("timestep"), List.of("t"), java.util.Map.of("to", 1L))
        .node("Mul", List.of("t", "milli"), List.of("ts"))
        .node("Mul", List.of("sample", "w"), List.of("sw"))
        .node("Add", List.of("sw", "ts"), List.of("out_sample"))
        .output("out_sample", ElementType.FLOAT, "batch", 4, "height", "width")
        .writeWithExternalData(unet, "weights.pb");
    try (StableDiffusionModel m = StableDiffusionModel.load(root, OrtSettings.cpu())) {
      assertThat(m.unet().timestepRetyped()).isTrue();
      float[] out =
          m.unet()
              .predict(
                  new float[] {1, 1, 1, 1},
                  new long[] {1, 4, 1, 1},
                  500.5f,
                  new float[TinyFolder.HIDDEN],
                  new long[] {1, 1, TinyFolder.HIDDEN},
                  new float[0]);
      assertThat(out[0]).isCloseTo(3.5005f, within(1e-6f));
    }
  }

  @Test
  void floatTimestepGraphsAreNotRetyped() throws IOException {
    try (StableDiffusionModel m = load(new TinyFolder())) {
      assertThat(m.unet().timestepRetyped()).isFalse();
    }
  }

  @Test
  void missingPartNamesTheFile() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("model"));
    Files.delete(root.resolve("unet/model.onnx"));
    assertThatThrownBy(() -> StableDiffusionModel.load(root, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageStartingWith("unet/model.onnx is missing");
  }

  @Test
  void missingSchedulerConfigIsNamed() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("model"));
    Files.delete(root.resolve("scheduler/scheduler_config.json"));
    assertThatThrownBy(() -> StableDiffusionModel.load(root, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageStartingWith("scheduler/scheduler_config.json is missing");
  }

  @Test
  void unsupportedTimestepTypeNamesInputExpectedAndFound() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("model"));
    Path unet = root.resolve("unet/model.onnx");
    Files.delete(unet);
    OnnxModelWriter.graph("unet")
        .input("sample", ElementType.FLOAT, "batch", 4, "height", "width")
        .input("timestep", ElementType.BOOL, "steps")
        .input("encoder_hidden_states", ElementType.FLOAT, "batch", "sequence", TinyFolder.HIDDEN)
        .node("Identity", List.of("sample"), List.of("out_sample"))
        .output("out_sample", ElementType.FLOAT, "batch", 4, "height", "width")
        .write(unet);
    assertThatThrownBy(() -> StableDiffusionModel.load(root, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessage(
            "unet/model.onnx input 'timestep' must be float16 or float32 or float64 or int32 or"
                + " int64 but is bool");
  }

  @Test
  void channelCountDisagreeingWithConfigIsRefused() throws IOException {
    TinyFolder f = new TinyFolder();
    f.inChannels = 9;
    Path root = f.write(tmp.resolve("model"));
    assertThatThrownBy(() -> StableDiffusionModel.load(root, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessage(
            "unet/model.onnx input 'sample' has 9 channels but unet/config.json says in_channels 4");
  }

  @Test
  void textWidthMismatchBetweenEncoderAndUnetIsRefused() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("model"));
    Files.delete(root.resolve("text_encoder/model.onnx"));
    TinyGraphs.textEncoder(root.resolve("text_encoder"), ElementType.INT64, 16);
    Files.writeString(root.resolve("text_encoder/config.json"), "{}");
    Path unet = root.resolve("unet/model.onnx");
    Files.delete(unet);
    OnnxModelWriter.graph("unet")
        .input("sample", ElementType.FLOAT, "batch", 4, "height", "width")
        .input("timestep", ElementType.INT64, "steps")
        .input("encoder_hidden_states", ElementType.FLOAT, "batch", "sequence", 8)
        .node("Identity", List.of("sample"), List.of("out_sample"))
        .output("out_sample", ElementType.FLOAT, "batch", 4, "height", "width")
        .write(unet);
    assertThatThrownBy(() -> StableDiffusionModel.load(root, OrtSettings.cpu()))
        .hasMessage(
            "unet/model.onnx input 'encoder_hidden_states' has width 8 but the text encoder"
                + " produces 16");
  }

  @Test
  void sdxlFoldersLoadWithBothTowersAndTheUnetsWeightsInAnExternalFile() throws IOException {
    Path sdxl = TinyFolder.fixtureModels().resolve("tiny-sdxl");
    Path unet = sdxl.resolve("unet");
    assertThat(Files.size(unet.resolve("model.onnx_data")))
        .as("the tiny SDXL UNet keeps its weights beside the graph, as real exports must (> 2 GB)")
        .isGreaterThan(Files.size(unet.resolve("model.onnx")));
    try (StableDiffusionModel m = StableDiffusionModel.load(sdxl, OrtSettings.cpu())) {
      assertThat(m.isSdxl()).isTrue();
      assertThat(m.tokenizer2()).isPresent();
      assertThat(m.textEncoder2().orElseThrow().hasPooled()).isTrue();
      assertThat(m.unet().takesAddedConditions()).isTrue();
      assertThat(m.unet().timeIdsDim()).isEqualTo(6);
      assertThat(m.unet().textEmbedsDim()).isEqualTo(m.textEncoder2().orElseThrow().pooledSize());
      assertThat(m.forceZerosForEmptyPrompt()).isTrue();
      assertThat(m.scalingFactor()).isEqualTo(0.13025f);
    }
  }

  @Test
  void anSdxlUnetWithoutTheSecondTowerIsRefusedClearly() throws IOException {
    Path copy =
        TestFolders.copy(TinyFolder.fixtureModels().resolve("tiny-sdxl"), tmp.resolve("one-tower"));
    TestFolders.delete(copy.resolve("text_encoder_2"));
    assertThatThrownBy(() -> StableDiffusionModel.load(copy, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageContaining("it is an SDXL UNet: it takes text_embeds and time_ids")
        .hasMessageContaining("is text_encoder_2/ missing?");
  }

  @Test
  void aSecondTowerBesideAnSdUnetIsRefusedClearly() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("model"));
    TestFolders.copy(
        TinyFolder.fixtureModels().resolve("tiny-sdxl/text_encoder_2"),
        root.resolve("text_encoder_2"));
    assertThatThrownBy(() -> StableDiffusionModel.load(root, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageContaining("has no tokenizer_2/ folder");
    TestFolders.copy(
        TinyFolder.fixtureModels().resolve("tiny-sdxl/tokenizer_2"), root.resolve("tokenizer_2"));
    assertThatThrownBy(() -> StableDiffusionModel.load(root, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageContaining("SDXL needs both towers' per-layer states");
  }

  @Test
  void notAFolder() {
    assertThatThrownBy(() -> StableDiffusionModel.load(tmp.resolve("nope"), OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageEndingWith("nope does not exist or is not a folder");
  }

  @Test
  void linkFilesAreFollowedButMayNotLeaveTheModelsFolder() throws IOException {
    Path root = new TinyFolder().write(tmp.resolve("models/a"));
    Path other = Files.createDirectories(tmp.resolve("models/b"));
    Files.move(root.resolve("scheduler"), other.resolve("scheduler"));
    Files.writeString(root.resolve("scheduler"), "../b/scheduler");
    assertThat(ModelFolder.of(root).component("scheduler")).hasValue(other.resolve("scheduler"));
    Files.writeString(root.resolve("scheduler"), "../../../etc");
    assertThatThrownBy(() -> ModelFolder.of(root).component("scheduler"))
        .hasMessageContaining("is a file, but a folder (or a link to one) was expected");
  }
}
