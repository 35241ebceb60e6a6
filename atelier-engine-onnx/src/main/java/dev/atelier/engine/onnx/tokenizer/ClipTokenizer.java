package dev.atelier.engine.onnx.tokenizer;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.tokenizer.internal.AddedToken;
import dev.atelier.engine.onnx.tokenizer.internal.AddedTokens;
import dev.atelier.engine.onnx.tokenizer.internal.Bpe;
import dev.atelier.engine.onnx.tokenizer.internal.ClipText;
import dev.atelier.engine.onnx.tokenizer.internal.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The CLIP tokenizer of Stable Diffusion text encoders, giving the ids of transformers 5's {@code
 * CLIPTokenizer}.
 *
 * <p>Text goes through: special tokens cut out where written literally; NFC, whitespace runs to one
 * space, lower case; the CLIP word regex; byte-level BPE with a {@code </w>} suffix per word. Ids
 * are framed as {@code [bos] ... [eos]} and fitted to {@link #maxLength()}.
 *
 * <p>Immutable after {@link #load}; safe to share between threads.
 */
public final class ClipTokenizer {
  private static final int DEFAULT_MAX_LENGTH = 77;

  // transformers writes int(1e30) as model_max_length when a tokenizer declares none.
  private static final long UNSET_MAX_LENGTH = 1_000_000_000L;

  private final Bpe bpe;
  private final AddedTokens rawTokens;
  private final AddedTokens normalizedTokens;
  private final Map<Integer, String> addedById;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final int maxLength;
  private final int vocabSize;

  private ClipTokenizer(
      Bpe bpe, List<AddedToken> added, int bosId, int eosId, int padId, int maxLength) {
    this.bpe = bpe;
    this.rawTokens = new AddedTokens(added.stream().filter(t -> !t.normalized()).toList());
    this.normalizedTokens = new AddedTokens(added.stream().filter(AddedToken::normalized).toList());
    Map<Integer, String> byId = new LinkedHashMap<>();
    added.forEach(t -> byId.put(t.id(), t.content()));
    this.addedById = Map.copyOf(byId);
    this.bosId = bosId;
    this.eosId = eosId;
    this.padId = padId;
    this.maxLength = maxLength;
    Set<Integer> ids = new HashSet<>(bpe.ids());
    ids.addAll(byId.keySet());
    this.vocabSize = ids.size();
  }

  /**
   * Loads a Hugging Face tokenizer folder: {@code vocab.json} and {@code merges.txt} are required;
   * {@code special_tokens_map.json} and {@code tokenizer_config.json} are read when present (the
   * former wins, as in transformers), otherwise CLIP's defaults apply.
   *
   * @throws IllegalArgumentException naming the file that is missing, unreadable or inconsistent
   */
  public static ClipTokenizer load(Path tokenizerDir) {
    Path vocabFile = tokenizerDir.resolve("vocab.json");
    Path mergesFile = tokenizerDir.resolve("merges.txt");
    Path mapFile = tokenizerDir.resolve("special_tokens_map.json");
    Path configFile = tokenizerDir.resolve("tokenizer_config.json");
    String vocabJson = read(vocabFile, true);
    String mergesTxt = read(mergesFile, true);
    JsonValue.Obj map = readObject(mapFile);
    JsonValue.Obj config = readObject(configFile);

    SpecialTokens specials = SpecialTokens.from(map, mapFile, config, configFile);
    Bpe bpe = Bpe.parse(vocabFile, vocabJson, mergesFile, mergesTxt, specials.unk().content());
    List<AddedToken> added = specials.addedTokens(bpe, vocabFile);
    Map<String, Integer> ids = new LinkedHashMap<>();
    added.forEach(t -> ids.put(t.content(), t.id()));

    long declared = config.integer("model_max_length", DEFAULT_MAX_LENGTH);
    int maxLength = declared >= UNSET_MAX_LENGTH ? DEFAULT_MAX_LENGTH : (int) declared;
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          configFile
              + ": expected model_max_length >= 2 (room for bos and eos) but found "
              + declared);
    }
    return new ClipTokenizer(
        bpe,
        added,
        ids.get(specials.bos().content()),
        ids.get(specials.eos().content()),
        ids.get(specials.pad().content()),
        maxLength);
  }

  private static String read(Path file, boolean required) {
    if (!Files.isRegularFile(file)) {
      if (required) {
        throw new IllegalArgumentException(
            "tokenizer folder "
                + file.getParent()
                + " must contain "
                + file.getFileName()
                + " but "
                + file
                + " does not exist");
      }
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonValue.Obj readObject(Path file) {
    String text = read(file, false);
    if (text == null) {
      return new JsonValue.Obj(Map.of());
    }
    try {
      return Json.parse(text).asObject();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          file + ": expected a JSON object but " + e.getMessage(), e);
    }
  }

  /** The BPE tokens of {@code text}, without bos/eos; literal special tokens stay whole. */
  public List<String> tokenize(String text) {
    int[] ids = tokenIds(text);
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      String added = addedById.get(id);
      tokens.add(added != null ? added : bpe.token(id));
    }
    return tokens;
  }

  /** The ids of {@code text}, without bos/eos and without truncation. */
  public int[] tokenIds(String text) {
    IntStream.Builder ids = IntStream.builder();
    for (AddedTokens.Segment raw : rawTokens.split(text)) {
      if (raw.isToken()) {
        ids.add(raw.token().id());
        continue;
      }
      for (AddedTokens.Segment seg : normalizedTokens.split(ClipText.normalize(raw.text()))) {
        if (seg.isToken()) {
          ids.add(seg.token().id());
          continue;
        }
        for (String word : ClipText.words(seg.text())) {
          for (int id : bpe.encodeWord(word)) {
            ids.add(id);
          }
        }
      }
    }
    return ids.build().toArray();
  }

  /**
   * {@code [bos] + ids + [eos]}, keeping only the first {@code maxLength() - 2} ids of long text so
   * that eos is always last and the total never exceeds {@link #maxLength()}.
   */
  public int[] encode(String text) {
    int[] ids = tokenIds(text);
    int kept = Math.min(ids.length, maxLength - 2);
    int[] out = new int[kept + 2];
    out[0] = bosId;
    System.arraycopy(ids, 0, out, 1, kept);
    out[kept + 1] = eosId;
    return out;
  }

  /** {@link #encode} padded on the right with {@link #padId()} to exactly {@link #maxLength()}. */
  public int[] encodePadded(String text) {
    int[] ids = encode(text);
    int[] out = Arrays.copyOf(ids, maxLength);
    Arrays.fill(out, ids.length, maxLength, padId);
    return out;
  }

  /** The sequence length the text encoder takes ({@code model_max_length}, default 77). */
  public int maxLength() {
    return maxLength;
  }

  /** The id of the beginning-of-text token. */
  public int bosId() {
    return bosId;
  }

  /** The id of the end-of-text token. */
  public int eosId() {
    return eosId;
  }

  /** The id used for padding; equal to {@link #eosId()} in SD1 tokenizers, not in SD2 ones. */
  public int padId() {
    return padId;
  }

  /** The number of distinct ids: the vocabulary plus added tokens outside it. */
  public int vocabSize() {
    return vocabSize;
  }
}
