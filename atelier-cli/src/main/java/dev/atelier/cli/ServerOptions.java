package dev.atelier.cli;

import java.net.URI;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where a running server is and the API key to call it with: {@code --url} and {@code --api-key}.
 */
final class ServerOptions {
  /** The server's address when neither {@code --url} nor {@code $ATELIER_URL} says. */
  static final String DEFAULT_URL = "http://127.0.0.1:8080";

  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Base URL of the running server. Default: $ATELIER_URL, else " + DEFAULT_URL + ".")
  String url;

  // The key is never printed: no ${DEFAULT-VALUE} in the help, and no message repeats it.
  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "Sent as `Authorization: Bearer KEY`. Default: $ATELIER_API_KEY, else none.")
  String apiKey;

  /**
   * A client of the server these options name, with {@code env} supplying the defaults.
   *
   * @throws ParameterException when the URL is not an http(s) URL
   */
  ApiClient client(Map<String, String> env) {
    return new ApiClient(base(url, env, spec), key(apiKey, env));
  }

  /**
   * {@code flag}, else {@code $ATELIER_URL}, else {@link #DEFAULT_URL}; without a trailing slash.
   */
  static URI base(
      String flag, Map<String, String> env, picocli.CommandLine.Model.CommandSpec spec) {
    String raw = flag;
    String from = "--url";
    if (raw == null || raw.isBlank()) {
      raw = env.getOrDefault("ATELIER_URL", "");
      from = "$ATELIER_URL";
    }
    if (raw.isBlank()) {
      raw = DEFAULT_URL;
    }
    String text = raw.strip();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.endsWith("/v1")) {
      text = text.substring(0, text.length() - 3);
    }
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new ParameterException(
          spec.commandLine(),
          from + " must be an http(s) URL such as " + DEFAULT_URL + " but was '" + raw + "'");
    }
    return uri;
  }

  /** {@code flag}, else {@code $ATELIER_API_KEY}, else empty (no Authorization header). */
  static String key(String flag, Map<String, String> env) {
    if (flag != null && !flag.isBlank()) {
      return flag.strip();
    }
    return env.getOrDefault("ATELIER_API_KEY", "").strip();
  }
}
