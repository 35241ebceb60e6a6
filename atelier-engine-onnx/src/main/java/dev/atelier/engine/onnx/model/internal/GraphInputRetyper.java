package dev.atelier.engine.onnx.model.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalInt;

/**
 * Changes the element type of one graph input in an ONNX file, without a protobuf library.
 *
 * <p>Walks {@code ModelProto.graph (7) -> GraphProto.input (11) -> ValueInfoProto.type (2) ->
 * TypeProto.tensor_type (1) -> elem_type (1)} and rewrites that one-byte varint in an in-memory
 * copy of the file; the file on disk is never changed. Graphs whose weights live in external data
 * files (all full-size Stable Diffusion UNets) are small, so the copy is cheap. Used to give
 * int64-timestep UNets a float timestep; see ADR 0005.
 */
public final class GraphInputRetyper {
  /** ONNX TensorProto.DataType FLOAT. */
  public static final int FLOAT = 1;

  /** ONNX TensorProto.DataType INT32. */
  public static final int INT32 = 6;

  /** ONNX TensorProto.DataType INT64. */
  public static final int INT64 = 7;

  private GraphInputRetyper() {}

  /**
   * The element type of graph input {@code input} in {@code model}, if the input exists and is a
   * tensor.
   */
  public static OptionalInt elementType(ByteBuffer model, String input) {
    int at = find(model, input);
    return at < 0 ? OptionalInt.empty() : OptionalInt.of(model.get(at));
  }

  /**
   * A direct buffer holding {@code file} with input {@code input} retyped to {@code newType}.
   *
   * @throws IllegalArgumentException when the input is not found or its type is not a one-byte
   *     varint
   */
  public static ByteBuffer retyped(Path file, String input, int newType) throws IOException {
    if (newType < 1 || newType > 127) {
      throw new IllegalArgumentException("newType must be 1..127 but was " + newType);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer copy = ByteBuffer.allocateDirect(Math.toIntExact(ch.size()));
      while (copy.hasRemaining()) {
        if (ch.read(copy) < 0) {
          throw new IOException(file + " ended early");
        }
      }
      copy.flip();
      int at = find(copy, input);
      if (at < 0) {
        throw new IllegalArgumentException(file + " has no tensor input '" + input + "'");
      }
      copy.put(at, (byte) newType);
      return copy;
    }
  }

  /** Offset of the elem_type byte of {@code input}, or -1. */
  static int find(ByteBuffer b, String input) {
    byte[] wanted = input.getBytes(StandardCharsets.UTF_8);
    Cursor top = new Cursor(b, 0, b.limit());
    while (top.next()) {
      if (top.field == 7 && top.wireType == 2) {
        Cursor graph = top.inner();
        while (graph.next()) {
          if (graph.field == 11 && graph.wireType == 2) {
            int at = valueInfoElemType(graph.inner(), b, wanted);
            if (at >= 0) {
              return at;
            }
          }
        }
      }
    }
    return -1;
  }

  private static int valueInfoElemType(Cursor info, ByteBuffer b, byte[] wanted) {
    boolean nameMatches = false;
    int elemType = -1;
    while (info.next()) {
      if (info.field == 1 && info.wireType == 2) {
        nameMatches = equalBytes(b, info.start, info.end, wanted);
      } else if (info.field == 2 && info.wireType == 2) {
        Cursor type = info.inner();
        while (type.next()) {
          if (type.field == 1 && type.wireType == 2) {
            Cursor tensor = type.inner();
            while (tensor.next()) {
              if (tensor.field == 1 && tensor.wireType == 0 && tensor.end - tensor.start == 1) {
                elemType = tensor.start;
              }
            }
          }
        }
      }
    }
    return nameMatches ? elemType : -1;
  }

  private static boolean equalBytes(ByteBuffer b, int start, int end, byte[] wanted) {
    if (end - start != wanted.length) {
      return false;
    }
    for (int i = 0; i < wanted.length; i++) {
      if (b.get(start + i) != wanted[i]) {
        return false;
      }
    }
    return true;
  }

  /** Iterates the fields of one protobuf message in {@code [pos, end)}. */
  private static final class Cursor {
    private final ByteBuffer b;
    private int pos;
    private final int end0;
    int field;
    int wireType;
    int start;
    int end;

    Cursor(ByteBuffer b, int from, int to) {
      this.b = b;
      this.pos = from;
      this.end0 = to;
    }

    boolean next() {
      if (pos >= end0) {
        return false;
      }
      long key = varint();
      field = (int) (key >>> 3);
      wireType = (int) (key & 7);
      switch (wireType) {
        case 0 -> {
          start = pos;
          varint();
          end = pos;
        }
        case 1 -> {
          start = pos;
          pos += 8;
          end = pos;
        }
        case 2 -> {
          long len = varint();
          start = pos;
          pos = Math.toIntExact(pos + len);
          end = pos;
        }
        case 5 -> {
          start = pos;
          pos += 4;
          end = pos;
        }
        default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wireType);
      }
      if (pos > end0) {
        throw new IllegalArgumentException("truncated protobuf message");
      }
      return true;
    }

    Cursor inner() {
      return new Cursor(b, start, end);
    }

    private long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end0) {
          throw new IllegalArgumentException("truncated protobuf varint");
        }
        byte x = b.get(pos++);
        result |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return result;
        }
      }
      throw new IllegalArgumentException("malformed protobuf varint");
    }
  }
}
