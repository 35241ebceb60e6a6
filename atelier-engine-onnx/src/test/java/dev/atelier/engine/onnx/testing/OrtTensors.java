package dev.atelier.engine.onnx.testing;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.atelier.engine.onnx.testing.OnnxModelWriter.ElementType;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Converts between float arrays and ONNX Runtime tensors of any {@link ElementType}, so tests can
 * state inputs and expectations as plain floats whatever the model's declared types.
 */
public final class OrtTensors {
  private OrtTensors() {}

  /**
   * Creates a tensor of {@code type} holding {@code values} (integers truncate, FLOAT16 rounds to
   * nearest even, BOOL is {@code v != 0}); an empty {@code shape} makes a scalar.
   */
  public static OnnxTensor of(ElementType type, float[] values, long... shape) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int n = values.length;
    switch (type) {
      case FLOAT:
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(values.clone()), shape);
      case FLOAT16:
        ShortBuffer halves = ShortBuffer.allocate(n);
        for (float v : values) {
          halves.put(Float.floatToFloat16(v));
        }
        return OnnxTensor.createTensor(env, halves.flip(), shape, OnnxJavaType.FLOAT16);
      case DOUBLE:
        DoubleBuffer doubles = DoubleBuffer.allocate(n);
        for (float v : values) {
          doubles.put(v);
        }
        return OnnxTensor.createTensor(env, doubles.flip(), shape);
      case INT64:
        LongBuffer longs = LongBuffer.allocate(n);
        for (float v : values) {
          longs.put((long) v);
        }
        return OnnxTensor.createTensor(env, longs.flip(), shape);
      case INT32:
        IntBuffer ints = IntBuffer.allocate(n);
        for (float v : values) {
          ints.put((int) v);
        }
        return OnnxTensor.createTensor(env, ints.flip(), shape);
      default:
        ByteBuffer bytes = ByteBuffer.allocate(n);
        for (float v : values) {
          bytes.put(type == ElementType.BOOL ? (byte) (v != 0 ? 1 : 0) : (byte) (int) v);
        }
        OnnxJavaType javaType =
            switch (type) {
              case BOOL -> OnnxJavaType.BOOL;
              case UINT8 -> OnnxJavaType.UINT8;
              default -> OnnxJavaType.INT8;
            };
        return OnnxTensor.createTensor(env, bytes.flip(), shape, javaType);
    }
  }

  /** Reads any numeric tensor as floats (FLOAT16 decoded from its bits), row-major. */
  public static float[] floats(OnnxTensor tensor) {
    OnnxJavaType type = tensor.getInfo().type;
    int n = (int) tensor.getInfo().getNumElements();
    float[] out = new float[n];
    switch (type) {
      case FLOAT -> tensor.getFloatBuffer().get(out);
      case FLOAT16 -> {
        ShortBuffer halves = tensor.getShortBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = Float.float16ToFloat(halves.get(i));
        }
      }
      case DOUBLE -> {
        DoubleBuffer doubles = tensor.getDoubleBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = (float) doubles.get(i);
        }
      }
      case INT64 -> {
        LongBuffer longs = tensor.getLongBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = longs.get(i);
        }
      }
      case INT32 -> {
        IntBuffer ints = tensor.getIntBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = ints.get(i);
        }
      }
      case UINT8 -> {
        ByteBuffer bytes = tensor.getByteBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = Byte.toUnsignedInt(bytes.get(i));
        }
      }
      default -> {
        ByteBuffer bytes = tensor.getByteBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = bytes.get(i);
        }
      }
    }
    return out;
  }
}
