package dev.atelier.engine.onnx.tokenizer.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Splits text around literal occurrences of a set of added tokens. */
public final class AddedTokens {
  /** A stretch of text: either plain text for BPE or one added token. */
  public record Segment(String text, AddedToken token) {
    /** True when this segment is an added token rather than plain text. */
    public boolean isToken() {
      return token != null;
    }
  }

  private final List<AddedToken> tokens;
  private final Pattern pattern;

  /** A splitter for {@code tokens}; an empty list never splits. */
  public AddedTokens(List<AddedToken> tokens) {
    this.tokens = List.copyOf(tokens);
    // Longest first so that, among tokens starting at the same place, the longest wins, like the
    // backend's leftmost-longest matcher.
    this.pattern =
        this.tokens.isEmpty()
            ? null
            : Pattern.compile(
                this.tokens.stream()
                    .map(AddedToken::content)
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .map(Pattern::quote)
                    .collect(Collectors.joining("|")));
  }

  /** {@code text} cut into plain segments and token segments, in order; no empty plain segment. */
  public List<Segment> split(String text) {
    List<Segment> out = new ArrayList<>();
    if (pattern == null) {
      if (!text.isEmpty()) {
        out.add(new Segment(text, null));
      }
      return out;
    }
    Matcher m = pattern.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        out.add(new Segment(text.substring(last, m.start()), null));
      }
      out.add(new Segment(m.group(), find(m.group())));
      last = m.end();
    }
    if (last < text.length()) {
      out.add(new Segment(text.substring(last), null));
    }
    return out;
  }

  private AddedToken find(String content) {
    for (AddedToken t : tokens) {
      if (t.content().equals(content)) {
        return t;
      }
    }
    throw new IllegalStateException("matched \"" + content + "\" but it is not an added token");
  }
}
