package dev.atelier.engine.onnx.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads NumPy {@code .npy} files (version 1-3, C order, little-endian float32/float64/int32/int64).
 *
 * <p>Floating arrays are returned as {@code float[]} (float64 narrowed), integer arrays as {@code
 * long[]}; {@link #asFloats()} converts either.
 */
public record Npy(long[] shape, String dtype, float[] floats, long[] longs) {

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** Reads {@code file}. */
  public static Npy read(Path file) {
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  private static Npy parse(byte[] bytes, String name) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N') {
      throw new IllegalArgumentException(name + " is not an .npy file");
    }
    int major = bytes[6];
    int headerLen;
    int offset;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(buf.getShort(8));
      offset = 10;
    } else {
      headerLen = buf.getInt(8);
      offset = 12;
    }
    String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher o = ORDER.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !o.find() || !s.find()) {
      throw new IllegalArgumentException(name + ": unreadable header " + header);
    }
    if (o.group(1).equals("True")) {
      throw new IllegalArgumentException(name + ": Fortran order is not supported");
    }
    long[] shape =
        Arrays.stream(s.group(1).split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    int n = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
    buf.position(offset + headerLen);
    String dtype = d.group(1);
    switch (dtype) {
      case "<f4" -> {
        float[] f = new float[n];
        buf.asFloatBuffer().get(f);
        return new Npy(shape, dtype, f, null);
      }
      case "<f8" -> {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = (float) buf.getDouble();
        }
        return new Npy(shape, dtype, f, null);
      }
      case "<i8" -> {
        long[] l = new long[n];
        buf.asLongBuffer().get(l);
        return new Npy(shape, dtype, null, l);
      }
      case "<i4" -> {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
          l[i] = buf.getInt();
        }
        return new Npy(shape, dtype, null, l);
      }
      default -> throw new IllegalArgumentException(name + ": unsupported dtype " + dtype);
    }
  }

  /** The values as floats, whatever the stored type. */
  public float[] asFloats() {
    if (floats != null) {
      return floats;
    }
    float[] f = new float[longs.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = longs[i];
    }
    return f;
  }

  /** Element count. */
  public int size() {
    return floats != null ? floats.length : longs.length;
  }

  /** Rows {@code [from, to)} along the first axis, flattened. */
  public float[] slice(int index) {
    float[] all = asFloats();
    int per = all.length / (int) shape[0];
    return Arrays.copyOfRange(all, index * per, (index + 1) * per);
  }
}
