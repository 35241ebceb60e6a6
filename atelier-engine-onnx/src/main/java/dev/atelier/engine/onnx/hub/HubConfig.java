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
 * @param offlineBy what asked for offline mode, for messages ({@code --offline}, {@code
 *     ATELIER_OFFLINE=1}, ...); {@code ""} when online
 */
public record HubConfig(URI endpoint, String token, boolean offline, String offlineBy) {

  /** The public Hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  /** A configuration whose offline mode, when on, was asked for by an unnamed setting. */
  public HubConfig(URI endpoint, String token, boolean offline) {
    this(endpoint, token, offline, "");
  }

  /** Validates the values and drops a trailing slash from the endpoint. */
  public HubConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(offlineBy, "offlineBy");
    if (!offline) {
      offlineBy = "";
    } else if (offlineBy.isBlank()) {
      offlineBy = "offline mode was requested";
    }
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
    // Messages name only the variable that is set, so nobody hunts for one that is not.
    String offlineBy = "";
    for (String name : new String[] {"ATELIER_OFFLINE", "HF_HUB_OFFLINE"}) {
      if (offlineBy.isEmpty() && isSet(env.get(name))) {
        offlineBy = name + "=" + env.get(name).strip();
      }
    }
    return new HubConfig(
        endpoint.isEmpty() ? DEFAULT_ENDPOINT : URI.create(endpoint),
        token,
        !offlineBy.isEmpty(),
        offlineBy);
  }

  /**
   * This configuration, offline because of {@code by} (such as {@code --offline}) unless it was
   * offline already.
   */
  public HubConfig withOffline(String by) {
    return offline ? this : new HubConfig(endpoint, token, true, by);
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
        + (offline ? offlineBy : "false")
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
