package dev.atelier.core.batch;

import dev.atelier.core.edit.Lexicon;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The fixed English and Chinese patterns {@link CharacterSheet#extract} reads traits with.
 *
 * <p>Colour and clothing words come from the bundled {@link Lexicon}; the rest is listed here. Each
 * trait is the earliest match in the prompt, English or Chinese; clothing collects every match. The
 * patterns favour missing an unusual phrasing over reading a trait into a scene description, so
 * adjectives count only in front of the noun they describe ("short black hair", "黑色短发").
 */
final class CharacterTraits {

  private static final String PERSON_EN =
      "(?:m[ae]n|wom[ae]n|male|female|boy|girl|guy|lady|gentleman|person|character|protagonist"
          + "|hero|heroine|chef|cook|detective|doctor|nurse|student|teacher|child|kid|teenager"
          + "|astronaut|knight|princess|prince|king|queen|soldier|warrior|wizard|witch|cowboy"
          + "|businessman|businesswoman|runner|athlete|farmer|pilot|police\\s+officer|officer"
          + "|artist|musician|grandmother|grandfather|grandma|grandpa|mother|father)";
  private static final String ETHNIC_EN =
      "(?:asian|east\\s+asian|chinese|japanese|korean|indian|african|african-american|black"
          + "|white|caucasian|european|latino|latina|hispanic|middle\\s+eastern|arab)";
  private static final String PERSON_ZH =
      "(?:男人|女人|男子|女子|男性|女性|男孩|女孩|男生|女生|少年|少女|青年|老人|老奶奶|老爷爷|小孩|孩子"
          + "|儿童|婴儿|人物|角色|主角|主人公|厨师|侦探|医生|护士|学生|老师|宇航员|骑士|公主|王子|国王"
          + "|女王|士兵|战士|巫师|女巫|警察|商人|运动员|跑者|农民|飞行员|画家|音乐家|模特|女士|先生)";
  private static final String ETHNIC_ZH = "(?:亚洲|欧洲|非洲|中国|日本|韩国|东方|西方|白人|黑人)";

  static final Pattern SUBJECT =
      Pattern.compile(
          "\\b(?:"
              + ETHNIC_EN
              + "\\s+)?(?:(?:male|female)\\s+)?"
              + PERSON_EN
              + "\\b(?!-)|(?:"
              + ETHNIC_ZH
              + "的?)?"
              + PERSON_ZH,
          Pattern.CASE_INSENSITIVE);

  private static final Pattern AGE_NUMBER_EN =
      Pattern.compile(
          "\\b(\\d{1,3})[- ]?(?:years?|yrs?)[- ]old\\b|\\baged\\s+(\\d{1,3})\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern AGE_WORD_EN =
      Pattern.compile(
          "\\b(elderly|middle-aged|teenage|young|old|senior|adolescent)\\s+(?:[a-z-]+\\s+){0,2}?"
              + "(?="
              + PERSON_EN
              + "\\b)",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern AGE_ZH =
      Pattern.compile("\\d{1,3}\\s*岁|[一二三四五六七八九十几]{1,4}多?岁|中年|老年|年迈|年轻|年长");

  private static final String HAIR_ADJ_EN =
      "(?:short|long|medium-length|shoulder-length|chin-length|waist-length|curly|straight|wavy"
          + "|braided|messy|tousled|spiky|slicked-back|cropped|thick|thin|neat|black|jet-black"
          + "|brown|dark-brown|light-brown|blonde|blond|platinum|red|grey|gray|white|silver|auburn"
          + "|ginger|pink|blue|purple|green|dark|light)";
  private static final Pattern HAIR_EN =
      Pattern.compile(
          "\\b"
              + HAIR_ADJ_EN
              + "(?:(?:\\s*,\\s*|\\s+and\\s+|[\\s-]+)"
              + HAIR_ADJ_EN
              + ")*\\s+hair\\b|\\b(?:ponytail|pigtails|braids|buzz\\s+cut|crew\\s+cut|bald|afro"
              + "|mohawk|dreadlocks)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern HAIR_ZH =
      Pattern.compile(
          "(?:(?:黑色|棕色|金色|银色|白色|灰色|红色|栗色|褐色|粉色|蓝色|亚麻色|黑|棕|金|银|白|灰|红)的?)?"
              + "(?:齐肩|及腰|中长|超短|长|短)?的?(?:微卷|卷|直|波浪|蓬松)?(?:头发|发)"
              + "(?![光出送布现生展明射芽财动表言型挥])"
              + "|双马尾|马尾辫|马尾|丸子头|光头|寸头|平头|麻花辫|辫子|波波头");

  private static final Pattern GLASSES_EN =
      Pattern.compile(
          "\\b(?:no|without)\\s+(?:glasses|eyeglasses|spectacles)\\b|\\b(?:(?:black|gold|silver"
              + "|red|thick|thin|wire|metal|horn|tortoiseshell|round|square|oval|rectangular"
              + "|rimless|cat-eye|oversized|dark|tinted|reading)(?:[- ](?:frame|framed|rimmed|rim))?"
              + "[\\s-]+){0,3}(?:eyeglasses|glasses|spectacles|sunglasses)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern GLASSES_ZH =
      Pattern.compile(
          "不戴眼镜|没戴眼镜|没有眼镜|无眼镜|(?:黑框|金框|银框|细框|粗框|圆框|方框|无框|半框|金丝|圆形|方形|黑色|金色)?的?" + "(?:眼镜|墨镜|太阳镜)");

  private static final String FABRIC_EN =
      "leather|silk|cotton|linen|wool|woolen|denim|velvet|plaid|striped|checked|floral"
          + "|polka-dot|long-sleeved|short-sleeved|sleeveless|knitted|oversized|button-down"
          + "|button-up|business|casual|formal|hooded|flannel|bright|pale|deep";
  private static final String FABRIC_ZH = "皮质|皮革|丝绸|真丝|棉质|亚麻|羊毛|格子|条纹|碎花|长袖|短袖|无袖|针织|丝绒";
  private static final Set<String> GENERIC_CLOTHING =
      Set.of("clothes", "clothing", "衣服", "服装", "衣物", "ring", "戒指", "帽", "鞋", "uniform");
  private static final List<String> EXTRA_CLOTHING_EN =
      List.of(
          "blouse",
          "lab coat",
          "trench coat",
          "overalls",
          "vest",
          "kimono",
          "qipao",
          "cheongsam",
          "robe",
          "cape",
          "cloak",
          "cardigan",
          "turtleneck",
          "polo shirt",
          "tank top",
          "tuxedo",
          "blazer",
          "gown",
          "school uniform",
          "police uniform",
          "military uniform");
  private static final List<String> EXTRA_CLOTHING_ZH =
      List.of(
          "旗袍", "汉服", "和服", "风衣", "大衣", "校服", "西服", "礼服", "长裙", "短裙", "背心", "马甲", "白大褂", "运动服",
          "睡衣", "工作服", "羽绒服", "皮衣", "衬衣", "帽子", "鞋子");

  static final Pattern CLOTHING;
  static final Pattern PALETTE;

  static {
    Lexicon lexicon = Lexicon.bundled();
    Set<String> colours = new LinkedHashSet<>();
    Set<String> clothing = new LinkedHashSet<>();
    for (Lexicon.Entry e : lexicon.entries()) {
      Set<String> target =
          switch (e.kind()) {
            case COLOR -> colours;
            case CLOTHING -> clothing;
            default -> null;
          };
      if (target != null) {
        target.add(e.zh());
        target.add(e.en());
        target.addAll(e.aliases());
      }
    }
    clothing.addAll(EXTRA_CLOTHING_EN);
    clothing.addAll(EXTRA_CLOTHING_ZH);
    clothing.removeAll(GENERIC_CLOTHING);
    colours.addAll(List.of("navy", "dark", "light", "pale", "bright", "deep"));
    String colourEn = alternation(colours, false);
    String colourZh = alternation(colours, true);
    CLOTHING =
        Pattern.compile(
            "\\b(?:(?:"
                + colourEn
                + "|"
                + FABRIC_EN
                + ")[\\s-]+){0,3}(?:"
                + alternation(clothing, false)
                + ")(?:e?s)?\\b|(?:(?:"
                + colourZh
                + "|"
                + FABRIC_ZH
                + ")的?){0,3}(?:"
                + alternation(clothing, true)
                + ")",
            Pattern.CASE_INSENSITIVE);
    String adjEn =
        "(?:warm|cool|cold|pastel|muted|earthy|earth|neutral|vibrant|soft|monochrome"
            + "|monochromatic|desaturated|saturated|vivid|gradient|limited|autumn|autumnal|neon"
            + "|moody|sepia|"
            + colourEn
            + ")";
    PALETTE =
        Pattern.compile(
            "\\b"
                + adjEn
                + "(?:(?:\\s*,\\s*|\\s+and\\s+|[\\s-]+)"
                + adjEn
                + "){0,4}[\\s-]+(?:colou?r\\s+)?(?:palette|tones|tone|colou?r\\s+scheme|colou?rs"
                + "|hues)\\b"
                + "|(?:暖|冷|柔和|明亮|鲜艳|低饱和度?|高饱和度?|粉彩|马卡龙|莫兰迪|大地|中性|复古|黑白|单色|清新|淡雅)"
                + "(?:色调|色系)|马卡龙色|莫兰迪色|暖色|冷色"
                + "|(?:"
                + colourZh
                + ")(?:[和与、-]?(?:"
                + colourZh
                + "))+渐变(?:色调|色系|配色|色)?"
                + "|(?<=配色)(?:为|是|用|采用|[:：])?[^，,。；;！!？?\\s]{1,16}",
            Pattern.CASE_INSENSITIVE);
  }

  private CharacterTraits() {}

  /** Maps the many hyphen characters to {@code -}, so "30‑year‑old" reads as "30-year-old". */
  static String normalise(String text) {
    return text.replaceAll("[\\u2010-\\u2015\\u2212\\uFE63\\uFF0D]", "-");
  }

  static String age(String text) {
    Matcher m = AGE_NUMBER_EN.matcher(text);
    if (m.find()) {
      String n = m.group(1) != null ? m.group(1) : m.group(2);
      return n + "-year-old";
    }
    String word = firstOf(text, AGE_WORD_EN, AGE_ZH);
    return word.isEmpty() ? "" : word.strip().split("\\s+")[0].replaceAll("\\s+", "");
  }

  static String subject(String text) {
    return firstOf(text, SUBJECT);
  }

  static String glasses(String text) {
    return firstOf(text, GLASSES_EN, GLASSES_ZH);
  }

  static String palette(String text) {
    return firstOf(text, PALETTE).replaceFirst("^(?:为|是|用|采用|[:：])", "");
  }

  static String hair(String text) {
    Matcher en = HAIR_EN.matcher(text);
    int enAt = en.find() ? en.start() : Integer.MAX_VALUE;
    Matcher zh = HAIR_ZH.matcher(text);
    while (zh.find()) {
      // A bare 发 or 头发 says nothing about the hair; a modifier must come with it.
      if (!zh.group().replaceAll("的|头?发$", "").isEmpty()) {
        return zh.start() < enAt ? zh.group() : en.group();
      }
    }
    return enAt == Integer.MAX_VALUE ? "" : en.group();
  }

  static String clothing(String text, boolean chinese) {
    List<String> items = new ArrayList<>();
    Matcher m = CLOTHING.matcher(text);
    while (m.find()) {
      String item = m.group().strip();
      if (!items.contains(item)) {
        items.add(item);
      }
    }
    return String.join(chinese ? "、" : " and ", items);
  }

  /** The earliest match of any pattern; at the same position the earlier pattern wins. */
  private static String firstOf(String text, Pattern... patterns) {
    int bestAt = Integer.MAX_VALUE;
    String best = "";
    for (Pattern p : patterns) {
      Matcher m = p.matcher(text);
      if (m.find() && m.start() < bestAt) {
        bestAt = m.start();
        best = m.group().strip();
      }
    }
    return best;
  }

  /** A regex alternation of the Latin or the Han terms, longest first, spaces matching hyphens. */
  private static String alternation(Set<String> terms, boolean han) {
    return terms.stream()
        .filter(t -> han == t.codePoints().anyMatch(CharacterTraits::isHan))
        .map(t -> t.toLowerCase(Locale.ROOT))
        .distinct()
        .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(t -> t))
        .map(t -> Pattern.quote(t).replace("-", "\\E[\\s-]*\\Q").replace(" ", "\\E[\\s-]+\\Q"))
        .collect(Collectors.joining("|"));
  }

  private static boolean isHan(int cp) {
    return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
  }
}
