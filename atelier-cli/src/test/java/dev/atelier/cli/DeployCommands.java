package dev.atelier.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The {@code atelier} command lines written in the deploy files (compose commands, Kubernetes args,
 * Dockerfile CMDs and comments, docs/deploy.md's code blocks), and whether each {@code --flag} in
 * them is an option of its subcommand in picocli's model of {@link AtelierCommand}.
 *
 * <p>A line holds an invocation when one of its words is a subcommand's name ({@code serve}, {@code
 * keys create}, ...); the flags are the {@code --words} after it, up to the end of the shell
 * command ({@code |}, {@code &&}, {@code ;}, {@code #}). Flags before it ({@code docker run --gpus
 * all IMAGE worker ...}) belong to other programs and are not checked.
 */
final class DeployCommands {
  /**
   * One command line.
   *
   * @param where the file and line or key it was found at
   * @param command the subcommand path, {@code [keys, create]}
   * @param flags its {@code --flags}, without values
   */
  record Invocation(String where, List<String> command, List<String> flags) {}

  private static final Pattern WORD = Pattern.compile("'[^']*'|\"(?:\\\\.|[^\"\\\\])*\"|\\S+");
  private static final Set<String> END = Set.of("|", "||", "&&", ";", "&");

  private final CommandLine root = new CommandLine(new AtelierCommand());

  /**
   * The words of a shell line, quotes removed; also of a YAML or JSON list written on one line
   * ({@code command: ["worker", "--device", "cuda"]}).
   */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    Matcher m = WORD.matcher(line);
    while (m.find()) {
      String w = m.group().replaceAll("^\\[+|[\\],]+$", "");
      if (w.length() >= 2
          && (w.startsWith("'") && w.endsWith("'") || w.startsWith("\"") && w.endsWith("\""))) {
        w = w.substring(1, w.length() - 1);
      }
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  /** The invocation among {@code words}, if one of them names a subcommand. */
  Optional<Invocation> find(String where, List<String> words) {
    int i = 0;
    while (i < words.size() && !isCommand(words.get(i))) {
      if (words.get(i).startsWith("#")) {
        return Optional.empty();
      }
      i++;
    }
    if (i == words.size()) {
      return Optional.empty();
    }
    List<String> command = new ArrayList<>(List.of(words.get(i)));
    CommandLine cmd = root.getSubcommands().get(words.get(i));
    i++;
    while (cmd != null && i < words.size() && cmd.getSubcommands().containsKey(words.get(i))) {
      cmd = cmd.getSubcommands().get(words.get(i));
      command.add(words.get(i));
      i++;
    }
    List<String> flags = new ArrayList<>();
    for (; i < words.size(); i++) {
      String w = words.get(i);
      if (ends(w)) {
        break;
      }
      if (w.startsWith("--") && w.length() > 2) {
        int eq = w.indexOf('=');
        flags.add(eq < 0 ? w : w.substring(0, eq));
      }
      if (w.endsWith(";")) {
        break;
      }
    }
    return Optional.of(new Invocation(where, command, flags));
  }

  private boolean isCommand(String word) {
    return root.getSubcommands().containsKey(word);
  }

  private static boolean ends(String word) {
    return END.contains(word) || word.startsWith("#") || word.startsWith(">");
  }

  /**
   * What is wrong with {@code invocation}: a subcommand picocli does not know, or a flag that is no
   * option of it; empty when it is in step with the code.
   */
  List<String> problems(Invocation invocation) {
    List<String> problems = new ArrayList<>();
    String name = "atelier " + String.join(" ", invocation.command());
    CommandLine cmd = root;
    for (String part : invocation.command()) {
      cmd = cmd == null ? null : cmd.getSubcommands().get(part);
    }
    if (cmd == null) {
      problems.add(invocation.where() + ": `" + name + "` is no subcommand");
      return problems;
    }
    for (String flag : invocation.flags()) {
      boolean real = cmd != null && cmd.getCommandSpec().optionsMap().containsKey(flag);
      if (!real) {
        problems.add(invocation.where() + ": " + flag + " is no option of `" + name + "`");
      }
    }
    return problems;
  }

  /**
   * The lines of {@code markdown}'s fenced code blocks, each with its line number, backslash
   * continuations joined and whole-line comments left out.
   */
  static List<Map.Entry<Integer, String>> codeLines(String markdown) {
    List<Map.Entry<Integer, String>> lines = new ArrayList<>();
    boolean inCode = false;
    StringBuilder joined = new StringBuilder();
    int start = 0;
    String[] all = markdown.split("\n", -1);
    for (int n = 0; n < all.length; n++) {
      String line = all[n];
      if (line.strip().startsWith("```")) {
        inCode = !inCode;
        continue;
      }
      if (!inCode || line.strip().startsWith("#") && joined.isEmpty()) {
        continue;
      }
      if (joined.isEmpty()) {
        start = n + 1;
      }
      String stripped = line.stripTrailing();
      if (stripped.endsWith("\\")) {
        joined.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      joined.append(stripped);
      lines.add(Map.entry(start, joined.toString()));
      joined.setLength(0);
    }
    return lines;
  }
}
