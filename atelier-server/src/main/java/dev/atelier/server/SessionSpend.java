package dev.atelier.server;

import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.MetadataStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a session has cost upstream: the tokens of every round's image summed, and their price.
 *
 * @param usage the tokens, summed over the rounds' images
 * @param costUsd the dollars, when every billed image's model has a price; empty otherwise
 * @param unpriced a model with tokens but no price, or empty
 */
record SessionSpend(TokenUsage usage, Optional<Double> costUsd, String unpriced) {

  /** Sums the spend of {@code session}'s rounds (a branch's rounds count too: they were paid). */
  static SessionSpend of(Session session, MetadataStore metadata, PriceTable prices) {
    TokenUsage total = TokenUsage.ZERO;
    double cost = 0;
    String unpriced = "";
    for (Round r : session.rounds()) {
      Optional<StoredImage> image = metadata.image(r.imageId());
      if (image.isEmpty()) {
        continue;
      }
      Map<String, String> p = image.get().provenance();
      TokenUsage u = TokenUsage.of(p);
      if (u.isZero()) {
        continue;
      }
      total = total.plus(u);
      String model = p.getOrDefault("model", "");
      Optional<Double> c = prices.cost(model, u);
      if (c.isPresent()) {
        cost += c.get();
      } else if (unpriced.isEmpty()) {
        unpriced = model;
      }
    }
    return new SessionSpend(
        total, unpriced.isEmpty() ? Optional.of(cost) : Optional.empty(), unpriced);
  }

  /** The session's JSON with {@code usage}, {@code cost_usd} (null when unknown) and a note. */
  JsonValue.Obj addTo(JsonValue.Obj sessionJson) {
    Map<String, JsonValue> m = new LinkedHashMap<>(sessionJson.members());
    m.put("usage", ApiJson.usage(usage));
    m.put(
        "cost_usd",
        costUsd
            .<JsonValue>map(c -> ApiJson.num(Math.round(c * 1e6) / 1e6))
            .orElse(JsonValue.Null.INSTANCE));
    if (!unpriced.isEmpty()) {
      m.put(
          "cost_note",
          ApiJson.str(
              "no price is configured for model '"
                  + unpriced
                  + "'; start the server with --price-table FILE to see costs"));
    }
    return new JsonValue.Obj(m);
  }
}
