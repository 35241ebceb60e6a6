package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.server.RequestLimits;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code serve}'s limit flags: their defaults are RequestLimits' and --help shows them. */
class LimitOptionsTest {
  @Command(name = "limits")
  static final class Holder {
    @Mixin LimitOptions options;
  }

  private static LimitOptions parse(String... args) {
    Holder h = new Holder();
    new CommandLine(h).parseArgs(args);
    return h.options;
  }

  @Test
  void theDefaultsAreRequestLimitsDefaults() {
    assertThat(parse().limits()).isEqualTo(RequestLimits.DEFAULT);
  }

  @Test
  void flagsSetEveryLimitInMiBOrCounts() {
    RequestLimits l =
        parse(
                "--max-json-mb", "1",
                "--max-multipart-mb", "2",
                "--max-parts", "3",
                "--max-json-depth", "4",
                "--max-number-chars", "5",
                "--max-image-mb", "6",
                "--max-image-pixels", "7",
                "--max-image-side", "8",
                "--max-images-per-request", "9",
                "--max-pixels-per-request", "10")
            .limits();
    assertThat(l).isEqualTo(new RequestLimits(1 << 20, 2 << 20, 3, 4, 5, 6 << 20, 7, 8, 9, 10));
  }

  @Test
  void aLimitBelowOneIsRefusedNamingTheFlag() {
    LimitOptions o = parse("--max-image-mb", "0");
    assertThatThrownBy(o::limits)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--max-image-mb must be at least 1 but was 0");
  }

  @Test
  void serveHelpShowsEveryLimitWithItsDefault() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new ServeCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.execute("--help");
    assertThat(out.toString().replaceAll("\\s+", " "))
        .contains("--max-json-mb=MIB")
        .contains("before anything is read. Default: 80.")
        .contains("--max-multipart-mb=MIB Largest multipart body, in MiB. Default: 200.")
        .contains("--max-parts=N Most parts in one multipart body. Default: 64.")
        .contains("Default: 50.")
        .contains("OpenAI's largest size). Default: 8294400.")
        .contains("--max-image-side=N")
        .contains("references together. Default: 21.")
        .contains("Default: 33177600.");
  }
}
