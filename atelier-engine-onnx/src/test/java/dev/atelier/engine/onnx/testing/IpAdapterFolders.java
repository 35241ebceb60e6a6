package dev.atelier.engine.onnx.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Copies of the tiny-sd fixture with an analytic IP-Adapter added ({@link TinyGraphs#imageEncoder}
 * and {@link TinyGraphs#ipAdapterProjection}): embeddings are the per-channel means of the CLIP
 * input, projected by {@link #WEIGHTS} and {@link #BIAS} to {@link #TOKENS} tokens of width {@link
 * #HIDDEN}.
 */
public final class IpAdapterFolders {
  /** tiny-sd's text width. */
  public static final int HIDDEN = 32;

  /** Image tokens per reference. */
  public static final int TOKENS = 2;

  /** The embedding width (one value per colour channel). */
  public static final int WIDTH = 3;

  /** {@code [3, TOKENS * HIDDEN]}: weights[c][k] = 0.01 * (c + 1) * ((k % 7) - 3). */
  public static final float[] WEIGHTS = weights();

  /** {@code [TOKENS * HIDDEN]}: bias[k] = 0.001 * k. */
  public static final float[] BIAS = bias();

  private IpAdapterFolders() {}

  /** tiny-sd copied to {@code target}, with {@code image_encoder/} and {@code ip_adapter/}. */
  public static Path tinySdWithIpAdapter(Path target) throws IOException {
    Path root = copyTinySd(target, false);
    TinyGraphs.imageEncoder(root.resolve("image_encoder"));
    TinyGraphs.ipAdapterProjection(
        root.resolve("ip_adapter"), WIDTH, TOKENS, HIDDEN, WEIGHTS, BIAS);
    return root;
  }

  /** tiny-sd copied to {@code target}, without {@code vae_encoder/} when {@code dropEncoder}. */
  public static Path copyTinySd(Path target, boolean dropEncoder) throws IOException {
    Path source = Path.of("src/test/resources/diffusers-tiny/models/tiny-sd");
    try (Stream<Path> s = Files.walk(source)) {
      s.forEach(
          f -> {
            Path rel = source.relativize(f);
            if (dropEncoder && rel.startsWith("vae_encoder")) {
              return;
            }
            try {
              Path to = target.resolve(rel.toString());
              if (Files.isDirectory(f)) {
                Files.createDirectories(to);
              } else {
                Files.copy(f, to);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return target;
  }

  /** The tokens the analytic adapter gives for embedding {@code e} ({@code [3]}). */
  public static float[] expectedTokens(float[] e) {
    float[] out = new float[TOKENS * HIDDEN];
    for (int k = 0; k < out.length; k++) {
      float v = 0;
      for (int c = 0; c < WIDTH; c++) {
        v += e[c] * WEIGHTS[c * out.length + k];
      }
      out[k] = v + BIAS[k];
    }
    return out;
  }

  private static float[] weights() {
    float[] w = new float[WIDTH * TOKENS * HIDDEN];
    for (int c = 0; c < WIDTH; c++) {
      for (int k = 0; k < TOKENS * HIDDEN; k++) {
        w[c * TOKENS * HIDDEN + k] = 0.01f * (c + 1) * ((k % 7) - 3);
      }
    }
    return w;
  }

  private static float[] bias() {
    float[] b = new float[TOKENS * HIDDEN];
    for (int k = 0; k < b.length; k++) {
      b[k] = 0.001f * k;
    }
    return b;
  }
}
