package dev.atelier.cli;

import dev.atelier.store.ApiKey;
import dev.atelier.store.MetadataStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code atelier keys create|list|revoke}: the API keys a server requires once one exists, kept in
 * the metadata store so that a running server sees changes within two seconds.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "Manage API keys. Once a key exists, the API needs Authorization: Bearer atl_...",
      "Keys live in the database (--data-dir / --database-url, as serve uses them)."
    },
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a key. Prints a summary to stderr and the secret alone on the last line of",
        "stdout; the secret is shown once and never stored (only its SHA-256 is)."
      })
  static final class Create implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin StoreOptions store;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "NAME",
        description = "Unique among active keys, e.g. alice or ci.")
    String name;

    @Option(
        names = "--owner",
        paramLabel = "OWNER",
        description = "Who the key's images and sessions belong to. Default: the name.")
    String owner = "";

    @Option(
        names = "--scopes",
        paramLabel = "LIST",
        split = ",",
        description = "images, sessions, admin (admin implies all). Default: images,sessions.")
    List<String> scopes = List.of("images", "sessions");

    @Option(
        names = "--rpm",
        paramLabel = "N",
        description = "Requests per minute, 0 for no limit. Default: 0.")
    int rpm;

    @Option(
        names = "--images-per-day",
        paramLabel = "N",
        description = "Images per day, 0 for no limit. Default: 0.")
    int imagesPerDay;

    @Option(
        names = "--concurrent",
        paramLabel = "N",
        description = "Generations at once, 0 for no limit. Default: 0.")
    int concurrent;

    @Override
    public Integer call() throws Exception {
      ApiKey.Issued issued =
          ApiKey.issue(
              name,
              owner,
              new LinkedHashSet<>(scopes),
              rpm,
              imagesPerDay,
              concurrent,
              Instant.now());
      try (MetadataStore metadata = store.open(System.getenv())) {
        metadata.insertApiKey(issued.key());
      }
      ApiKey k = issued.key();
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "created key "
              + k.name()
              + " ("
              + k.id()
              + "), owner "
              + k.owner()
              + ", prefix atl_"
              + k.prefix());
      err.println("  scopes: " + scopes(k));
      err.println("  limits: " + limits(k));
      err.println(
          "The secret below is shown once and cannot be shown again; send it as"
              + " Authorization: Bearer <secret> (api_key in OpenAI SDKs).");
      err.flush();
      PrintWriter out = spec.commandLine().getOut();
      out.println(issued.secret().reveal());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List keys (never their secrets), revoked ones included.")
  static final class ListKeys implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin StoreOptions store;

    @Override
    public Integer call() throws Exception {
      List<ApiKey> keys;
      try (MetadataStore metadata = store.open(System.getenv())) {
        keys = metadata.apiKeys();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (keys.isEmpty()) {
        out.println(
            "no keys: every request is accepted on loopback (create one with `atelier keys create"
                + " --name NAME`)");
        out.flush();
        return 0;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "NAME", "ID", "PREFIX", "OWNER", "SCOPES", "LIMITS", "CREATED", "LAST USED", "REVOKED"
          });
      for (ApiKey k : keys) {
        rows.add(
            new String[] {
              k.name(),
              k.id(),
              "atl_" + k.prefix(),
              k.owner(),
              scopes(k),
              limits(k),
              time(Optional.of(k.createdAt())),
              k.lastUsedAt().isEmpty() ? "never" : time(k.lastUsedAt()),
              time(k.revokedAt())
            });
      }
      int[] widths = new int[rows.getFirst().length];
      for (String[] r : rows) {
        for (int i = 0; i < r.length; i++) {
          widths[i] = Math.max(widths[i], r[i].length());
        }
      }
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
          line.append(r[i]);
          if (i < r.length - 1) {
            line.append(" ".repeat(widths[i] - r[i].length() + 2));
          }
        }
        out.println(line);
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a key; a running server refuses it within 2 seconds.")
  static final class Revoke implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin StoreOptions store;

    @Parameters(paramLabel = "NAME|ID", description = "The key's name or id (key_...).")
    String key;

    @Override
    public Integer call() throws Exception {
      Optional<ApiKey> revoked;
      try (MetadataStore metadata = store.open(System.getenv())) {
        revoked = metadata.revokeApiKey(key, Instant.now());
      }
      if (revoked.isEmpty()) {
        throw new IllegalArgumentException(
            "no active key is named or has the id '" + key + "' (see `atelier keys list`)");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "revoked "
              + revoked.get().name()
              + " ("
              + revoked.get().id()
              + "); a running server refuses it within 2 seconds");
      out.flush();
      return 0;
    }
  }

  static String scopes(ApiKey k) {
    return String.join(",", new TreeSet<>(k.scopes()));
  }

  static String limits(ApiKey k) {
    List<String> parts = new ArrayList<>();
    if (k.requestsPerMinute() > 0) {
      parts.add(k.requestsPerMinute() + "/min");
    }
    if (k.imagesPerDay() > 0) {
      parts.add(k.imagesPerDay() + " images/day");
    }
    if (k.concurrentGenerations() > 0) {
      parts.add(k.concurrentGenerations() + " at once");
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static String time(Optional<Instant> t) {
    return t.map(i -> i.truncatedTo(ChronoUnit.SECONDS).toString()).orElse("-");
  }
}
