package dev.atelier.engine.onnx.grounding;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.grounding.internal.TokenizerJson;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.tokenizer.ClipTokenizer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CLIPSeg model folder: phrases and an image in, one logit map per phrase out.
 *
 * <p>The folder holds {@code model.onnx} (inputs {@code input_ids}, {@code pixel_values} and,
 * optionally, {@code attention_mask}; output {@code logits} {@code [batch, h, w]}), {@code
 * preprocessor_config.json} and the tokenizer, in {@code tokenizer/} or the folder itself. The
 * image is repeated once per phrase, since CLIPSeg pairs the i-th phrase with the i-th image.
 *
 * <p>Checked when loaded, not on the first request. Thread-safe: ONNX Runtime sessions may be run
 * concurrently. Owns a native session; close it once.
 */
public final class ClipSegModel implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Path file;
  private final ClipSegPreprocessor preprocessor;
  private final ClipTokenizer tokenizer;
  private final Map<String, OnnxJavaType> intInputs;
  private final int outputWidth;
  private final int outputHeight;

  private ClipSegModel(
      OrtEnvironment env,
      OrtSession session,
      Path file,
      ClipSegPreprocessor preprocessor,
      ClipTokenizer tokenizer,
      Map<String, OnnxJavaType> intInputs,
      int outputWidth,
      int outputHeight) {
    this.env = env;
    this.session = session;
    this.file = file;
    this.preprocessor = preprocessor;
    this.tokenizer = tokenizer;
    this.intInputs = intInputs;
    this.outputWidth = outputWidth;
    this.outputHeight = outputHeight;
  }

  /**
   * Loads and checks a CLIPSeg folder.
   *
   * @param folder the model folder
   * @param settings threads and execution provider
   * @return the model, ready to run
   * @throws AtelierException.ModelUnavailable naming the file that is missing, malformed or does
   *     not have the inputs and outputs described above
   */
  public static ClipSegModel load(Path folder, OrtSettings settings) {
    ClipSegPreprocessor pre;
    ClipTokenizer tok;
    try {
      pre = ClipSegPreprocessor.read(require(folder.resolve("preprocessor_config.json")));
      Path tokDir = folder.resolve("tokenizer");
      tok = TokenizerJson.load(Files.isDirectory(tokDir) ? tokDir : folder);
    } catch (IllegalArgumentException e) {
      throw new AtelierException.ModelUnavailable(e.getMessage(), e);
    }
    Path file = require(folder.resolve("model.onnx"));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = SessionOptions.open(env, file, settings);
    try {
      Map<String, OnnxJavaType> ints = new HashMap<>();
      Map<String, NodeInfo> in = session.getInputInfo();
      ints.put("input_ids", intType(file, in, "input_ids"));
      if (in.containsKey("attention_mask")) {
        ints.put("attention_mask", intType(file, in, "attention_mask"));
      }
      long[] pix = tensor(file, in, "pixel_values", "input").getShape();
      if (pix.length != 4
          || (pix[2] > 0 && pix[2] != pre.height())
          || (pix[3] > 0 && pix[3] != pre.width())) {
        throw new AtelierException.ModelUnavailable(
            "%s: expected input pixel_values [batch, 3, %d, %d] (preprocessor_config.json size)"
                    .formatted(file, pre.height(), pre.width())
                + " but found "
                + Arrays.toString(pix));
      }
      long[] out = tensor(file, session.getOutputInfo(), "logits", "output").getShape();
      if (out.length < 2 || out.length > 3) {
        throw new AtelierException.ModelUnavailable(
            file + ": expected output logits [batch, h, w] but found rank " + out.length);
      }
      long h = out[out.length - 2];
      long w = out[out.length - 1];
      // Symbolic sizes: CLIPSeg's decoder upsamples back to the input resolution.
      return new ClipSegModel(
          env,
          session,
          file,
          pre,
          tok,
          Map.copyOf(ints),
          w > 0 ? (int) w : pre.width(),
          h > 0 ? (int) h : pre.height());
    } catch (OrtException | RuntimeException e) {
      closeQuietly(session);
      if (e instanceof AtelierException a) {
        throw a;
      }
      throw new AtelierException.ModelUnavailable(file + ": " + e.getMessage(), e);
    }
  }

  private static Path require(Path f) {
    if (!Files.isRegularFile(f)) {
      throw new AtelierException.ModelUnavailable(
          "CLIPSeg folder " + f.getParent() + " must contain " + f.getFileName() + " but does not");
    }
    return f;
  }

  private static TensorInfo tensor(
      Path file, Map<String, NodeInfo> infos, String name, String kind) {
    NodeInfo n = infos.get(name);
    if (n == null || !(n.getInfo() instanceof TensorInfo t)) {
      throw new AtelierException.ModelUnavailable(
          file + ": expected " + kind + " '" + name + "' but found " + infos.keySet());
    }
    return t;
  }

  private static OnnxJavaType intType(Path file, Map<String, NodeInfo> in, String name) {
    TensorInfo t = tensor(file, in, name, "input");
    if (!Set.of(OnnxJavaType.INT64, OnnxJavaType.INT32).contains(t.type)
        || t.getShape().length != 2) {
      throw new AtelierException.ModelUnavailable(
          "%s: expected input %s int64 or int32 [batch, length] but found %s rank %d"
              .formatted(file, name, t.type, t.getShape().length));
    }
    return t.type;
  }

  /** The preprocessing this model was trained with. */
  public ClipSegPreprocessor preprocessor() {
    return preprocessor;
  }

  /** The width of each logit map. */
  public int outputWidth() {
    return outputWidth;
  }

  /** The height of each logit map. */
  public int outputHeight() {
    return outputHeight;
  }

  /**
   * The model input for {@code image}: resized, rescaled and normalised, channels first.
   *
   * @param image any size
   * @return {@code 3 * height * width} floats at the preprocessor's size
   */
  public float[] preprocess(RgbImage image) {
    return preprocessor.apply(image);
  }

  /**
   * The token ids and attention mask of {@code phrases}, padded to the longest.
   *
   * @param phrases at least one phrase
   * @return the batch the model is fed
   */
  public TokenBatch tokenize(List<String> phrases) {
    return TokenBatch.of(tokenizer, phrases);
  }

  /**
   * Runs every phrase against {@code image} in one batch.
   *
   * @param image the image, any size
   * @param phrases at least one phrase
   * @return per phrase, {@code outputHeight() * outputWidth()} logits, row-major
   * @throws AtelierException.EngineFailure when ONNX Runtime fails
   */
  public float[][] logits(RgbImage image, List<String> phrases) {
    return logitsFromPixels(preprocess(image), phrases);
  }

  /**
   * Runs the phrases against preprocessed pixels, for callers (and parity tests) that hold them.
   *
   * @param pixelValues one image ({@code 3 * h * w}, repeated for every phrase) or one per phrase
   *     ({@code phrases.size() * 3 * h * w}), at the preprocessor's size
   * @param phrases at least one phrase
   * @return per phrase, {@code outputHeight() * outputWidth()} logits
   * @throws IllegalArgumentException if {@code pixelValues} has another length
   * @throws AtelierException.EngineFailure when ONNX Runtime fails
   */
  public float[][] logitsFromPixels(float[] pixelValues, List<String> phrases) {
    TokenBatch tokens = tokenize(phrases);
    int n = tokens.rows();
    int image = 3 * preprocessor.height() * preprocessor.width();
    float[] pixels;
    if (pixelValues.length == image) {
      pixels = new float[n * image];
      for (int i = 0; i < n; i++) {
        System.arraycopy(pixelValues, 0, pixels, i * image, image);
      }
    } else if (pixelValues.length == n * image) {
      pixels = pixelValues;
    } else {
      throw new IllegalArgumentException(
          "pixelValues must hold %d (one image) or %d (one per phrase) floats but holds %d"
              .formatted(image, n * image, pixelValues.length));
    }
    long[] idShape = {n, tokens.length()};
    long[] pixShape = {n, 3, preprocessor.height(), preprocessor.width()};
    Map<String, OnnxTensor> feeds = new HashMap<>();
    try {
      feeds.put("input_ids", ints("input_ids", tokens.ids(), idShape));
      if (intInputs.containsKey("attention_mask")) {
        feeds.put("attention_mask", ints("attention_mask", tokens.attentionMask(), idShape));
      }
      feeds.put("pixel_values", OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), pixShape));
      try (OrtSession.Result r = session.run(feeds, Set.of("logits"))) {
        FloatBuffer fb = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
        int per = outputWidth * outputHeight;
        if (fb.remaining() != n * per) {
          throw new AtelierException.EngineFailure(
              "%s: expected %d logits (%d x %dx%d) but the model returned %d"
                  .formatted(file, n * per, n, outputHeight, outputWidth, fb.remaining()),
              null);
        }
        float[][] out = new float[n][per];
        for (float[] row : out) {
          fb.get(row);
        }
        return out;
      }
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(file + " failed: " + e.getMessage(), e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor ints(String input, long[] values, long[] shape) throws OrtException {
    if (intInputs.get(input) == OnnxJavaType.INT32) {
      int[] v = new int[values.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.toIntExact(values[i]);
      }
      return OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
    }
    return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException e) {
      // Only native memory is at stake, and the load is failing anyway.
    }
  }

  /** Releases the native session. */
  @Override
  public void close() {
    closeQuietly(session);
  }
}
