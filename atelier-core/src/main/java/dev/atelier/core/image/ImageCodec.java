package dev.atelier.core.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Decodes untrusted image bytes safely, encodes PNG with its own streaming writer, and JPEG and
 * WebP through ImageIO.
 *
 * <p>Decoding detects the format from the leading bytes rather than trusting a file name or content
 * type, reads the dimensions from the header and checks them against {@link ImageLimits} before any
 * pixel is decoded, and turns every decoder failure into an {@link IllegalArgumentException} whose
 * message says what was wrong. Nothing else escapes for bad input, so callers can map that one
 * exception to "400 invalid image".
 *
 * <p>PNG, JPEG, GIF and BMP use the JDK's own plugins. The JDK has none for WebP, so WebP is read
 * and written by whatever WebP plugins the application puts on the class path (the server and CLI
 * ship TwelveMonkeys' pure-Java reader and libwebp's encoder, see docs/adr/0015-webp-codec.md);
 * this class names no plugin at compile time, and without them WebP is refused with a message that
 * says so. Every size a WebP file states (canvas, each bitstream and animation frame) is checked
 * against the limits from its chunk headers before the reader is even created; the reader's own
 * {@code getWidth}, which parses only the header, is then checked as for the other formats.
 *
 * <p>Streams are memory-cached, never spilled to ImageIO's temporary-file cache. All methods are
 * thread-safe: each call uses its own reader or writer.
 */
public final class ImageCodec {

  private ImageCodec() {}

  /**
   * Decodes an image to 8-bit RGB, dropping any alpha channel.
   *
   * @param bytes a PNG, JPEG, GIF, BMP or WebP file; for an animated GIF or WebP, its first frame
   * @param limits the largest image accepted
   * @return the pixels
   * @throws IllegalArgumentException if the bytes exceed the limits, are not one of the supported
   *     formats, or cannot be decoded
   * @see RgbImage#from(BufferedImage)
   */
  public static RgbImage decode(byte[] bytes, ImageLimits limits) {
    return RgbImage.from(decodeRaw(bytes, limits));
  }

  /**
   * Decodes an image as ImageIO presents it, alpha included, for callers such as {@link
   * Mask#fromAlpha} that need more than RGB.
   *
   * @param bytes a PNG, JPEG, GIF, BMP or WebP file; for an animated GIF or WebP, its first frame
   * @param limits the largest image accepted
   * @return the decoded image
   * @throws IllegalArgumentException if the bytes exceed the limits, are not one of the supported
   *     formats, or cannot be decoded
   */
  public static BufferedImage decodeRaw(byte[] bytes, ImageLimits limits) {
    return decodeRaw(bytes, limits, 1);
  }

  /**
   * Reads the format and the size an image's header states, without decoding any pixel.
   *
   * <p>This is what a caller checks its own bounds against before deciding whether, and at what
   * {@linkplain #decodeRaw(byte[], ImageLimits, int) subsampling}, to decode. For WebP it is the
   * canvas; the sizes of the bitstreams inside are checked when decoding.
   *
   * @param bytes a PNG, JPEG, GIF, BMP or WebP file
   * @return the format and the stated size
   * @throws IllegalArgumentException if the bytes are not one of the supported formats or the
   *     header cannot be read
   */
  public static ImageHeader readHeader(byte[] bytes) {
    String format = detectFormat(bytes);
    // Both are read from the bytes here: the readers' own header parsing fails on a header-only
    // file, or refuses an inconsistent one, in words that do not say what size was claimed.
    Optional<ImageHeader> stated =
        format.equals("webp") ? WebpHeaders.stated(bytes) : bmpHeader(bytes);
    if (stated.isPresent()) {
      return stated.get();
    }
    ImageReader reader = readerFor(format);
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      int width = decoding(format, () -> reader.getWidth(0));
      int height = decoding(format, () -> reader.getHeight(0));
      return new ImageHeader(format, width, height);
    } catch (IOException e) {
      throw new IllegalArgumentException(describeFailure(format, e), e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * Decodes every {@code subsampling}-th pixel of every {@code subsampling}-th row, alpha included.
   *
   * <p>The limits apply to the size the file states, not to the smaller result, so a subsampled
   * decode is no way around them; it is for inputs that are only looked at in reduced form, such as
   * reference images, which would otherwise be decoded at full size and scaled down. The JDK's PNG,
   * JPEG, GIF and BMP readers subsample row by row and never hold the full-size raster.
   *
   * @param bytes a PNG, JPEG, GIF, BMP or WebP file; for an animated GIF or WebP, its first frame
   * @param limits the largest image accepted, checked against the stated size
   * @param subsampling the step in both directions; 1 decodes every pixel
   * @return the decoded image, {@code ceil(width / subsampling)} by {@code ceil(height /
   *     subsampling)}
   * @throws IllegalArgumentException if {@code subsampling} is below 1, the bytes exceed the
   *     limits, are not one of the supported formats, or cannot be decoded
   */
  public static BufferedImage decodeRaw(byte[] bytes, ImageLimits limits, int subsampling) {
    if (subsampling < 1) {
      throw new IllegalArgumentException("subsampling must be at least 1 but was " + subsampling);
    }
    limits.checkBytes(bytes.length);
    String format = detectFormat(bytes);
    if (format.equals("webp")) {
      // getWidth reports only the canvas; the bitstreams inside may state larger sizes.
      WebpHeaders.check(bytes, limits);
    }
    bmpHeader(bytes).ifPresent(h -> limits.checkDimensions(h.width(), h.height()));
    ImageReader reader = readerFor(format);
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      // Only the header is parsed here; refusing now is what stops a decompression bomb.
      int width = decoding(format, () -> reader.getWidth(0));
      int height = decoding(format, () -> reader.getHeight(0));
      limits.checkDimensions(width, height);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      ImageReadParam param = reader.getDefaultReadParam();
      if (subsampling > 1) {
        param.setSourceSubsampling(subsampling, subsampling, 0, 0);
      }
      BufferedImage image = decoding(format, () -> reader.read(0, param));
      // libjpeg only warns when the entropy-coded data stops early and fills the rest with grey;
      // a half-grey upload would be edited without complaint, so it counts as truncated. A
      // missing end marker alone loses no pixels and is accepted, as browsers do.
      if (warnings.stream().anyMatch(w -> w.toLowerCase(Locale.ROOT).contains("premature end"))) {
        throw new IllegalArgumentException(
            "image could not be decoded: truncated " + format.toUpperCase(Locale.ROOT) + " data");
      }
      return image;
    } catch (IOException e) {
      throw new IllegalArgumentException(describeFailure(format, e), e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * The size a BMP's DIB header states, read here because the JDK's reader refuses sizes that
   * disagree with the data in words that do not say what the size was. A negative height means
   * top-down rows.
   */
  private static Optional<ImageHeader> bmpHeader(byte[] b) {
    if (!startsWith(b, 'B', 'M') || b.length < 26) {
      return Optional.empty();
    }
    long dibSize = le(b, 14, 4);
    if (dibSize == 12) {
      return Optional.of(new ImageHeader("bmp", (int) le(b, 18, 2), (int) le(b, 20, 2)));
    }
    if (dibSize < 40) {
      return Optional.empty();
    }
    int width = (int) le(b, 18, 4);
    int height = (int) le(b, 22, 4);
    return Optional.of(
        new ImageHeader("bmp", width, height == Integer.MIN_VALUE ? height : Math.abs(height)));
  }

  private static long le(byte[] b, int offset, int length) {
    long v = 0;
    for (int i = length - 1; i >= 0; i--) {
      v = v << 8 | (b[offset + i] & 0xff);
    }
    return v;
  }

  private static ImageReader readerFor(String format) {
    if (format.equals("webp")) {
      return WebpPlugins.reader()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "WebP images cannot be decoded here: no WebP ImageIO reader is on the class"
                          + " path; send PNG or JPEG instead"));
    }
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new IllegalArgumentException(format + " images are not supported by this JDK");
    }
    return readers.next();
  }

  /** A reader step that may fail in the ways ImageIO decoders do. */
  private interface ReaderStep<T> {
    T run() throws IOException;
  }

  private static <T> T decoding(String format, ReaderStep<T> step) {
    try {
      return step.run();
    } catch (IOException | RuntimeException e) {
      // Decoders throw IIOException, EOFException and, on malformed input, runtime exceptions
      // such as ArrayIndexOutOfBoundsException; callers must see one exception type for all.
      throw new IllegalArgumentException(describeFailure(format, e), e);
    }
  }

  /**
   * Encodes an image as an 8-bit RGB PNG carrying the given text chunks.
   *
   * <p>Values that fit Latin-1 are written as {@code tEXt}; others, such as a Chinese prompt, as
   * uncompressed {@code iTXt} in UTF-8, so that any PNG tool shows them intact. Entries keep the
   * map's iteration order. The pixels are deflated at level {@value PngWriter#DEFAULT_LEVEL} as
   * they are filtered, row by row, without a second copy of the image (docs/benchmarks.md has the
   * size and time of each level).
   *
   * @param image the pixels
   * @param textChunks keyword to text, e.g. {@code "parameters"} to the generation settings
   * @return the PNG file
   * @throws IllegalArgumentException if a keyword is not 1 to 79 printable Latin-1 characters or a
   *     value contains a NUL character
   */
  public static byte[] encodePng(RgbImage image, Map<String, String> textChunks) {
    return PngWriter.rgb(image, textChunks, PngWriter.DEFAULT_LEVEL);
  }

  /**
   * Encodes an image as an 8-bit RGB PNG at a chosen deflate level.
   *
   * @param image the pixels
   * @param textChunks keyword to text, as for {@link #encodePng(RgbImage, Map)}
   * @param deflateLevel 0 (stored) to 9 (smallest, slowest)
   * @return the PNG file
   * @throws IllegalArgumentException if {@code deflateLevel} lies outside 0..9, or as {@link
   *     #encodePng(RgbImage, Map)}
   */
  public static byte[] encodePng(RgbImage image, Map<String, String> textChunks, int deflateLevel) {
    return PngWriter.rgb(image, textChunks, deflateLevel);
  }

  /**
   * Encodes a mask as an 8-bit grey PNG, white = 1 (edit): grey level {@code round(255 v)}, the
   * levels of {@link Mask#toGrayImage()} in a third of the bytes, encoded without that image.
   *
   * @param mask the mask
   * @param textChunks keyword to text, as for {@link #encodePng(RgbImage, Map)}
   * @return the PNG file, which {@link Mask#fromGray(BufferedImage)} reads back
   * @throws IllegalArgumentException as {@link #encodePng(RgbImage, Map)}
   */
  public static byte[] encodeMaskPng(Mask mask, Map<String, String> textChunks) {
    return PngWriter.grey(mask, textChunks, PngWriter.DEFAULT_LEVEL);
  }

  /**
   * Encodes an image as a baseline JPEG.
   *
   * @param image the pixels
   * @param quality from 0 (smallest) to 1 (best); 0.9 suits most uses
   * @return the JPEG file
   * @throws IllegalArgumentException if {@code quality} lies outside [0, 1]
   */
  public static byte[] encodeJpeg(RgbImage image, float quality) {
    if (!(quality >= 0f && quality <= 1f)) {
      throw new IllegalArgumentException("quality must be in [0, 1] but was " + quality);
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      return write(writer, new IIOImage(image.toBufferedImage(), null, null), param);
    } finally {
      writer.dispose();
    }
  }

  /**
   * Encodes an image as a WebP file with libwebp, through the WebP ImageIO writer on the class
   * path.
   *
   * <p>{@code quality} 1 writes lossless WebP (VP8L), whose pixels decode exactly as given, as
   * PNG's do; anything below writes lossy WebP (VP8) at that quality, libwebp's {@code -q 100 *
   * quality}. So OpenAI's {@code output_compression} maps as {@code compression / 100}, and its
   * default of 100 loses nothing.
   *
   * @param image the pixels
   * @param quality from 0 (smallest) to 1 (lossless)
   * @return the WebP file
   * @throws IllegalArgumentException if {@code quality} lies outside [0, 1]
   * @throws IllegalStateException if no WebP writer is on the class path, or it fails to load its
   *     native library on this platform; {@link #webpEncoderProblem()} tells beforehand
   */
  public static byte[] encodeWebp(RgbImage image, float quality) {
    if (!(quality >= 0f && quality <= 1f)) {
      throw new IllegalArgumentException("quality must be in [0, 1] but was " + quality);
    }
    ImageWriter writer =
        WebpPlugins.writer()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "cannot write WebP: no WebP ImageIO writer is on the class path"));
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      boolean lossless = quality == 1f;
      param.setCompressionType(compressionType(param, lossless ? "lossless" : "lossy"));
      if (!lossless) {
        param.setCompressionQuality(quality);
      }
      return write(writer, new IIOImage(image.toBufferedImage(), null, null), param);
    } finally {
      writer.dispose();
    }
  }

  /**
   * Tells why {@link #encodeWebp} cannot work in this process, or nothing when it can.
   *
   * <p>The answer is found once, by encoding one pixel, and then kept.
   *
   * @return a reason such as "no WebP encoder (ImageIO writer) is on its class path", or empty
   */
  public static Optional<String> webpEncoderProblem() {
    return WebpPlugins.encoderProblem();
  }

  private static String compressionType(ImageWriteParam param, String wanted) {
    for (String type : param.getCompressionTypes()) {
      if (type.equalsIgnoreCase(wanted)) {
        return type;
      }
    }
    throw new IllegalStateException(
        "the WebP writer offers no '"
            + wanted
            + "' compression type, only "
            + List.of(param.getCompressionTypes()));
  }

  /**
   * Reads the text chunks of a PNG: {@code tEXt}, {@code zTXt} and {@code iTXt}, wherever they sit
   * in the file.
   *
   * <p>A keyword that appears twice keeps its last value. Compressed text that would inflate past 8
   * MiB in one chunk is refused rather than expanded.
   *
   * @param png a PNG file
   * @return keyword to text, in file order; empty if there is none
   * @throws IllegalArgumentException if the bytes are not a well-formed PNG chunk sequence, a chunk
   *     fails its CRC, or a text chunk is malformed or too large once inflated
   */
  public static Map<String, String> readPngText(byte[] png) {
    return PngText.read(png);
  }

  private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, image, param);
    } catch (IOException e) {
      // Only a memory stream is written, so this means a JDK fault, not bad input.
      throw new UncheckedIOException("encoding to memory failed", e);
    }
    return bytes.toByteArray();
  }

  /** Names the ImageIO format the magic bytes announce, or says why the bytes are refused. */
  static String detectFormat(byte[] b) {
    if (PngText.isPng(b)) {
      return "png";
    }
    if (startsWith(b, 0xff, 0xd8, 0xff)) {
      return "jpeg";
    }
    if (startsWith(b, 'G', 'I', 'F', '8')) {
      return "gif";
    }
    if (startsWith(b, 'B', 'M')) {
      return "bmp";
    }
    if (startsWith(b, 'R', 'I', 'F', 'F') && matchesAt(b, 8, 'W', 'E', 'B', 'P')) {
      return "webp";
    }
    throw new IllegalArgumentException(
        "expected PNG, JPEG, GIF, BMP or WebP data but " + FileKinds.describe(b));
  }

  private static boolean startsWith(byte[] b, int... magic) {
    return matchesAt(b, 0, magic);
  }

  private static boolean matchesAt(byte[] b, int offset, int... magic) {
    if (b.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[offset + i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static String describeFailure(String format, Exception e) {
    String name = format.toUpperCase(Locale.ROOT);
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EOFException) {
        return "image could not be decoded: truncated " + name + " data";
      }
    }
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (format.equals("jpeg") && detail.contains("Unsupported Image Type")) {
      // JDKs before 24 read no 4-channel JPEG; that is what this message of theirs means.
      return "image could not be decoded: CMYK or YCCK JPEGs are not supported by this JDK's"
          + " JPEG reader; send an RGB JPEG or a PNG";
    }
    return "image could not be decoded: corrupt or unsupported " + name + " data (" + detail + ")";
  }
}
