package dev.atelier.core.edit;

import dev.atelier.core.edit.Change.Verb;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one Chinese clause as a {@link Change}: "在X添加Y", "移除X", "把X[从A]改成B", "让X更B".
 *
 * <p>Every gap is bounded, so a hostile or very long clause fails to match quickly instead of
 * backtracking for seconds.
 */
final class ChineseGrammar {

  private static final String ADD_VERB =
      "(?:添加|加上|加入|增加|放上|放置|摆上|摆放|画上|加(?=[一两几个些点])|放(?=[一两几个些]))";
  private static final String REMOVE_VERB = "(?:移除|删除|去掉|去除|擦除|删掉|抹去|抹掉|拿掉|清除|消除)";
  private static final String REPLACE_VERB = "(?:换成|换为|替换为|替换成|更换为|更换成)";
  private static final String SET_VERB =
      "(?:改成|改为|修改为|修改成|变成|变为|调整为|调整成|调成|转换为|转换成|转为|转成|染成|涂成|刷成|漆成"
          + "|设为|设置为|做成|改(?=[一-龥]{1,8}风格)|调(?=[暗亮暖冷]))";

  private static final Pattern ADD_AT =
      Pattern.compile("^(?:在|往|向|于)(.{1,40}?)" + ADD_VERB + "(.{1,80})$");
  private static final Pattern ADD_THEN_AT =
      Pattern.compile("^" + ADD_VERB + "(.{1,80}?)(?:在|到|于)(.{1,40})$");
  private static final Pattern ADD = Pattern.compile("^(?:给(.{1,40}?))?" + ADD_VERB + "(.{1,80})$");
  private static final Pattern REMOVE_AFTER =
      Pattern.compile("^(?:把|将)?(.{1,80}?)(?:给)?" + REMOVE_VERB + "掉?$");
  private static final Pattern REMOVE_BEFORE = Pattern.compile("^" + REMOVE_VERB + "掉?(.{1,80})$");
  private static final Pattern CHANGE =
      Pattern.compile("^(?:把|将|让|使)?(.{0,80}?)(" + REPLACE_VERB + "|" + SET_VERB + ")(.{1,80})$");
  private static final Pattern FROM_TO =
      Pattern.compile(
          "^(?:把|将|让|使)?(.{0,80}?)[从由](.{1,40}?)(" + REPLACE_VERB + "|" + SET_VERB + ")(.{1,80})$");
  private static final Pattern MORE =
      Pattern.compile("^(?:让|使|把|将)?(.{0,40}?)(?:变得|显得|调得|弄得)?(更(?:加)?.{1,20})$");
  private static final Pattern TRAILING_AMOUNT = Pattern.compile("(?:一些|一点|一点儿|些|点)$");

  private ChineseGrammar() {}

  /** The change {@code clause} asks for, or empty when it is not a change the grammar knows. */
  static Optional<Change> parse(String clause) {
    String c = clause.replaceAll("\\s+", "");
    Matcher m = ADD_AT.matcher(c);
    if (m.matches()) {
      return Optional.of(new Change(Verb.ADD, locative(m.group(1)), "", m.group(2)));
    }
    m = ADD_THEN_AT.matcher(c);
    if (m.matches()) {
      return Optional.of(new Change(Verb.ADD, locative(m.group(2)), "", m.group(1)));
    }
    m = REMOVE_BEFORE.matcher(c);
    if (m.matches()) {
      return Optional.of(new Change(Verb.REMOVE, m.group(1), "", ""));
    }
    m = REMOVE_AFTER.matcher(c);
    if (m.matches()) {
      return Optional.of(new Change(Verb.REMOVE, m.group(1), "", ""));
    }
    m = FROM_TO.matcher(c);
    if (m.matches()) {
      return Optional.of(change(m.group(1), m.group(2), m.group(3), m.group(4)));
    }
    m = CHANGE.matcher(c);
    if (m.matches()) {
      return Optional.of(change(m.group(1), "", m.group(2), m.group(3)));
    }
    m = ADD.matcher(c);
    if (m.matches()) {
      return Optional.of(
          new Change(Verb.ADD, m.group(1) == null ? "" : locative(m.group(1)), "", m.group(2)));
    }
    m = MORE.matcher(c);
    if (m.matches()) {
      return Optional.of(
          new Change(
              Verb.SET, m.group(1), "", TRAILING_AMOUNT.matcher(m.group(2)).replaceFirst("")));
    }
    return Optional.empty();
  }

  private static Change change(String target, String from, String verb, String to) {
    String value = TRAILING_AMOUNT.matcher(to).replaceFirst("");
    if (verb.startsWith("调") && verb.length() == 1) {
      value = "更" + value;
    }
    Verb v = verb.matches(REPLACE_VERB) ? Verb.REPLACE : Verb.SET;
    return new Change(v, target, from, value);
  }

  /** A place phrase without its trailing locative particle ("桌子上" is the table). */
  private static String locative(String place) {
    return place.replaceFirst("(?:上面|里面|上|里|中|内)$", "");
  }
}
