package dev.atelier.engine.onnx.hub;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Where the Hub is, how to authenticate, and whether the network may be used at all.
 *
 * @param endpoint the Hub's base URL, without a trailing slash (e.g. {@code
 *     https://huggingface.co})
 * @param token an access token sent as {@code Authorization: Bearer}, or {@code ""} for none
 * @param offline when true no request is ever made; only cached models can be used
 */
public record HubConfig(URI endpoint, String token, boolean offline) {

  /** The public Hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  /** Validates the values and drops a trailing slash from the endpoint. */
  public HubConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(token, "token");
    String scheme = endpoint.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "Hub endpoint must be an http or https URL but was " + endpoint);
    }
    String text = endpoint.toString();
    if (text.endsWith("/")) {
      endpoint = URI.create(text.substring(0, text.length() - 1));
    }
    token = token.strip();
  }

  /**
   * Reads {@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code ATELIER_OFFLINE} and {@code HF_HUB_OFFLINE}
   * from the process environment.
   */
  public static HubConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** Like {@link #fromEnvironment()} but reads the given variables (for tests and the CLI). */
  public static HubConfig fromEnvironment(Map<String, String> env) {
    String endpoint = env.getOrDefault("HF_ENDPOINT", "").strip();
    String token = env.getOrDefault("HF_TOKEN", "");
    boolean offline = isSet(env.get("ATELIER_OFFLINE")) || isSet(env.get("HF_HUB_OFFLINE"));
    return new HubConfig(
        endpoint.isEmpty() ? DEFAULT_ENDPOINT : URI.create(endpoint), token, offline);
  }

  /** True when a token will be sent. */
  public boolean hasToken() {
    return !token.isEmpty();
  }

  @Override
  public String toString() {
    // Never print the token itself: configs end up in logs.
    return "HubConfig[endpoint="
        + endpoint
        + ", token="
        + (hasToken() ? "set" : "none")
        + ", offline="
        + offline
        + "]";
  }

  private static boolean isSet(String value) {
    if (value == null) {
      return false;
    }
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    return v.equals("1") || v.equals("true") || v.equals("yes") || v.equals("on");
  }
}
