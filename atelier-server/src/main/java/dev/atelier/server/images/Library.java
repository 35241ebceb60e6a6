package dev.atelier.server.images;

import dev.atelier.core.GeneratedImage;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.PngMetadata;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.session.Ids;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.BlobStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes produced images and stores their bytes durably; the rows are written by the caller in the
 * same transaction as whatever else references them (a session round), after the blob. Every row
 * built records the owner this library stores for ({@link #forOwner}).
 */
public final class Library {
  private final BlobStore blobs;
  private final String owner;

  /** A library whose rows belong to the empty owner (a server without keys). */
  Library(BlobStore blobs) {
    this(blobs, "");
  }

  private Library(BlobStore blobs, String owner) {
    this.blobs = blobs;
    this.owner = java.util.Objects.requireNonNull(owner, "owner");
  }

  /** The same library, building rows that record {@code owner}. */
  Library forOwner(String owner) {
    return owner.equals(this.owner) ? this : new Library(blobs, owner);
  }

  /**
   * How to encode results.
   *
   * @param format {@code png}, {@code jpeg} or {@code webp}
   * @param compression OpenAI's {@code output_compression}, 0..100: JPEG quality {@code compression
   *     / 100}; WebP lossy at that quality, or lossless at 100; ignored for PNG
   */
  public record Output(String format, int compression) {
    /** Checks that the compression is 0..100. */
    public Output {
      if (compression < 0 || compression > 100) {
        throw new IllegalArgumentException(
            "output_compression must be 0..100 but was " + compression);
      }
    }

    /** Lossless PNG, the default. */
    public static final Output PNG = new Output("png", 100);

    /**
     * The HTTP content type of a stored image's format ({@code png}, {@code jpeg}, {@code webp}).
     */
    public static String contentType(String format) {
      return switch (format) {
        case "jpeg" -> "image/jpeg";
        case "webp" -> "image/webp";
        default -> "image/png";
      };
    }

    /**
     * Encodes {@code image} in this format; PNGs carry {@code textChunks} ({@link
     * PngMetadata#textChunks}), the other formats carry no metadata.
     */
    public byte[] encode(RgbImage image, Map<String, String> textChunks) {
      return switch (format) {
        case "jpeg" -> ImageCodec.encodeJpeg(image, compression / 100f);
        case "webp" -> ImageCodec.encodeWebp(image, compression / 100f);
        default -> ImageCodec.encodePng(image, textChunks);
      };
    }
  }

  /** Encoded bytes plus the row describing them (not yet inserted). */
  public record Saved(StoredImage row, byte[] bytes) {}

  /**
   * Encodes {@code image} (PNG with provenance text, JPEG or WebP), writes the blob durably, and
   * builds its row.
   */
  Saved save(
      GeneratedImage image,
      Output output,
      String sessionId,
      String parentImageId,
      Map<String, String> extraProvenance) {
    Map<String, String> provenance = new LinkedHashMap<>(image.parameters());
    provenance.putAll(extraProvenance);
    byte[] bytes = output.encode(image.image(), PngMetadata.textChunks(provenance));
    String sha = blobs.put(bytes);
    StoredImage row =
        new StoredImage(
            Ids.newId("img"),
            sha,
            output.format(),
            image.image().width(),
            image.image().height(),
            Instant.now(),
            sessionId,
            parentImageId,
            provenance,
            owner);
    return new Saved(row, bytes);
  }

  /**
   * Encodes a mask as an 8-bit grey PNG (white = edit) with {@code provenance} as text, straight
   * from its values, and writes the blob durably.
   */
  Saved saveMask(Mask mask, Map<String, String> provenance) {
    byte[] bytes = ImageCodec.encodeMaskPng(mask, PngMetadata.textChunks(provenance));
    String sha = blobs.put(bytes);
    StoredImage row =
        new StoredImage(
            Ids.newId("img"),
            sha,
            "png",
            mask.width(),
            mask.height(),
            Instant.now(),
            "",
            "",
            new LinkedHashMap<>(provenance),
            owner);
    return new Saved(row, bytes);
  }
}
