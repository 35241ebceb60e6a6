package dev.atelier.engine.onnx.hub;

import dev.atelier.core.AtelierException.ModelUnavailable;
import java.net.http.HttpHeaders;

/** Turns the Hub's error answers into messages that say what to do. */
final class HubErrors {

  private HubErrors() {}

  /** True for answers that asking again may change: 429 and every 5xx. */
  static boolean isTransient(int status) {
    return status == 429 || (status >= 500 && status < 600);
  }

  static ModelUnavailable forStatus(
      HubConfig config, ModelId model, String filePath, int status, HttpHeaders headers) {
    // The Hub names the reason in X-Error-Code (GatedRepo, RepoNotFound, RevisionNotFound,
    // EntryNotFound); older answers lack it, so the status decides when it is absent.
    String code = headers.firstValue("X-Error-Code").orElse("");
    String where = filePath.isEmpty() ? "" : " (file " + filePath + ")";
    if (status == 401 || status == 403 || code.equals("GatedRepo")) {
      String advice =
          config.hasToken()
              ? "the token in HF_TOKEN was refused: accept the model's terms on its Hub page"
                  + " with the token's account, or use a token with read access"
              : "set HF_TOKEN to an access token of an account that may read it";
      return new ModelUnavailable(
          "repo "
              + model.repo()
              + " is gated or private (HTTP "
              + status
              + ")"
              + where
              + ": "
              + advice
              + " (the Hub also answers this way for repos that do not exist)");
    }
    if (status == 404) {
      if (code.equals("EntryNotFound")) {
        return new ModelUnavailable(
            "no file "
                + filePath
                + " in repo "
                + model.repo()
                + " at revision "
                + model.revision()
                + " (HTTP 404)");
      }
      return new ModelUnavailable(
          "no such repo or revision: "
              + model.repo()
              + " at revision "
              + model.revision()
              + " on "
              + config.endpoint()
              + where
              + " (HTTP 404)");
    }
    return new ModelUnavailable(
        "the Hub at "
            + config.endpoint()
            + " answered HTTP "
            + status
            + " for "
            + model
            + where
            + "; expected 200");
  }
}
