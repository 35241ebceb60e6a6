package dev.atelier.engine.onnx.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds small ONNX models in memory so tests can exercise ONNX Runtime without Python or
 * checked-in binaries.
 *
 * <p>Writes IR version 8 with a single default-domain opset import (17 unless changed). Shapes are
 * given as arrays of dimensions: an {@code Integer}/{@code Long} is a fixed size, a {@code String}
 * a symbolic one, and an empty array a scalar. Node attributes are inferred from the Java value:
 * {@code Long}/{@code Integer} int, {@code Float}/{@code Double} float, {@code String} string,
 * {@code long[]}/{@code int[]} ints, {@code float[]} floats, {@link Tensor} tensor.
 *
 * <pre>{@code
 * OnnxModelWriter.graph("double")
 *     .input("x", ElementType.FLOAT)
 *     .initializer("two", new float[] {2f})
 *     .node("Mul", List.of("x", "two"), List.of("y"))
 *     .output("y", ElementType.FLOAT)
 *     .write(dir.resolve("model.onnx"));
 * }</pre>
 */
public final class OnnxModelWriter {
  /** ONNX {@code TensorProto.DataType} codes with their element width in bytes. */
  public enum ElementType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    INT32(6, 4),
    INT64(7, 8),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8);

    /** The {@code TensorProto.DataType} value. */
    public final int code;

    /** Bytes per element in {@code raw_data}. */
    public final int width;

    ElementType(int code, int width) {
      this.code = code;
      this.width = width;
    }
  }

  /** A constant tensor (initializer or tensor attribute); {@code raw} is little-endian. */
  public record Tensor(String name, ElementType type, long[] dims, byte[] raw) {
    /** Checks that the payload matches the shape. */
    public Tensor {
      long count = 1;
      for (long d : dims) {
        count *= d;
      }
      if (count * type.width != raw.length) {
        throw new IllegalArgumentException(
            name + ": " + raw.length + " bytes do not fit " + count + " x " + type);
      }
    }

    /**
     * Encodes {@code values} as {@code type}; integers truncate, BOOL is {@code v != 0}, FLOAT16
     * rounds to nearest even.
     */
    public static Tensor of(String name, ElementType type, double[] values, long... dims) {
      ByteBuffer buf =
          ByteBuffer.allocate(values.length * type.width).order(ByteOrder.LITTLE_ENDIAN);
      for (double v : values) {
        switch (type) {
          case FLOAT -> buf.putFloat((float) v);
          case DOUBLE -> buf.putDouble(v);
          case FLOAT16 -> buf.putShort(Float.floatToFloat16((float) v));
          case INT64 -> buf.putLong((long) v);
          case INT32 -> buf.putInt((int) v);
          case UINT8, INT8 -> buf.put((byte) (long) v);
          case BOOL -> buf.put((byte) (v != 0 ? 1 : 0));
        }
      }
      return new Tensor(name, type, dims, buf.array());
    }
  }

  private record Value(String name, ElementType type, Object[] shape) {}

  private record Node(
      String opType, List<String> inputs, List<String> outputs, Map<String, ?> attrs) {}

  private final String name;
  private int opset = 17;
  private final List<Value> inputs = new ArrayList<>();
  private final List<Value> outputs = new ArrayList<>();
  private final List<Tensor> initializers = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();

  private OnnxModelWriter(String name) {
    this.name = name;
  }

  /** Starts a model whose graph has the given name. */
  public static OnnxModelWriter graph(String name) {
    return new OnnxModelWriter(name);
  }

  /** Sets the default-domain opset version (17 by default). */
  public OnnxModelWriter opset(int version) {
    this.opset = version;
    return this;
  }

  /** Declares a graph input; {@code shape} entries are sizes or symbolic names, none = scalar. */
  public OnnxModelWriter input(String name, ElementType type, Object... shape) {
    inputs.add(new Value(name, type, shape.clone()));
    return this;
  }

  /** Declares a graph output, shaped as for {@link #input}. */
  public OnnxModelWriter output(String name, ElementType type, Object... shape) {
    outputs.add(new Value(name, type, shape.clone()));
    return this;
  }

  /** Adds a constant tensor. */
  public OnnxModelWriter initializer(Tensor tensor) {
    initializers.add(tensor);
    return this;
  }

  /** Adds a FLOAT initializer; no dims = scalar. */
  public OnnxModelWriter initializer(String name, float[] data, long... dims) {
    double[] values = new double[data.length];
    for (int i = 0; i < data.length; i++) {
      values[i] = data[i];
    }
    return initializer(Tensor.of(name, ElementType.FLOAT, values, dims));
  }

  /** Adds an INT64 initializer (axes, shapes, slice bounds); no dims = scalar. */
  public OnnxModelWriter initializer(String name, long[] data, long... dims) {
    ByteBuffer buf = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : data) {
      buf.putLong(v);
    }
    return initializer(new Tensor(name, ElementType.INT64, dims, buf.array()));
  }

  /** Adds a node without attributes. */
  public OnnxModelWriter node(String opType, List<String> inputs, List<String> outputs) {
    return node(opType, inputs, outputs, Map.of());
  }

  /** Adds a node; attribute types follow the class documentation. Use "" to skip an input. */
  public OnnxModelWriter node(
      String opType, List<String> inputs, List<String> outputs, Map<String, ?> attributes) {
    nodes.add(
        new Node(opType, List.copyOf(inputs), List.copyOf(outputs), new TreeMap<>(attributes)));
    return this;
  }

  /** Serialises the model with all initializers inline ({@code raw_data}). */
  public byte[] toBytes() {
    return model(null, null);
  }

  /** Writes the model to {@code modelFile}, creating parent directories. */
  public void write(Path modelFile) throws IOException {
    createParent(modelFile);
    Files.write(modelFile, toBytes());
  }

  /**
   * Writes the model with every initializer stored in {@code dataFileName} next to it, the layout
   * large exports use ({@code model.onnx} + {@code model.onnx_data}).
   */
  public void writeWithExternalData(Path modelFile, String dataFileName) throws IOException {
    createParent(modelFile);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    Files.write(modelFile, model(dataFileName, data));
    Files.write(modelFile.resolveSibling(dataFileName), data.toByteArray());
  }

  private static void createParent(Path file) throws IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
  }

  /** Builds the ModelProto; with a data file name, appends tensor payloads to {@code data}. */
  private byte[] model(String dataFileName, ByteArrayOutputStream data) {
    ProtoWriter g = new ProtoWriter();
    for (int i = 0; i < nodes.size(); i++) {
      g.message(1, node(nodes.get(i), i));
    }
    g.string(2, name);
    for (Tensor t : initializers) {
      g.message(5, dataFileName == null ? tensor(t) : externalTensor(t, dataFileName, data));
    }
    inputs.forEach(v -> g.message(11, valueInfo(v)));
    outputs.forEach(v -> g.message(12, valueInfo(v)));

    ProtoWriter opsetId = new ProtoWriter().string(1, "").int64(2, opset);
    return new ProtoWriter()
        .int64(1, 8)
        .string(2, "atelier-tests")
        .message(7, g)
        .message(8, opsetId)
        .toByteArray();
  }

  private static ProtoWriter node(Node n, int index) {
    ProtoWriter w = new ProtoWriter();
    n.inputs().forEach(s -> w.string(1, s));
    n.outputs().forEach(s -> w.string(2, s));
    w.string(3, n.opType() + "_" + index);
    w.string(4, n.opType());
    n.attrs().forEach((k, v) -> w.message(5, attribute(k, v)));
    return w;
  }

  private static ProtoWriter attribute(String name, Object value) {
    // AttributeProto: name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, type=20.
    ProtoWriter w = new ProtoWriter().string(1, name);
    switch (value) {
      case Float f -> w.float32(2, f).int64(20, 1);
      case Double d -> w.float32(2, d.floatValue()).int64(20, 1);
      case Long l -> w.int64(3, l).int64(20, 2);
      case Integer i -> w.int64(3, i).int64(20, 2);
      case String s -> w.string(4, s).int64(20, 3);
      case Tensor t -> w.message(5, tensor(t)).int64(20, 4);
      case float[] fs -> w.packedFloat(7, fs).int64(20, 6);
      case long[] ls -> w.packedInt64(8, ls).int64(20, 7);
      case int[] is -> w.packedInt64(8, Arrays.stream(is).asLongStream().toArray()).int64(20, 7);
      default ->
          throw new IllegalArgumentException(
              "unsupported attribute " + name + ": " + value.getClass());
    }
    return w;
  }

  private static ProtoWriter tensorHeader(Tensor t) {
    // TensorProto: dims=1, data_type=2, name=8.
    return new ProtoWriter().packedInt64(1, t.dims()).int64(2, t.type().code).string(8, t.name());
  }

  private static ProtoWriter tensor(Tensor t) {
    return tensorHeader(t).bytes(9, t.raw());
  }

  private static ProtoWriter externalTensor(Tensor t, String location, ByteArrayOutputStream data) {
    // Aligning each payload keeps the data file friendly to mmap, as exporters do.
    data.writeBytes(new byte[(64 - data.size() % 64) % 64]);
    int offset = data.size();
    data.writeBytes(t.raw());
    ProtoWriter w = tensorHeader(t);
    w.message(13, entry("location", location));
    w.message(13, entry("offset", Long.toString(offset)));
    w.message(13, entry("length", Long.toString(t.raw().length)));
    return w.int64(14, 1); // data_location = EXTERNAL
  }

  private static ProtoWriter entry(String key, String value) {
    return new ProtoWriter().string(1, key).string(2, value);
  }

  private static ProtoWriter valueInfo(Value v) {
    // Always emit the shape, even when empty: an absent shape means "unknown rank", not scalar.
    ProtoWriter shape = new ProtoWriter();
    for (Object d : v.shape()) {
      ProtoWriter dim = new ProtoWriter();
      switch (d) {
        case Integer i -> dim.int64(1, i);
        case Long l -> dim.int64(1, l);
        case String s -> dim.string(2, s);
        default -> throw new IllegalArgumentException("bad dimension " + d + " of " + v.name());
      }
      shape.message(1, dim);
    }
    ProtoWriter tensorType = new ProtoWriter().int64(1, v.type().code).message(2, shape);
    ProtoWriter type = new ProtoWriter().message(1, tensorType);
    return new ProtoWriter().string(1, v.name()).message(2, type);
  }
}
