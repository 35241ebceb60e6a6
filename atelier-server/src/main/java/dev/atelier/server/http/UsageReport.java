package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.StoredImage;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.images.PriceTable;
import dev.atelier.server.images.SessionSpend;
import dev.atelier.store.JdbcMetadataStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.OwnerScope;
import dev.atelier.store.Page;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/usage}: what an owner's images have cost upstream, so a team sees who spent what.
 *
 * <p>A key sees its own owner's total; an admin key (and the keyless single user) sees every
 * owner's, broken down per owner, or one owner's with {@code ?owner=NAME}. Another owner named by a
 * key that is not admin answers 404, as any other owner's data does. Images the local engine made
 * cost nothing and count as images only; the openai engine's record the upstream's usage, priced
 * with the server's price table ({@code cost_usd} is null, with a note, when a model has no price).
 */
final class UsageReport {
  private final MetadataStore metadata;
  private final PriceTable prices;

  UsageReport(MetadataStore metadata, PriceTable prices) {
    this.metadata = metadata;
    this.prices = prices;
  }

  void register(JavalinConfig c) {
    c.routes.get("/v1/usage", this::usage);
  }

  private void usage(Context ctx) {
    Caller caller = Caller.of(ctx);
    String asked = ctx.queryParam("owner");
    OwnerScope scope;
    if (asked != null) {
      if (!caller.owns(asked)) {
        throw new AtelierException.NotFound("owner", "no owner '" + asked + "'");
      }
      scope = OwnerScope.only(asked);
    } else {
      scope = caller.admin() ? OwnerScope.EVERYONE : OwnerScope.only(caller.owner());
    }
    SessionSpend.Sum total = new SessionSpend.Sum(prices);
    Map<String, SessionSpend.Sum> byOwner = new TreeMap<>();
    String after = "";
    while (true) {
      Page<StoredImage> page =
          metadata.images(scope, "", JdbcMetadataStore.MAX_PAGE, after).orElseThrow();
      for (StoredImage image : page.items()) {
        total.add(image);
        byOwner.computeIfAbsent(image.owner(), o -> new SessionSpend.Sum(prices)).add(image);
      }
      if (!page.hasMore() || page.items().isEmpty()) {
        break;
      }
      after = page.items().get(page.items().size() - 1).id();
    }
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("object", ApiJson.str("usage"));
    m.put("owner", scope.everyone() ? JsonValue.Null.INSTANCE : ApiJson.str(scope.owner()));
    m.putAll(entry(total).members());
    if (scope.everyone()) {
      List<JsonValue> owners = new ArrayList<>();
      byOwner.forEach(
          (owner, sum) -> {
            Map<String, JsonValue> o = new LinkedHashMap<>();
            o.put("owner", ApiJson.str(owner));
            o.putAll(entry(sum).members());
            owners.add(ApiJson.obj(o));
          });
      m.put("owners", new JsonValue.Arr(owners));
    }
    Routes.send(ctx, 200, ApiJson.obj(m));
  }

  /** {@code images}, {@code usage}, {@code cost_usd} and a {@code cost_note} when unpriced. */
  private static JsonValue.Obj entry(SessionSpend.Sum sum) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("images", ApiJson.num(sum.images()));
    m.putAll(sum.spend().addTo(ApiJson.obj(new LinkedHashMap<>())).members());
    return ApiJson.obj(m);
  }
}
