package dev.atelier.server.images;

import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import dev.atelier.server.http.ApiJson;
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
public record SessionSpend(TokenUsage usage, Optional<Double> costUsd, String unpriced) {

  /** Sums the spend of {@code session}'s rounds (a branch's rounds count too: they were paid). */
  public static SessionSpend of(Session session, MetadataStore metadata, PriceTable prices) {
    Sum sum = new Sum(prices);
    for (Round r : session.rounds()) {
      metadata.image(r.imageId()).ifPresent(sum::add);
    }
    return sum.spend();
  }

  /** A running total of what images cost upstream (a session's, an owner's). */
  public static final class Sum {
    private final PriceTable prices;
    private TokenUsage total = TokenUsage.ZERO;
    private double cost;
    private String unpriced = "";
    private long images;

    /** An empty sum priced with {@code prices}. */
    public Sum(PriceTable prices) {
      this.prices = prices;
    }

    /** Adds one image: its recorded upstream usage priced by its model (none on local images). */
    public void add(StoredImage image) {
      images++;
      Map<String, String> p = image.provenance();
      TokenUsage u = TokenUsage.of(p);
      if (u.isZero()) {
        return;
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

    /** How many images were added. */
    public long images() {
      return images;
    }

    /** The total so far. */
    public SessionSpend spend() {
      return new SessionSpend(
          total, unpriced.isEmpty() ? Optional.of(cost) : Optional.empty(), unpriced);
    }
  }

  /** The session's JSON with {@code usage}, {@code cost_usd} (null when unknown) and a note. */
  public JsonValue.Obj addTo(JsonValue.Obj sessionJson) {
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
