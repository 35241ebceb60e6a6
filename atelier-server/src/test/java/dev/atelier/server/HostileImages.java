package dev.atelier.server;

import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.RgbImage;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Makes the hostile-input corpus in memory: odd colour models, damaged files, decompression bombs
 * and giant headers in every accepted format, and images just under and just over each cap of
 * {@link #LIMITS}. Nothing of it is checked in.
 */
final class HostileImages {

  /** The caps the suite's server runs with: small, so that "just over" stays cheap to send. */
  static final int SIDE = 256;

  static final int PIXELS = 96 * 96;
  static final long BYTES = 48_000;
  static final RequestLimits LIMITS =
      new RequestLimits(80L << 20, 200L << 20, 64, 64, 64, BYTES, PIXELS, SIDE, 4, 3L * PIXELS);

  /** What the server must do with a case's bytes. */
  enum Expect {
    /** Decode it: 200 or 201. */
    DECODE,
    /** Refuse it with a 4xx naming the field. */
    REFUSE,
    /** Either, as the JDK's decoder decides (CMYK JPEGs, CRCs the JDK does not check). */
    EITHER
  }

  /**
   * One corpus entry.
   *
   * @param name what it is
   * @param bytes the file
   * @param edited what an image that is edited (or a mask) must get
   * @param guide what a reference must get (subsampled above the pixel cap, not refused)
   * @param message a fragment every refusal's message must contain, or empty
   * @param status the refusal's status (400, or 413 for bytes)
   * @param width the decoded width when it decodes, else 0
   * @param height the decoded height when it decodes, else 0
   */
  record Case(
      String name,
      byte[] bytes,
      Expect edited,
      Expect guide,
      String message,
      int status,
      int width,
      int height) {
    @Override
    public String toString() {
      return name + " (" + bytes.length + " bytes)";
    }
  }

  private HostileImages() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    // Odd but valid inputs decode.
    c.add(ok("png-rgb", png(rgb(64, 48)), 64, 48));
    c.add(ok("png-rgba", png(argb(64, 64)), 64, 64));
    c.add(ok("png-16bit-grey", png(grey16(64, 64)), 64, 64));
    c.add(ok("png-16bit-rgb", png(rgb16(64, 40)), 64, 40));
    c.add(ok("png-palette-trns", png(paletteWithAlpha(64, 64)), 64, 64));
    c.add(ok("png-grey-alpha", png(greyAlpha(64, 64)), 64, 64));
    c.add(ok("png-interlaced", interlacedPng(rgb(64, 64)), 64, 64));
    c.add(ok("jpeg-baseline", jpeg(rgb(64, 64), false), 64, 64));
    c.add(ok("jpeg-progressive", jpeg(rgb(64, 64), true), 64, 64));
    c.add(ok("jpeg-grey", jpeg(grey8(64, 64), false), 64, 64));
    c.add(ok("gif-animated", animatedGif(64, 64), 64, 64));
    c.add(ok("bmp", write("bmp", rgb(64, 64)), 64, 64));
    // The JDK reads four-channel JPEGs (CMYK, and YCCK by the Adobe marker) into RGB itself.
    c.add(ok("jpeg-cmyk", cmykJpeg(64, 64, -1), 64, 64));
    c.add(ok("jpeg-ycck-adobe", cmykJpeg(64, 64, 2), 64, 64));
    c.add(
        new Case(
            "png-wrong-crc",
            wrongCrc(png(rgb(64, 64))),
            Expect.EITHER,
            Expect.EITHER,
            "",
            400,
            64,
            64));
    c.add(
        new Case(
            "gif-logical-screen-65535",
            gifScreen(write("gif", rgb(64, 64)), 65535),
            Expect.EITHER,
            Expect.EITHER,
            "",
            400,
            64,
            64));
    webp().ifPresent(w -> c.add(ok("webp", w, 64, 64)));
    // Damaged and foreign bytes are refused.
    c.add(bad("zero-bytes", new byte[0], "0 bytes"));
    c.add(bad("svg", svg(), "SVG"));
    c.add(
        bad(
            "html",
            "<!DOCTYPE html><html><body>hi</body></html>".getBytes(StandardCharsets.UTF_8),
            "HTML"));
    c.add(bad("png-truncated", truncate(png(rgb(64, 64))), "truncated PNG"));
    c.add(bad("jpeg-truncated", truncate(jpeg(rgb(64, 64), false)), "JPEG"));
    c.add(bad("png-signature-only", Arrays.copyOf(png(rgb(8, 8)), 8), "PNG"));
    // Giant headers and decompression bombs: refused from the header, before any pixel.
    c.add(bad("png-ihdr-100000x100000", pngHeaderOnly(100_000, 100_000), "10000000000 pixels"));
    c.add(bad("png-bomb-256x256", zeroPng(SIDE, SIDE), "65536 pixels"));
    c.add(
        bad(
            "jpeg-sof-65500x65500",
            jpegSof(jpeg(rgb(16, 16), false), 65500, 65500),
            "65500x65500"));
    c.add(bad("gif-frame-65535x65535", gifFrame(write("gif", rgb(16, 16)), 65535), "65535x65535"));
    c.add(
        bad(
            "bmp-header-100000x100000",
            bmpSize(write("bmp", rgb(16, 16)), 100_000, 100_000),
            "100000x100000"));
    c.add(bad("webp-vp8x-max-canvas", webpVp8x(1 << 24, 1 << 24), "16777216x16777216"));
    // Just under and just over every cap.
    c.add(ok("pixels-at-cap-96x96", png(rgb(96, 96)), 96, 96));
    c.add(
        new Case(
            "pixels-over-cap-97x96",
            png(rgb(97, 96)),
            Expect.REFUSE,
            Expect.DECODE,
            "9312 pixels but at most 9216",
            400,
            97,
            96));
    c.add(bad("pixels-over-request-budget-168x168", zeroPng(168, 168), "28224 pixels"));
    c.add(ok("side-at-cap-256x8", png(rgb(SIDE, 8)), SIDE, 8));
    c.add(bad("side-over-cap-264x8", png(rgb(SIDE + 8, 8)), "no side may exceed 256"));
    c.add(ok("bytes-at-cap", padPng(png(rgb(64, 64)), BYTES), 64, 64));
    c.add(
        new Case(
            "bytes-over-cap",
            padPng(png(rgb(64, 64)), BYTES + 1),
            Expect.REFUSE,
            Expect.REFUSE,
            "48001 bytes but at most 48000",
            413,
            0,
            0));
    return c;
  }

  private static Case ok(String name, byte[] bytes, int w, int h) {
    return new Case(name, bytes, Expect.DECODE, Expect.DECODE, "", 400, w, h);
  }

  private static Case bad(String name, byte[] bytes, String message) {
    return new Case(name, bytes, Expect.REFUSE, Expect.REFUSE, message, 400, 0, 0);
  }

  // ---- pixels

  static BufferedImage rgb(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x * 31 + y * 17) & 0xff));
      }
    }
    return img;
  }

  private static BufferedImage argb(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x < w / 2 ? 0xff : 0) << 24 | 0x336699);
      }
    }
    return img;
  }

  private static BufferedImage grey8(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    fill(img.getRaster(), 255);
    return img;
  }

  private static BufferedImage grey16(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
    fill(img.getRaster(), 65535);
    return img;
  }

  private static BufferedImage rgb16(int w, int h) {
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_USHORT);
    WritableRaster r = cm.createCompatibleWritableRaster(w, h);
    fill(r, 65535);
    return new BufferedImage(cm, r, false, null);
  }

  private static BufferedImage greyAlpha(int w, int h) {
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_GRAY),
            true,
            false,
            Transparency.TRANSLUCENT,
            DataBuffer.TYPE_BYTE);
    WritableRaster r = cm.createCompatibleWritableRaster(w, h);
    fill(r, 255);
    return new BufferedImage(cm, r, false, null);
  }

  private static BufferedImage paletteWithAlpha(int w, int h) {
    byte[] red = {0, (byte) 255, 0, 0};
    byte[] green = {0, 0, (byte) 255, 0};
    byte[] blue = {0, 0, 0, (byte) 255};
    byte[] alpha = {0, (byte) 255, (byte) 128, (byte) 255};
    IndexColorModel cm = new IndexColorModel(2, 4, red, green, blue, alpha);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
    WritableRaster r = img.getRaster();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        r.setSample(x, y, 0, (x / 8 + y / 8) % 4);
      }
    }
    return img;
  }

  private static void fill(WritableRaster r, int max) {
    for (int b = 0; b < r.getNumBands(); b++) {
      for (int y = 0; y < r.getHeight(); y++) {
        for (int x = 0; x < r.getWidth(); x++) {
          r.setSample(
              x, y, b, (int) ((long) max * ((x + y + b * 7) % r.getWidth()) / r.getWidth()));
        }
      }
    }
  }

  // ---- files

  static byte[] png(BufferedImage img) {
    return write("png", img);
  }

  private static byte[] write(String format, BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no " + format + " writer for " + img);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] encode(
      String format, IIOImage image, java.util.function.Consumer<ImageWriteParam> setup) {
    ImageWriter w = ImageIO.getImageWritersByFormatName(format).next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      w.setOutput(out);
      ImageWriteParam p = w.getDefaultWriteParam();
      setup.accept(p);
      w.write(null, image, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }

  private static byte[] interlacedPng(BufferedImage img) {
    return encode(
        "png",
        new IIOImage(img, null, null),
        p -> p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT));
  }

  private static byte[] jpeg(BufferedImage img, boolean progressive) {
    return encode(
        "jpeg",
        new IIOImage(img, null, null),
        p -> {
          if (progressive) {
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
          }
        });
  }

  /**
   * A four-channel JPEG, as print workflows make: the JDK writes one from a 4-band raster; with
   * {@code adobeTransform} 0 or 2 an Adobe APP14 marker says CMYK or YCCK, as Photoshop's do.
   */
  private static byte[] cmykJpeg(int w, int h, int adobeTransform) {
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    fill(r, 255);
    byte[] b = encode("jpeg", new IIOImage(r, null, null), p -> {});
    if (adobeTransform < 0) {
      return b;
    }
    byte[] app14 = {
      (byte) 0xff,
      (byte) 0xee,
      0,
      14,
      'A',
      'd',
      'o',
      'b',
      'e',
      0,
      100,
      0,
      0,
      0,
      0,
      (byte) adobeTransform
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b, 0, 2);
    out.writeBytes(app14);
    out.write(b, 2, b.length - 2);
    return out.toByteArray();
  }

  private static byte[] animatedGif(int w, int h) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      for (int frame = 0; frame < 3; frame++) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED);
        img.getRaster().setSample(frame, frame, 0, 5);
        ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(img);
        IIOMetadata meta = writer.getDefaultImageMetadata(type, null);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode gce = new IIOMetadataNode("GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", "10");
        gce.setAttribute("transparentColorIndex", "0");
        root.appendChild(gce);
        meta.mergeTree(format, root);
        writer.writeToSequence(new IIOImage(img, null, meta), null);
      }
      writer.endWriteSequence();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static java.util.Optional<byte[]> webp() {
    if (ImageCodec.webpEncoderProblem().isPresent()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(ImageCodec.encodeWebp(RgbImage.from(rgb(64, 64)), 1f));
  }

  private static byte[] svg() {
    return ("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100000\""
            + " height=\"100000\"><rect width=\"100%\" height=\"100%\" fill=\"red\"/></svg>")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] truncate(byte[] b) {
    return Arrays.copyOf(b, b.length * 2 / 3);
  }

  /** Flips a bit of the first IDAT's CRC. */
  private static byte[] wrongCrc(byte[] png) {
    byte[] b = png.clone();
    int pos = 8;
    while (pos + 8 <= b.length) {
      int len = u32be(b, pos);
      String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
      if (type.equals("IDAT")) {
        b[pos + 8 + len] ^= 0x01;
        return b;
      }
      pos += 12 + len;
    }
    throw new IllegalStateException("no IDAT");
  }

  /** A PNG of {@code w x h} black pixels: a few hundred bytes that inflate to the full raster. */
  static byte[] zeroPng(int w, int h) {
    byte[] raw = new byte[(w * 3 + 1) * h];
    Deflater d = new Deflater(9);
    d.setInput(raw);
    d.finish();
    byte[] buf = new byte[raw.length + 64];
    int n = d.deflate(buf);
    d.end();
    return pngOf(w, h, Arrays.copyOf(buf, n));
  }

  /** A PNG whose IHDR claims {@code w x h} and whose IDAT holds a few deflated zeros. */
  private static byte[] pngHeaderOnly(int w, int h) {
    Deflater d = new Deflater(9);
    d.setInput(new byte[4096]);
    d.finish();
    byte[] buf = new byte[4096];
    int n = d.deflate(buf);
    d.end();
    return pngOf(w, h, Arrays.copyOf(buf, n));
  }

  private static byte[] pngOf(int w, int h, byte[] idat) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    byte[] ihdr = new byte[13];
    be32(ihdr, 0, w);
    be32(ihdr, 4, h);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // truecolour
    chunk(out, "IHDR", ihdr);
    chunk(out, "IDAT", idat);
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /**
   * The PNG with a private ancillary chunk added so that the file is exactly {@code size} bytes.
   */
  private static byte[] padPng(byte[] png, long size) {
    int pad = (int) (size - png.length - 12);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 33); // signature + IHDR
    chunk(out, "prVt", new byte[pad]);
    out.write(png, 33, png.length - 33);
    byte[] b = out.toByteArray();
    if (b.length != size) {
      throw new IllegalStateException("padded to " + b.length + " not " + size);
    }
    return b;
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] head = new byte[8];
    be32(head, 0, data.length);
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(t, 0, head, 4, 4);
    out.writeBytes(head);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    byte[] c = new byte[4];
    be32(c, 0, (int) crc.getValue());
    out.writeBytes(c);
  }

  /** The JPEG with its SOF marker's height and width replaced. */
  private static byte[] jpegSof(byte[] jpeg, int w, int h) {
    byte[] b = jpeg.clone();
    for (int i = 2; i + 9 < b.length; i++) {
      if ((b[i] & 0xff) == 0xff && ((b[i + 1] & 0xff) == 0xc0 || (b[i + 1] & 0xff) == 0xc2)) {
        b[i + 5] = (byte) (h >> 8);
        b[i + 6] = (byte) h;
        b[i + 7] = (byte) (w >> 8);
        b[i + 8] = (byte) w;
        return b;
      }
    }
    throw new IllegalStateException("no SOF");
  }

  /** The GIF with its logical screen set to {@code side x side}; the frame stays as it was. */
  private static byte[] gifScreen(byte[] gif, int side) {
    byte[] b = gif.clone();
    le16(b, 6, side);
    le16(b, 8, side);
    return b;
  }

  /** The GIF with its screen and first frame descriptor claiming {@code side x side}. */
  private static byte[] gifFrame(byte[] gif, int side) {
    byte[] b = gifScreen(gif, side);
    int flags = b[10] & 0xff;
    int pos = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
    while (pos < b.length && b[pos] == 0x21) { // extensions: label, then sub-blocks
      pos += 2;
      while (pos < b.length && b[pos] != 0) {
        pos += (b[pos] & 0xff) + 1;
      }
      pos++;
    }
    if (pos >= b.length || b[pos] != 0x2c) {
      throw new IllegalStateException("no image descriptor");
    }
    le16(b, pos + 5, side);
    le16(b, pos + 7, side);
    return b;
  }

  private static byte[] bmpSize(byte[] bmp, int w, int h) {
    byte[] b = bmp.clone();
    le32(b, 18, w);
    le32(b, 22, h);
    return b;
  }

  /** A WebP file whose VP8X chunk states the largest canvas the format allows. */
  private static byte[] webpVp8x(int w, int h) {
    byte[] b = new byte[12 + 8 + 10];
    System.arraycopy("RIFF".getBytes(StandardCharsets.ISO_8859_1), 0, b, 0, 4);
    le32(b, 4, b.length - 8);
    System.arraycopy("WEBPVP8X".getBytes(StandardCharsets.ISO_8859_1), 0, b, 8, 8);
    le32(b, 16, 10);
    le24(b, 24, w - 1);
    le24(b, 27, h - 1);
    return b;
  }

  private static int u32be(byte[] b, int i) {
    return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | b[i + 3] & 0xff;
  }

  private static void be32(byte[] b, int i, int v) {
    b[i] = (byte) (v >> 24);
    b[i + 1] = (byte) (v >> 16);
    b[i + 2] = (byte) (v >> 8);
    b[i + 3] = (byte) v;
  }

  private static void le16(byte[] b, int i, int v) {
    b[i] = (byte) v;
    b[i + 1] = (byte) (v >> 8);
  }

  private static void le24(byte[] b, int i, int v) {
    le16(b, i, v);
    b[i + 2] = (byte) (v >> 16);
  }

  private static void le32(byte[] b, int i, int v) {
    le24(b, i, v);
    b[i + 3] = (byte) (v >> 24);
  }
}
