package dev.atelier.engine.openai;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.engine.openai.internal.Failures;
import dev.atelier.engine.openai.internal.Response;
import dev.atelier.engine.openai.internal.UpstreamHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an upstream account without generating (and paying for) an image: one {@code GET
 * /models/{model}}, not retried.
 */
final class Doctor {
  private final UpstreamHttp http;
  private final UpstreamConfig config;

  Doctor(UpstreamHttp http, UpstreamConfig config) {
    this.http = http;
    this.config = config;
  }

  List<DoctorCheck> run() {
    List<DoctorCheck> checks = new ArrayList<>();
    String path =
        "/models/" + URLEncoder.encode(config.model(), StandardCharsets.UTF_8).replace("+", "%20");
    UpstreamHttp.Request request =
        new UpstreamHttp.Request("GET", path, "", new byte[0], "application/json");
    try (Response r = http.send(request, CancellationToken.none(), false)) {
      r.readAll();
      checks.add(reachable());
      checks.add(new DoctorCheck("key accepted", true, "the API key was accepted"));
      checks.add(
          new DoctorCheck("model visible", true, "model " + config.model() + " is available"));
    } catch (AtelierException.UpstreamFailure e) {
      int status = e.status();
      if (e.code().equals(Failures.UNREACHABLE) || e.code().equals(Failures.TIMEOUT)) {
        checks.add(
            new DoctorCheck(
                "reachable",
                false,
                config.baseUrl()
                    + " could not be used: "
                    + e.getMessage()
                    + "; check OPENAI_BASE_URL and the network"));
        checks.add(skipped("key accepted"));
        checks.add(skipped("model visible"));
      } else if (status == 502) {
        checks.add(reachable());
        checks.add(skipped("key accepted"));
        checks.add(
            new DoctorCheck("model visible", false, "the upstream is failing: " + e.getMessage()));
      } else if (status == 401 || status == 403) {
        checks.add(reachable());
        checks.add(
            new DoctorCheck(
                "key accepted",
                false,
                "the upstream refused the key (HTTP "
                    + status
                    + "): "
                    + e.getMessage()
                    + "; check OPENAI_API_KEY, OPENAI_ORG_ID and OPENAI_PROJECT_ID"));
        checks.add(skipped("model visible"));
      } else {
        checks.add(reachable());
        checks.add(new DoctorCheck("key accepted", true, "the API key was accepted"));
        checks.add(
            new DoctorCheck(
                "model visible",
                false,
                status == 404
                    ? "model " + config.model() + " is not available to this key: " + e.getMessage()
                    : "model "
                        + config.model()
                        + " could not be checked (HTTP "
                        + status
                        + "): "
                        + e.getMessage()));
      }
    }
    return List.copyOf(checks);
  }

  private DoctorCheck reachable() {
    return new DoctorCheck("reachable", true, config.baseUrl() + " answered");
  }

  private static DoctorCheck skipped(String name) {
    return new DoctorCheck(name, false, "not checked: the previous check failed");
  }
}
