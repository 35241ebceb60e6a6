package dev.atelier.engine.onnx.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Minimal protocol-buffers encoder: just enough of the wire format to serialise ONNX models in
 * tests without a protobuf dependency.
 *
 * <p>Each instance accumulates the fields of one message; nested messages are built in their own
 * writer and embedded with {@link #message(int, ProtoWriter)}. Fields are written in call order,
 * which the wire format allows.
 */
public final class ProtoWriter {
  /** Wire type of varint-encoded scalars (int32, int64, bool, enum). */
  public static final int VARINT = 0;

  /** Wire type of 8-byte little-endian scalars (double, fixed64). */
  public static final int FIXED64 = 1;

  /** Wire type of length-prefixed payloads (string, bytes, messages, packed repeated). */
  public static final int LENGTH_DELIMITED = 2;

  /** Wire type of 4-byte little-endian scalars (float, fixed32). */
  public static final int FIXED32 = 5;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Writes a base-128 varint; negative values take the full ten bytes, as protobuf requires. */
  public ProtoWriter varint(long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return this;
  }

  /** Writes a field key (field number and wire type). */
  public ProtoWriter tag(int field, int wireType) {
    return varint(((long) field << 3) | wireType);
  }

  /** Writes an int32/int64/enum/bool field. */
  public ProtoWriter int64(int field, long value) {
    return tag(field, VARINT).varint(value);
  }

  /** Writes a {@code float} field (fixed32). */
  public ProtoWriter float32(int field, float value) {
    tag(field, FIXED32);
    return fixed32(Float.floatToRawIntBits(value));
  }

  /** Writes a {@code double} field (fixed64). */
  public ProtoWriter float64(int field, double value) {
    tag(field, FIXED64);
    return fixed64(Double.doubleToRawLongBits(value));
  }

  /** Writes a length-delimited bytes field. */
  public ProtoWriter bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED).varint(value.length);
    out.writeBytes(value);
    return this;
  }

  /** Writes a UTF-8 string field. */
  public ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Embeds another message as a length-delimited field. */
  public ProtoWriter message(int field, ProtoWriter nested) {
    return bytes(field, nested.toByteArray());
  }

  /** Writes a packed repeated int64 field; nothing at all when empty, matching protoc. */
  public ProtoWriter packedInt64(int field, long[] values) {
    if (values.length == 0) {
      return this;
    }
    ProtoWriter payload = new ProtoWriter();
    for (long v : values) {
      payload.varint(v);
    }
    return bytes(field, payload.toByteArray());
  }

  /** Writes a packed repeated float field; nothing at all when empty. */
  public ProtoWriter packedFloat(int field, float[] values) {
    if (values.length == 0) {
      return this;
    }
    ProtoWriter payload = new ProtoWriter();
    for (float v : values) {
      payload.fixed32(Float.floatToRawIntBits(v));
    }
    return bytes(field, payload.toByteArray());
  }

  /** The bytes written so far. */
  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private ProtoWriter fixed32(int bits) {
    for (int i = 0; i < 4; i++) {
      out.write((bits >>> (8 * i)) & 0xFF);
    }
    return this;
  }

  private ProtoWriter fixed64(long bits) {
    for (int i = 0; i < 8; i++) {
      out.write((int) ((bits >>> (8 * i)) & 0xFF));
    }
    return this;
  }
}
