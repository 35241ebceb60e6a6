package dev.atelier.core;

/** Which writing system a prompt is in, for answers and added wording in the prompt's language. */
public final class Scripts {
  private Scripts() {}

  /** Whether {@code s} contains a Han character. */
  public static boolean hasHan(String s) {
    return s.codePoints()
        .anyMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN);
  }

  /**
   * Whether {@code text} reads as Chinese: more Han characters than Latin words, so "把 Logo 改成金色"
   * or a Chinese prompt naming "iPhone" is Chinese, and "add a 福 sign" is English.
   */
  public static boolean isChinese(String text) {
    int han = 0;
    int latinWords = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      Character.UnicodeScript script = Character.UnicodeScript.of(cp);
      boolean latin = Character.isLetter(cp) && script == Character.UnicodeScript.LATIN;
      if (script == Character.UnicodeScript.HAN) {
        han++;
      }
      if (latin && !inWord) {
        latinWords++;
      }
      inWord = latin;
    }
    return han > latinWords;
  }
}
