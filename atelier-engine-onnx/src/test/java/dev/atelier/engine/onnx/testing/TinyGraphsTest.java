package dev.atelier.engine.onnx.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.atelier.engine.onnx.testing.OnnxModelWriter.ElementType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs every {@link TinyGraphs} factory through ONNX Runtime against its documented formula. */
class TinyGraphsTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(
      value = ElementType.class,
      names = {"INT32", "INT64"})
  void textEncoder(ElementType idsType) throws Exception {
    int hidden = 8;
    float[] ids = {49406, 320, 49407, 1, 2, 3};
    Map<String, float[]> out =
        run(
            TinyGraphs.textEncoder(tmp.resolve("text_encoder"), idsType, hidden),
            Map.of("input_ids", OrtTensors.of(idsType, ids, 2, 3)));

    float[] lastHidden = new float[2 * 3 * hidden];
    float[] pooled = new float[2 * hidden];
    for (int b = 0; b < 2; b++) {
      for (int k = 0; k < hidden; k++) {
        for (int s = 0; s < 3; s++) {
          float value = ids[b * 3 + s] * 0.01f + 0.001f * k;
          lastHidden[(b * 3 + s) * hidden + k] = value;
          pooled[b * hidden + k] += value / 3;
        }
      }
    }
    assertClose(out.get("last_hidden_state"), lastHidden, 1e-5);
    assertClose(out.get("pooler_output"), pooled, 1e-4);
  }

  static Stream<Arguments> unetConfigs() {
    return Stream.of(
        Arguments.of(4, ElementType.INT64, true, false, 0, false),
        Arguments.of(9, ElementType.FLOAT, false, true, 6, false),
        Arguments.of(4, ElementType.INT64, false, false, 0, true),
        Arguments.of(4, ElementType.FLOAT16, true, true, 3, true));
  }

  @ParameterizedTest
  @MethodSource("unetConfigs")
  void unet(
      int inChannels,
      ElementType timestepType,
      boolean scalarTimestep,
      boolean withCond,
      int condDim,
      boolean fp16)
      throws Exception {
    int batch = 2;
    int height = 2;
    int width = 3;
    ElementType ft = fp16 ? ElementType.FLOAT16 : ElementType.FLOAT;
    float[] sample = pattern(batch * inChannels * height * width, 0);
    float[] ehs = pattern(batch * 3 * 5, 1);
    float[] cond = pattern(batch * Math.max(condDim, 1), 2);
    // A per-batch timestep vector when not scalar, to pin down which batch item each entry hits.
    float[] timestep = scalarTimestep ? new float[] {999} : new float[] {10, 999};
    long[] timestepShape = scalarTimestep ? new long[0] : new long[] {batch};

    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    inputs.put("sample", OrtTensors.of(ft, sample, batch, inChannels, height, width));
    inputs.put("timestep", OrtTensors.of(timestepType, timestep, timestepShape));
    inputs.put("encoder_hidden_states", OrtTensors.of(ft, ehs, batch, 3, 5));
    if (withCond) {
      inputs.put("timestep_cond", OrtTensors.of(ft, cond, batch, condDim));
    }
    Path model =
        TinyGraphs.unet(
            tmp.resolve("unet"), inChannels, timestepType, scalarTimestep, withCond, condDim, fp16);
    float[] actual = run(model, inputs).get("out_sample");

    int plane = height * width;
    float[] expected = new float[batch * 4 * plane];
    for (int b = 0; b < batch; b++) {
      double perBatch = 0.001 * timestep[scalarTimestep ? 0 : b] + mean(ehs, b * 15, 15);
      if (withCond) {
        perBatch += mean(cond, b * condDim, condDim) * condDim;
      }
      for (int i = 0; i < 4 * plane; i++) {
        expected[b * 4 * plane + i] = (float) (0.5 * sample[b * inChannels * plane + i] + perBatch);
      }
    }
    assertClose(actual, expected, fp16 ? 4e-3 : 1e-5);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void vaeDecoder(boolean fp16) throws Exception {
    ElementType ft = fp16 ? ElementType.FLOAT16 : ElementType.FLOAT;
    float[] latent = pattern(4 * 2 * 3, 3);
    float[] actual =
        run(
                TinyGraphs.vaeDecoder(tmp.resolve("vae_decoder"), fp16),
                Map.of("latent_sample", OrtTensors.of(ft, latent, 1, 4, 2, 3)))
            .get("sample");

    float[] expected = new float[3 * 4 * 6];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 6; x++) {
          expected[(c * 4 + y) * 6 + x] = 0.5f * latent[(c * 2 + y / 2) * 3 + x / 2];
        }
      }
    }
    assertClose(actual, expected, 0);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void vaeEncoder(boolean latentParameters) throws Exception {
    float[] sample = pattern(3 * 4 * 2, 4);
    Map<String, float[]> out =
        run(
            TinyGraphs.vaeEncoder(tmp.resolve("vae_encoder"), latentParameters),
            Map.of("sample", OrtTensors.of(ElementType.FLOAT, sample, 1, 3, 4, 2)));

    // Output is [1, C, 2, 1]: pixel i of channel c pools rows 2i..2i+1 of input channel c.
    float[] expected = new float[(latentParameters ? 8 : 4) * 2];
    for (int i = 0; i < 2; i++) {
      for (int c = 0; c < 3; c++) {
        float pooled = (float) mean(sample, c * 8 + i * 4, 4);
        expected[c * 2 + i] = pooled;
        expected[3 * 2 + i] += pooled / 3;
      }
      if (latentParameters) {
        for (int c = 4; c < 8; c++) {
          expected[c * 2 + i] = -2f;
        }
      }
    }
    String name = latentParameters ? "latent_parameters" : "latent_sample";
    assertThat(out).containsOnlyKeys(name);
    assertClose(out.get(name), expected, 1e-6);
  }

  /** Deterministic values in [-1, 1], multiples of 1/8 so FLOAT16 holds them exactly. */
  private static float[] pattern(int n, int seed) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = ((i * 37 + seed * 11) % 17 - 8) * 0.125f;
    }
    return v;
  }

  private static double mean(float[] v, int from, int count) {
    double sum = 0;
    for (int i = from; i < from + count; i++) {
      sum += v[i];
    }
    return sum / count;
  }

  /** Runs the model file and returns every output as floats; closes the inputs. */
  private static Map<String, float[]> run(Path model, Map<String, OnnxTensor> inputs)
      throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
        OrtSession.Result result = session.run(inputs)) {
      Map<String, float[]> out = new LinkedHashMap<>();
      result.forEach(e -> out.put(e.getKey(), OrtTensors.floats((OnnxTensor) e.getValue())));
      return out;
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private static void assertClose(float[] actual, float[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(tolerance));
    }
  }
}
