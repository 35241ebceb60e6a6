package dev.atelier.engine.openai;

import dev.atelier.core.AtelierException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how the {@code openai} engine reaches an OpenAI-compatible Images API.
 *
 * <p>The API key is a secret: {@link #toString()} redacts it, and the engine sends it only in the
 * {@code Authorization} header, never in logs, exception messages or provenance.
 *
 * @param apiKey the upstream's API key ({@code OPENAI_API_KEY}); sent as {@code Authorization:
 *     Bearer}
 * @param baseUrl the API root without a trailing slash, e.g. {@code https://api.openai.com/v1}
 * @param model the upstream model, e.g. {@code gpt-image-2}
 * @param organization the {@code OpenAI-Organization} header, or {@code ""} to send none
 * @param project the {@code OpenAI-Project} header, or {@code ""} to send none
 * @param connectTimeout how long to wait for a TCP/TLS connection
 * @param requestTimeout how long one upstream call may take from sending to the last byte of the
 *     answer; image calls take tens of seconds, so keep this generous
 * @param maxRetries retries after a 429, a 5xx or a refused connection (0..10)
 * @param maxImagesPerCall the most images one upstream call asks for (1..8); larger {@code n} is
 *     split into several calls
 */
public record UpstreamConfig(
    String apiKey,
    String baseUrl,
    String model,
    String organization,
    String project,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    int maxImagesPerCall) {

  /** OpenAI's own API root. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  /** The model used when none is named. */
  public static final String DEFAULT_MODEL = "gpt-image-2";

  /** What the error says when no key is configured. */
  static final String MISSING_KEY =
      "the openai engine needs an API key: set OPENAI_API_KEY to a key of the upstream";

  /**
   * Validates every field.
   *
   * @throws AtelierException.ModelUnavailable when {@code apiKey} is blank
   * @throws IllegalArgumentException when another field is out of range
   */
  public UpstreamConfig {
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (apiKey.isBlank()) {
      throw new AtelierException.ModelUnavailable(MISSING_KEY);
    }
    // The key is never echoed, not even in this message.
    if (!apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "apiKey must be printable ASCII without spaces but contains other characters");
    }
    baseUrl = checkBaseUrl(baseUrl);
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank");
    }
    checkHeaderValue("organization", organization);
    checkHeaderValue("project", project);
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException(
          "connectTimeout must be positive but was " + connectTimeout);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "requestTimeout must be positive but was " + requestTimeout);
    }
    if (maxRetries < 0 || maxRetries > 10) {
      throw new IllegalArgumentException("maxRetries must be 0..10 but was " + maxRetries);
    }
    if (maxImagesPerCall < 1 || maxImagesPerCall > 8) {
      throw new IllegalArgumentException(
          "maxImagesPerCall must be 1..8 but was " + maxImagesPerCall);
    }
  }

  /**
   * A builder with the defaults: OpenAI's base URL, {@code gpt-image-2}, 10 s to connect, 180 s per
   * call, 3 retries, and images per call from {@link #defaultMaxImagesPerCall(String)}.
   *
   * @param apiKey the upstream's API key
   */
  public static Builder builder(String apiKey) {
    return new Builder(apiKey);
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(apiKey)
        .baseUrl(baseUrl)
        .model(model)
        .organization(organization)
        .project(project)
        .connectTimeout(connectTimeout)
        .requestTimeout(requestTimeout)
        .maxRetries(maxRetries)
        .maxImagesPerCall(maxImagesPerCall);
  }

  /**
   * Reads the settings the OpenAI SDKs read: {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL},
   * {@code OPENAI_ORG_ID} (or {@code OPENAI_ORGANIZATION}) and {@code OPENAI_PROJECT_ID}. Blank
   * values count as absent; everything else takes the {@link #builder} defaults.
   *
   * @param env the environment, usually {@link System#getenv()}
   * @throws AtelierException.ModelUnavailable when {@code OPENAI_API_KEY} is missing or blank
   * @throws IllegalArgumentException when {@code OPENAI_BASE_URL} is not an http(s) URL
   */
  public static UpstreamConfig fromEnvironment(Map<String, String> env) {
    String key = value(env, "OPENAI_API_KEY");
    if (key.isEmpty()) {
      throw new AtelierException.ModelUnavailable(MISSING_KEY);
    }
    Builder b = builder(key);
    String base = value(env, "OPENAI_BASE_URL");
    if (!base.isEmpty()) {
      b.baseUrl(base);
    }
    String org = value(env, "OPENAI_ORG_ID");
    b.organization(org.isEmpty() ? value(env, "OPENAI_ORGANIZATION") : org);
    b.project(value(env, "OPENAI_PROJECT_ID"));
    return b.build();
  }

  /**
   * The default for {@link #maxImagesPerCall}: 1 for {@code dall-e-3} (which accepts only {@code
   * n=1}), else 8.
   */
  public static int defaultMaxImagesPerCall(String model) {
    return model.toLowerCase(Locale.ROOT).startsWith("dall-e-3") ? 1 : 8;
  }

  /** Lists the settings with the API key redacted. */
  @Override
  public String toString() {
    return "UpstreamConfig[apiKey=[redacted], baseUrl="
        + baseUrl
        + ", model="
        + model
        + ", organization="
        + organization
        + ", project="
        + project
        + ", connectTimeout="
        + connectTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", maxRetries="
        + maxRetries
        + ", maxImagesPerCall="
        + maxImagesPerCall
        + "]";
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null ? "" : v.trim();
  }

  private static String checkBaseUrl(String url) {
    String trimmed = url.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "baseUrl must be an http(s) URL such as " + DEFAULT_BASE_URL + " but was '" + url + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "baseUrl must be an http(s) URL such as " + DEFAULT_BASE_URL + " but was '" + url + "'");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "baseUrl must not have a query or fragment but was '" + url + "'");
    }
    return trimmed;
  }

  private static void checkHeaderValue(String name, String value) {
    if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          name + " must be printable ASCII but was '" + value.replaceAll("\\p{Cntrl}", "?") + "'");
    }
  }

  /** Builds an {@link UpstreamConfig}; validation happens in {@link #build()}. */
  public static final class Builder {
    private final String apiKey;
    private String baseUrl = DEFAULT_BASE_URL;
    private String model = DEFAULT_MODEL;
    private String organization = "";
    private String project = "";
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(180);
    private int maxRetries = 3;
    private int maxImagesPerCall; // 0: from the model

    private Builder(String apiKey) {
      this.apiKey = apiKey;
    }

    /** Sets the API root, e.g. {@code https://api.openai.com/v1}. */
    public Builder baseUrl(String v) {
      this.baseUrl = v;
      return this;
    }

    /** Sets the upstream model. */
    public Builder model(String v) {
      this.model = v;
      return this;
    }

    /** Sets the {@code OpenAI-Organization} header ({@code ""} for none). */
    public Builder organization(String v) {
      this.organization = v;
      return this;
    }

    /** Sets the {@code OpenAI-Project} header ({@code ""} for none). */
    public Builder project(String v) {
      this.project = v;
      return this;
    }

    /** Sets the connect timeout. */
    public Builder connectTimeout(Duration v) {
      this.connectTimeout = v;
      return this;
    }

    /** Sets the per-call timeout. */
    public Builder requestTimeout(Duration v) {
      this.requestTimeout = v;
      return this;
    }

    /** Sets the number of retries. */
    public Builder maxRetries(int v) {
      this.maxRetries = v;
      return this;
    }

    /** Sets the most images one upstream call asks for. */
    public Builder maxImagesPerCall(int v) {
      this.maxImagesPerCall = v;
      return this;
    }

    /**
     * Builds the value.
     *
     * @throws AtelierException.ModelUnavailable when the API key is blank
     * @throws IllegalArgumentException when a field is out of range
     */
    public UpstreamConfig build() {
      return new UpstreamConfig(
          apiKey,
          baseUrl,
          model,
          organization,
          project,
          connectTimeout,
          requestTimeout,
          maxRetries,
          maxImagesPerCall == 0 ? defaultMaxImagesPerCall(model) : maxImagesPerCall);
    }
  }
}
