package dev.atelier.core.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/** Builds PNG byte sequences by hand, for inputs no encoder would produce. */
final class PngFixtures {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private PngFixtures() {}

  /** A signature and an 8-bit RGB IHDR claiming the given size, then IEND: no pixel data. */
  static byte[] headerOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    return concat(SIGNATURE, chunk("IHDR", ihdr.array()), chunk("IEND", new byte[0]));
  }

  /** One chunk: length, type, data and a correct CRC. */
  static byte[] chunk(String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length)
        .putInt(data.length)
        .put(typeBytes)
        .put(data)
        .putInt((int) crc.getValue())
        .array();
  }

  /** Inserts chunks just before the final 12-byte IEND chunk. */
  static byte[] insertBeforeIend(byte[] png, byte[] chunks) {
    int iend = png.length - 12;
    return concat(Arrays.copyOf(png, iend), chunks, Arrays.copyOfRange(png, iend, png.length));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
