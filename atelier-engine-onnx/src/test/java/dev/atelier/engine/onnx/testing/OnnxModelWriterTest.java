package dev.atelier.engine.onnx.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.atelier.engine.onnx.testing.OnnxModelWriter.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves that models from {@link OnnxModelWriter} load and compute correctly in ONNX Runtime. */
class OnnxModelWriterTest {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  @TempDir Path tmp;

  @Test
  void protoWriterEncodesVarintsAndFixedWidthFields() {
    byte[] bytes =
        new ProtoWriter().int64(1, 300).int64(2, -1).float32(3, 1f).string(4, "hi").toByteArray();
    assertThat(HexFormat.of().formatHex(bytes))
        .isEqualTo("08ac02" + "10ffffffffffffffffff01" + "1d0000803f" + "22026869");
  }

  @Test
  void scalarInputTimesScalarInitializer() throws Exception {
    byte[] model =
        OnnxModelWriter.graph("double")
            .input("x", ElementType.FLOAT)
            .initializer("two", new float[] {2f})
            .node("Mul", List.of("x", "two"), List.of("y"))
            .output("y", ElementType.FLOAT)
            .toBytes();
    try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor x = OnnxTensor.createTensor(ENV, 3.25f);
        OrtSession.Result result = session.run(Map.of("x", x))) {
      OnnxTensor y = (OnnxTensor) result.get(0);
      assertThat(y.getInfo().getShape()).isEmpty();
      assertThat(y.getFloatBuffer().get(0)).isEqualTo(6.5f);
    }
  }

  @Test
  void int64InputCastToFloat() throws Exception {
    byte[] model =
        OnnxModelWriter.graph("cast")
            .input("n", ElementType.INT64, 1)
            .node("Cast", List.of("n"), List.of("f"), Map.of("to", 1L))
            .output("f", ElementType.FLOAT, 1)
            .toBytes();
    float[] out = run(model, Map.of("n", OrtTensors.of(ElementType.INT64, new float[] {42}, 1)));
    assertThat(out).containsExactly(42f);
  }

  @Test
  void float16InputAndOutput() throws Exception {
    byte[] model =
        OnnxModelWriter.graph("fp16")
            .input("h", ElementType.FLOAT16, "n")
            .initializer("one", new float[] {1f})
            .node("Cast", List.of("h"), List.of("h32"), Map.of("to", 1L))
            .node("Add", List.of("h32", "one"), List.of("sum"))
            .node("Cast", List.of("sum"), List.of("out"), Map.of("to", 10L))
            .output("out", ElementType.FLOAT16, "n")
            .toBytes();
    OnnxTensor h = OrtTensors.of(ElementType.FLOAT16, new float[] {0.5f, -2f, 1000f, 0.1f}, 4);
    assertThat(h.getInfo().type).isEqualTo(OnnxJavaType.FLOAT16);
    float[] out = run(model, Map.of("h", h));
    float tenthPlusOne = Float.float16ToFloat(Float.floatToFloat16(1.1f));
    assertThat(out).containsExactly(1.5f, -1f, 1001f, tenthPlusOne);
  }

  @Test
  void externalDataIsLoadedFromNextToTheModel() throws Exception {
    float[] weights = {1.25f, -2.5f, 3.75f, 100.125f};
    Path file = tmp.resolve("unet").resolve("model.onnx");
    OnnxModelWriter.graph("external")
        .input("x", ElementType.FLOAT, 4)
        .initializer("w", weights, 4)
        .initializer("s", new float[] {2f})
        .node("Add", List.of("x", "w"), List.of("sum"))
        .node("Mul", List.of("sum", "s"), List.of("y"))
        .output("y", ElementType.FLOAT, 4)
        .writeWithExternalData(file, "model.onnx_data");

    ByteBuffer raw = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    for (float w : weights) {
      raw.putFloat(w);
    }
    String weightHex = HexFormat.of().formatHex(raw.array());
    assertThat(HexFormat.of().formatHex(Files.readAllBytes(file))).doesNotContain(weightHex);
    assertThat(HexFormat.of().formatHex(Files.readAllBytes(file.resolveSibling("model.onnx_data"))))
        .contains(weightHex);

    try (OrtSession session = ENV.createSession(file.toString(), new OrtSession.SessionOptions());
        OnnxTensor x = OrtTensors.of(ElementType.FLOAT, new float[] {1, 2, 3, 4}, 4);
        OrtSession.Result result = session.run(Map.of("x", x))) {
      assertThat(OrtTensors.floats((OnnxTensor) result.get(0)))
          .containsExactly(4.5f, -1f, 13.5f, 208.25f);
    }
  }

  @Test
  void sessionMetadataReportsDeclaredInputs() throws Exception {
    OnnxModelWriter g = OnnxModelWriter.graph("meta");
    Object[][] shapes = {{}, {"batch", 4, "height", "width"}, {"batch", 77L}, {2}, {}, {}, {3}};
    ElementType[] types = {
      ElementType.FLOAT,
      ElementType.FLOAT,
      ElementType.INT32,
      ElementType.BOOL,
      ElementType.UINT8,
      ElementType.DOUBLE,
      ElementType.FLOAT16
    };
    String[] names = {"timestep", "sample", "input_ids", "mask", "u8", "d", "h"};
    for (int i = 0; i < names.length; i++) {
      g.input(names[i], types[i], shapes[i])
          .node("Identity", List.of(names[i]), List.of(names[i] + "_out"))
          .output(names[i] + "_out", types[i], shapes[i]);
    }
    try (OrtSession session = ENV.createSession(g.toBytes(), new OrtSession.SessionOptions())) {
      Map<String, NodeInfo> info = session.getInputInfo();
      assertThat(info.keySet()).containsExactly(names);
      TensorInfo timestep = (TensorInfo) info.get("timestep").getInfo();
      assertThat(timestep.type).isEqualTo(OnnxJavaType.FLOAT);
      assertThat(timestep.getShape()).isEmpty();
      TensorInfo sample = (TensorInfo) info.get("sample").getInfo();
      assertThat(sample.getShape()).containsExactly(-1, 4, -1, -1);
      assertThat(sample.getDimensionNames()).containsExactly("batch", "", "height", "width");
      TensorInfo ids = (TensorInfo) info.get("input_ids").getInfo();
      assertThat(ids.type).isEqualTo(OnnxJavaType.INT32);
      assertThat(ids.getShape()).containsExactly(-1, 77);
      assertThat(((TensorInfo) info.get("mask").getInfo()).type).isEqualTo(OnnxJavaType.BOOL);
      assertThat(((TensorInfo) info.get("u8").getInfo()).type).isEqualTo(OnnxJavaType.UINT8);
      assertThat(((TensorInfo) info.get("d").getInfo()).type).isEqualTo(OnnxJavaType.DOUBLE);
      TensorInfo h = (TensorInfo) info.get("h").getInfo();
      assertThat(h.type).isEqualTo(OnnxJavaType.FLOAT16);
      assertThat(h.getShape()).containsExactly(3);
    }
  }

  @Test
  void tensorAttributeViaConstantNode() throws Exception {
    OnnxModelWriter.Tensor bias =
        OnnxModelWriter.Tensor.of("bias", ElementType.FLOAT, new double[] {0.5, 1.5}, 2);
    byte[] model =
        OnnxModelWriter.graph("constant")
            .input("x", ElementType.FLOAT, 2)
            .node("Constant", List.of(), List.of("b"), Map.of("value", bias))
            .node("Add", List.of("x", "b"), List.of("y"))
            .output("y", ElementType.FLOAT, 2)
            .toBytes();
    float[] out = run(model, Map.of("x", OrtTensors.of(ElementType.FLOAT, new float[] {1, 2}, 2)));
    assertThat(out).containsExactly(1.5f, 3.5f);
  }

  /** Runs a single-output model and returns its first output as floats; closes the inputs. */
  private static float[] run(byte[] model, Map<String, OnnxTensor> inputs) throws OrtException {
    try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions());
        OrtSession.Result result = session.run(inputs)) {
      return OrtTensors.floats((OnnxTensor) result.get(0));
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }
}
