package dev.atelier.engine.onnx.tokenizer.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE over one word with CLIP's {@code </w>} end-of-word suffix.
 *
 * <p>Immutable apart from a bounded per-word cache, which is safe to share between threads.
 */
public final class Bpe {
  /** Appended to the last symbol of every word before merging. */
  public static final String END_OF_WORD = "</w>";

  // Prompts reuse a small set of words; past this many entries the cache starts over rather than
  // growing without bound on adversarial input.
  private static final int CACHE_LIMIT = 16_384;

  private record Merge(int rank, int id) {}

  private final Map<String, Integer> vocab;
  private final String[] tokenById;
  private final Map<Long, Merge> merges;
  private final int unkId;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  private Bpe(Map<String, Integer> vocab, Map<Long, Merge> merges, int unkId) {
    this.vocab = Map.copyOf(vocab);
    this.merges = Map.copyOf(merges);
    this.unkId = unkId;
    int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
    this.tokenById = new String[maxId + 1];
    vocab.forEach((token, id) -> tokenById[id] = token);
  }

  /**
   * Reads {@code vocab.json} (token to id) and {@code merges.txt} (one "left right" pair a line,
   * ranked by line order, an optional {@code #version} first line).
   *
   * @param vocabFile where the vocabulary came from, for messages
   * @param vocabJson the text of {@code vocabFile}
   * @param mergesFile where the merges came from, for messages
   * @param mergesTxt the text of {@code mergesFile}
   * @param unkToken the token that stands for symbols missing from the vocabulary
   * @throws IllegalArgumentException naming the file when either is malformed or inconsistent
   */
  public static Bpe parse(
      Path vocabFile, String vocabJson, Path mergesFile, String mergesTxt, String unkToken) {
    Map<String, Integer> vocab = new HashMap<>();
    JsonValue.Obj obj;
    try {
      obj = Json.parse(vocabJson).asObject();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          vocabFile + ": expected a JSON object of token to id but " + e.getMessage(), e);
    }
    for (Map.Entry<String, JsonValue> e : obj.members().entrySet()) {
      if (!(e.getValue() instanceof JsonValue.Num n) || n.value() < 0 || n.value() != n.asLong()) {
        throw new IllegalArgumentException(
            vocabFile
                + ": expected a non-negative integer id for token "
                + Json.quote(e.getKey())
                + " but found "
                + e.getValue());
      }
      vocab.put(e.getKey(), (int) n.asLong());
    }
    Integer unk = vocab.get(unkToken);
    if (unk == null) {
      throw new IllegalArgumentException(
          vocabFile + ": expected the unknown token " + Json.quote(unkToken) + " but it is absent");
    }
    return new Bpe(vocab, parseMerges(mergesFile, mergesTxt, vocab), unk);
  }

  private static Map<Long, Merge> parseMerges(
      Path mergesFile, String text, Map<String, Integer> vocab) {
    Map<Long, Merge> merges = new HashMap<>();
    List<String> lines = text.lines().toList();
    int rank = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || (i == 0 && line.startsWith("#version"))) {
        continue;
      }
      String[] parts = line.split(" ", -1);
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new IllegalArgumentException(
            mergesFile + " line " + (i + 1) + ": expected \"left right\" but found " + line);
      }
      Integer left = vocab.get(parts[0]);
      Integer right = vocab.get(parts[1]);
      Integer merged = vocab.get(parts[0] + parts[1]);
      if (left == null || right == null || merged == null) {
        throw new IllegalArgumentException(
            mergesFile
                + " line "
                + (i + 1)
                + ": expected "
                + Json.quote(parts[0])
                + ", "
                + Json.quote(parts[1])
                + " and their merge to be in vocab.json but at least one is missing");
      }
      // A repeated pair takes its last rank, as the reference builds its table with a map.
      merges.put(key(left, right), new Merge(rank++, merged));
    }
    return merges;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  /** The id of {@code token}, or -1 when it is not in the vocabulary. */
  public int id(String token) {
    return vocab.getOrDefault(token, -1);
  }

  /** The token with {@code id}, or null when no token has it. */
  public String token(int id) {
    return id >= 0 && id < tokenById.length ? tokenById[id] : null;
  }

  /** All ids of the vocabulary. */
  public Collection<Integer> ids() {
    return vocab.values();
  }

  /** The ids of one pre-split {@code word} (not empty); the array must not be modified. */
  public int[] encodeWord(String word) {
    int[] ids = cache.get(word);
    if (ids == null) {
      ids = merge(word);
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear();
      }
      cache.put(word, ids);
    }
    return ids;
  }

  private int[] merge(String word) {
    String chars = ByteUnicode.encode(word);
    int n = chars.length();
    int[] symbols = new int[n];
    for (int i = 0; i < n; i++) {
      String symbol = String.valueOf(chars.charAt(i));
      symbols[i] = vocab.getOrDefault(i == n - 1 ? symbol + END_OF_WORD : symbol, unkId);
    }
    while (n > 1) {
      Merge best = null;
      int bestLeft = 0;
      int bestRight = 0;
      for (int i = 0; i + 1 < n; i++) {
        Merge m = merges.get(key(symbols[i], symbols[i + 1]));
        if (m != null && (best == null || m.rank() < best.rank())) {
          best = m;
          bestLeft = symbols[i];
          bestRight = symbols[i + 1];
        }
      }
      if (best == null) {
        break;
      }
      // Every occurrence of the best pair merges in one left-to-right pass, as in the original.
      int w = 0;
      for (int i = 0; i < n; ) {
        if (i + 1 < n && symbols[i] == bestLeft && symbols[i + 1] == bestRight) {
          symbols[w++] = best.id();
          i += 2;
        } else {
          symbols[w++] = symbols[i++];
        }
      }
      n = w;
    }
    return Arrays.copyOf(symbols, n);
  }
}
