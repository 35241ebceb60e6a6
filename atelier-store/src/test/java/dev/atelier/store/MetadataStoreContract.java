package dev.atelier.store;

import static dev.atelier.store.Fixtures.edit;
import static dev.atelier.store.Fixtures.image;
import static dev.atelier.store.Fixtures.imageAt;
import static dev.atelier.store.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link MetadataStore} must do, run against each database by a subclass. */
abstract class MetadataStoreContract extends JobStoreContract {
  @Test
  void reportsItsKind() {
    assertThat(store().kind()).isEqualTo(expectedKind());
  }

  @Test
  void pingAnswersWhileOpenAndFailsOnceClosed() {
    store().ping();
    store().close();
    assertThatThrownBy(() -> store().ping())
        .isInstanceOf(dev.atelier.core.AtelierException.StorageFailure.class);
  }

  @Test
  void apiKeyRoundTripKeepsEveryFieldButTheSecret() {
    ApiKey.Issued issued =
        ApiKey.issue("alice", "", Set.of("images", "admin"), 30, 500, 2, Fixtures.T0);

    store().insertApiKey(issued.key());

    assertThat(store().apiKeys()).containsExactly(issued.key());
    ApiKey back = store().apiKeys().getFirst();
    assertThat(back.owner()).isEqualTo("alice");
    assertThat(back.hash()).isEqualTo(ApiKeySecret.hashOf(issued.secret().reveal()));
    assertThat(back.toString()).doesNotContain(issued.secret().reveal());
    assertThat(issued.toString()).doesNotContain(issued.secret().reveal());
  }

  @Test
  void anActiveKeyNameIsTakenUntilThatKeyIsRevoked() {
    ApiKey first = ApiKey.issue("ci", "team", ApiKey.DEFAULT_SCOPES, 0, 0, 0, Fixtures.T0).key();
    store().insertApiKey(first);

    assertThatThrownBy(
            () ->
                store()
                    .insertApiKey(
                        ApiKey.issue("ci", "team", ApiKey.DEFAULT_SCOPES, 0, 0, 0, Fixtures.T0)
                            .key()))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessage(
            "an active key is already named 'ci'; choose another name or revoke that key first");

    Instant later = Fixtures.T0.plusSeconds(60);
    assertThat(store().revokeApiKey("ci", later)).contains(first);
    assertThat(store().revokeApiKey("ci", later)).isEmpty();
    ApiKey second = ApiKey.issue("ci", "team", ApiKey.DEFAULT_SCOPES, 0, 0, 0, later).key();
    store().insertApiKey(second);

    assertThat(store().apiKeys())
        .extracting(ApiKey::id, ApiKey::revokedAt)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(first.id(), java.util.Optional.of(later)),
            org.assertj.core.groups.Tuple.tuple(second.id(), java.util.Optional.empty()));
  }

  @Test
  void aKeyIsRevokedByIdAndTouchedWithItsLastUse() {
    ApiKey key = ApiKey.issue("bob", "", Set.of("sessions"), 0, 0, 0, Fixtures.T0).key();
    store().insertApiKey(key);
    Instant used = Fixtures.T0.plusMillis(1500);

    store().touchApiKey(key.id(), used);
    store().touchApiKey("key_unknown", used);

    assertThat(store().apiKeys().getFirst().lastUsedAt()).contains(used);
    assertThat(store().revokeApiKey(key.id(), used)).isPresent();
    assertThat(store().apiKeys().getFirst().active()).isFalse();
  }

  @Test
  void imageRoundTripKeepsEveryFieldIncludingChineseProvenance() {
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("prompt", "一只在雨中撑伞的猫，水墨画风格");
    provenance.put("instruction", "把天空换成晚霞 🌅, \"quoted\"\nsecond line\\");
    provenance.put("seed", "18446744073709551615");
    provenance.put("", "empty key");
    StoredImage img =
        new StoredImage(
            "img_中", image("x").sha256(), "webp", 3, 5, Fixtures.T0, "", "img_p", provenance);

    store().insertImage(img);

    StoredImage back = store().image("img_中").orElseThrow();
    assertThat(back).isEqualTo(img);
    assertThat(back.provenance().keySet()).containsExactlyElementsOf(provenance.keySet());
  }

  @Test
  void duplicateImageIdFailsAndKeepsTheFirst() {
    store().insertImage(image("img_1"));
    StoredImage other =
        new StoredImage(
            "img_1", image("img_2").sha256(), "png", 1, 1, Fixtures.T0, "", "", Map.of());

    assertThatThrownBy(() -> store().insertImage(other))
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageContaining("insertImage img_1");
    assertThat(store().image("img_1")).contains(image("img_1"));
  }

  @Test
  void referencedBlobsNamesEveryShaOnce() {
    store().insertImage(image("img_1"));
    store().insertImage(image("img_2"));
    StoredImage sameBytes =
        new StoredImage(
            "img_3", image("img_1").sha256(), "png", 1, 1, Fixtures.T0, "", "", Map.of());
    store().insertImage(sameBytes);

    assertThat(store().referencedBlobs())
        .containsExactlyInAnyOrder(image("img_1").sha256(), image("img_2").sha256());
  }

  @Test
  void missingIdsGiveEmptyOrFalse() {
    store().createSession(session("ses_1", "rnd_0", "img_0"), image("img_0", "ses_1", ""));

    assertThat(store().image("img_nope")).isEmpty();
    assertThat(store().session("ses_nope")).isEmpty();
    assertThat(store().moveHead("ses_nope", "rnd_0")).isFalse();
    assertThat(store().moveHead("ses_1", "rnd_nope")).isFalse();
    assertThat(store().deleteSession("ses_nope")).isFalse();
    assertThat(store().session("ses_1").orElseThrow().headRoundId()).isEqualTo("rnd_0");
  }

  @Test
  void sessionWithThreeRoundsSupportsUndoAndCheckout() {
    Session s = threeRoundSession();
    assertThat(s.headRoundId()).isEqualTo("rnd_3");
    assertThat(s.rounds())
        .extracting(Round::id)
        .containsExactly("rnd_0", "rnd_1", "rnd_2", "rnd_3");
    assertThat(s.rounds().get(2)).isEqualTo(edit("rnd_2", "ses_1", "rnd_1", "img_2", 2));
    assertThat(s.createdAt()).isEqualTo(Fixtures.T0);

    assertThat(store().moveHead("ses_1", "rnd_2")).isTrue();
    assertThat(store().session("ses_1").orElseThrow().head().id()).isEqualTo("rnd_2");
    assertThat(store().moveHead("ses_1", "rnd_3")).isTrue();
    assertThat(store().session("ses_1").orElseThrow().head().id()).isEqualTo("rnd_3");
  }

  @Test
  void branchingKeepsBothChildrenOfOneParent() {
    store().createSession(session("ses_1", "rnd_0", "img_0"), image("img_0", "ses_1", ""));
    store().addRound(image("img_a", "ses_1", "img_0"), edit("rnd_a", "ses_1", "rnd_0", "img_a", 1));
    assertThat(store().moveHead("ses_1", "rnd_0")).isTrue();
    store().addRound(image("img_b", "ses_1", "img_0"), edit("rnd_b", "ses_1", "rnd_0", "img_b", 1));

    Session s = store().session("ses_1").orElseThrow();
    assertThat(s.rounds()).extracting(Round::id).containsExactly("rnd_0", "rnd_a", "rnd_b");
    assertThat(s.rounds()).filteredOn(r -> r.parentId().equals("rnd_0")).hasSize(2);
    assertThat(s.headRoundId()).isEqualTo("rnd_b");
  }

  @Test
  void roundsComeBackInCreationOrderNotIdOrTimeOrder() {
    store().createSession(session("ses_1", "rnd_z", "img_0"), image("img_0", "ses_1", ""));
    // Ids sort backwards and timestamps decrease, so only the creation sequence gives this order.
    store().addRound(image("img_1"), edit("rnd_y", "ses_1", "rnd_z", "img_1", 9));
    store().addRound(image("img_2"), edit("rnd_x", "ses_1", "rnd_y", "img_2", 5));
    store().addRound(image("img_3"), edit("rnd_w", "ses_1", "rnd_x", "img_3", 1));

    assertThat(store().session("ses_1").orElseThrow().rounds())
        .extracting(Round::id)
        .containsExactly("rnd_z", "rnd_y", "rnd_x", "rnd_w");
  }

  @Test
  void moveHeadRefusesARoundOfAnotherSession() {
    store().createSession(session("ses_1", "rnd_1", "img_1"), image("img_1", "ses_1", ""));
    store().createSession(session("ses_2", "rnd_2", "img_2"), image("img_2", "ses_2", ""));

    assertThat(store().moveHead("ses_1", "rnd_2")).isFalse();
    assertThat(store().session("ses_1").orElseThrow().headRoundId()).isEqualTo("rnd_1");
  }

  @Test
  void deleteSessionRemovesRoundsAndKeepsImagesWithoutSession() throws SQLException {
    threeRoundSession();
    store().createSession(session("ses_2", "rnd_b", "img_b"), image("img_b", "ses_2", ""));

    assertThat(store().deleteSession("ses_1")).isTrue();

    assertThat(store().session("ses_1")).isEmpty();
    assertThat(store().deleteSession("ses_1")).isFalse();
    assertThat(count("SELECT COUNT(*) FROM rounds WHERE session_id = 'ses_1'")).isZero();
    assertThat(store().image("img_2").orElseThrow().sessionId()).isEmpty();
    assertThat(store().image("img_2").orElseThrow().parentImageId()).isEqualTo("img_1");
    assertThat(store().session("ses_2").orElseThrow().rounds()).hasSize(1);
    assertThat(store().image("img_b").orElseThrow().sessionId()).isEqualTo("ses_2");
  }

  @Test
  void addRoundWithDuplicateRoundIdWritesNothing() {
    Session before = threeRoundSession();

    assertThatThrownBy(
            () ->
                store()
                    .addRound(
                        image("img_new", "ses_1", "img_3"),
                        edit("rnd_2", "ses_1", "rnd_3", "img_new", 4)))
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageContaining("addRound rnd_2");

    assertThat(store().image("img_new")).isEmpty();
    assertThat(store().session("ses_1")).contains(before);
  }

  @Test
  void addRoundReferencingAMissingImageWritesNothing() {
    Session before = threeRoundSession();

    assertThatThrownBy(
            () ->
                store()
                    .addRound(
                        image("img_new", "ses_1", "img_3"),
                        edit("rnd_4", "ses_1", "rnd_3", "img_missing", 4)))
        .isInstanceOf(AtelierException.StorageFailure.class);

    assertThat(store().image("img_new")).isEmpty();
    assertThat(store().session("ses_1")).contains(before);
  }

  @Test
  void addRoundToAMissingSessionWritesNothing() {
    assertThatThrownBy(
            () -> store().addRound(image("img_1"), edit("rnd_1", "ses_nope", "", "img_1", 1)))
        .isInstanceOf(AtelierException.StorageFailure.class);

    assertThat(store().image("img_1")).isEmpty();
  }

  @Test
  void createSessionFailureWritesNothing() throws SQLException {
    store().insertImage(image("img_0"));

    assertThatThrownBy(
            () -> store().createSession(session("ses_1", "rnd_0", "img_0"), image("img_0")))
        .isInstanceOf(AtelierException.StorageFailure.class);

    assertThat(store().session("ses_1")).isEmpty();
    assertThat(count("SELECT COUNT(*) FROM rounds")).isZero();
  }

  @Test
  void createSessionRejectsMoreThanTheRootRound() {
    Session two =
        new Session(
            "ses_1",
            Fixtures.T0,
            "rnd_0",
            List.of(
                Fixtures.root("rnd_0", "ses_1", "img_0"),
                edit("rnd_1", "ses_1", "rnd_0", "img_0", 1)));

    assertThatThrownBy(() -> store().createSession(two, image("img_0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a new session must hold exactly its root round but held 2 rounds");
  }

  @Test
  void dataSurvivesCloseAndReopen() {
    Session written = threeRoundSession();
    store().moveHead("ses_1", "rnd_1");
    closeStores();

    MetadataStore again = reopen();
    assertThat(again.session("ses_1").orElseThrow())
        .isEqualTo(new Session("ses_1", written.createdAt(), "rnd_1", written.rounds()));
    assertThat(again.image("img_3")).contains(image("img_3", "ses_1", "img_2"));
  }

  @Test
  void closedStoreFailsWithStorageFailure() {
    MetadataStore s = store();
    closeStores();

    assertThatThrownBy(() -> s.image("img_1"))
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageContaining("closed");
  }

  @Test
  void concurrentSessionsDoNotInterfere() throws Exception {
    MetadataStore shared = store();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String ses = "ses_" + t;
        done.add(
            pool.submit(
                () -> {
                  shared.createSession(session(ses, ses + "_r0", ses + "_i0"), image(ses + "_i0"));
                  for (int i = 1; i <= 5; i++) {
                    shared.addRound(
                        image(ses + "_i" + i),
                        edit(ses + "_r" + i, ses, ses + "_r" + (i - 1), ses + "_i" + i, i));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    for (int t = 0; t < 8; t++) {
      assertThat(store().session("ses_" + t).orElseThrow().rounds())
          .extracting(Round::id)
          .containsExactly(
              "ses_" + t + "_r0",
              "ses_" + t + "_r1",
              "ses_" + t + "_r2",
              "ses_" + t + "_r3",
              "ses_" + t + "_r4",
              "ses_" + t + "_r5");
    }
  }

  @Test
  void imagesComeNewestFirstInPagesAfterAnId() {
    Instant t = Instant.parse("2025-03-01T12:00:00Z");
    // Whole seconds next to fractions (Instant.toString writes them with 0, 3 or 9 digits), and
    // two images of the same instant, which the id orders.
    store().insertImage(imageAt("img_a", t));
    store().insertImage(imageAt("img_b", t.plusMillis(500)));
    store().insertImage(imageAt("img_c", t.plusSeconds(1)));
    store().insertImage(imageAt("img_d", t.plusSeconds(1)));
    store().insertImage(imageAt("img_e", t.plusNanos(1_000_000_001)));
    // The masks edits store are rows of their own, reachable by id but never listed.
    StoredImage e = imageAt("img_e", t);
    store()
        .insertImage(
            new StoredImage(
                "img_mask",
                e.sha256(),
                "png",
                512,
                768,
                t.plusSeconds(9),
                "",
                "",
                java.util.Map.of("kind", "mask")));
    assertThat(store().image("img_mask")).isPresent();

    Page<StoredImage> first = store().images(2, "").orElseThrow();
    assertThat(first.items()).extracting(StoredImage::id).containsExactly("img_e", "img_d");
    assertThat(first.hasMore()).isTrue();
    Page<StoredImage> second = store().images(2, "img_d").orElseThrow();
    assertThat(second.items()).extracting(StoredImage::id).containsExactly("img_c", "img_b");
    assertThat(second.hasMore()).isTrue();
    Page<StoredImage> last = store().images(2, "img_b").orElseThrow();
    assertThat(last.items()).extracting(StoredImage::id).containsExactly("img_a");
    assertThat(last.hasMore()).isFalse();
    assertThat(last.items().getFirst()).isEqualTo(imageAt("img_a", t));
    assertThat(store().images(5, "").orElseThrow().hasMore()).isFalse();
    assertThat(store().images(5, "img_a").orElseThrow().items()).isEmpty();
  }

  @Test
  void listingsAfterAMissingIdAreEmptyAndLimitsAreChecked() {
    assertThat(store().images(20, "")).contains(new Page<>(List.of(), false));
    assertThat(store().images(20, "img_nope")).isEmpty();
    assertThat(store().sessions(20, "ses_nope")).isEmpty();
    assertThatThrownBy(() -> store().images(0, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be 1..1000 but was 0");
    assertThatThrownBy(() -> store().sessions(1001, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be 1..1000 but was 1001");
  }

  @Test
  void sessionsComeNewestFirstAsSummaries() {
    threeRoundSession();
    store().moveHead("ses_1", "rnd_1");
    Session later =
        new Session(
            "ses_2",
            Fixtures.T0.plusSeconds(60),
            "rnd_9",
            List.of(
                new Round(
                    "rnd_9",
                    "ses_2",
                    "",
                    Round.Kind.CREATE,
                    "img_9",
                    "",
                    Map.of(),
                    0,
                    Fixtures.T0.plusSeconds(60))));
    store().createSession(later, image("img_9", "ses_2", ""));

    Page<SessionSummary> page = store().sessions(1, "").orElseThrow();
    assertThat(page.items())
        .containsExactly(
            new SessionSummary("ses_2", Fixtures.T0.plusSeconds(60), "", "rnd_9", "img_9", 1));
    assertThat(page.hasMore()).isTrue();
    Page<SessionSummary> next = store().sessions(1, "ses_2").orElseThrow();
    assertThat(next.items())
        .containsExactly(
            new SessionSummary("ses_1", Fixtures.T0, "a lighthouse at dusk", "rnd_1", "img_1", 4));
    assertThat(next.hasMore()).isFalse();

    store().deleteSession("ses_2");
    assertThat(store().sessions(20, "").orElseThrow().items())
        .extracting(SessionSummary::id)
        .containsExactly("ses_1");
  }

  @Test
  void imagesAndSessionsKeepTheirOwner() {
    store().insertImage(image("img_a").withOwner("alice"));
    Session s = session("ses_b", "rnd_b", "img_b");
    store()
        .createSession(
            new Session(s.id(), s.createdAt(), s.headRoundId(), s.rounds(), "bob"),
            image("img_b", "ses_b", "").withOwner("bob"));
    store()
        .addRound(
            image("img_b2", "ses_b", "img_b").withOwner("bob"),
            edit("rnd_b2", "ses_b", "rnd_b", "img_b2", 1));

    assertThat(store().image("img_a").orElseThrow().owner()).isEqualTo("alice");
    assertThat(store().image("img_b2").orElseThrow().owner()).isEqualTo("bob");
    Session back = store().session("ses_b").orElseThrow();
    assertThat(back.owner()).isEqualTo("bob");
    assertThat(back.rounds()).hasSize(2);
    assertThat(image("img_x").owner()).isEmpty();
    assertThat(session("ses_x", "rnd_x", "img_x").owner()).isEmpty();
  }

  @Test
  void listingsShowOnlyTheScopedOwnersRowsAndPageWithinThem() {
    Instant t = Fixtures.T0;
    String[][] images = {
      {"img_1", "alice"}, {"img_2", "bob"}, {"img_3", "alice"}, {"img_4", "bob"}, {"img_5", "alice"}
    };
    for (int i = 0; i < images.length; i++) {
      store().insertImage(imageAt(images[i][0], t.plusSeconds(i)).withOwner(images[i][1]));
    }

    Page<StoredImage> alice = store().images(OwnerScope.only("alice"), "", 2, "").orElseThrow();
    assertThat(alice.items()).extracting(StoredImage::id).containsExactly("img_5", "img_3");
    assertThat(alice.hasMore()).isTrue();
    assertThat(store().images(OwnerScope.only("alice"), "", 2, "img_3").orElseThrow().items())
        .extracting(StoredImage::id)
        .containsExactly("img_1");
    assertThat(store().images(OwnerScope.only("bob"), "", 10, "").orElseThrow().items())
        .extracting(StoredImage::id)
        .containsExactly("img_4", "img_2");
    assertThat(store().images(OwnerScope.only("carol"), "", 10, "").orElseThrow().items())
        .isEmpty();
    assertThat(store().images(OwnerScope.EVERYONE, "", 10, "").orElseThrow().items()).hasSize(5);
    // Another owner's id is no cursor, exactly like an id that does not exist.
    assertThat(store().images(OwnerScope.only("alice"), "", 10, "img_4")).isEmpty();
    assertThat(store().images(OwnerScope.EVERYONE, "", 10, "img_4")).isPresent();

    Session bobs = session("ses_b", "rnd_b", "img_b");
    store()
        .createSession(
            new Session(bobs.id(), t.plusSeconds(10), bobs.headRoundId(), bobs.rounds(), "bob"),
            image("img_b", "ses_b", "").withOwner("bob"));
    Session alices = session("ses_a", "rnd_a", "img_a");
    store()
        .createSession(
            new Session(
                alices.id(), t.plusSeconds(20), alices.headRoundId(), alices.rounds(), "alice"),
            image("img_a", "ses_a", "").withOwner("alice"));

    assertThat(store().sessions(OwnerScope.only("alice"), 10, "").orElseThrow().items())
        .extracting(SessionSummary::id)
        .containsExactly("ses_a");
    assertThat(store().sessions(OwnerScope.only("bob"), 10, "").orElseThrow().items())
        .extracting(SessionSummary::id)
        .containsExactly("ses_b");
    assertThat(store().sessions(OwnerScope.EVERYONE, 10, "").orElseThrow().items())
        .extracting(SessionSummary::id)
        .containsExactly("ses_a", "ses_b");
    assertThat(store().sessions(OwnerScope.only("alice"), 10, "ses_b")).isEmpty();
    assertThat(store().sessions(OwnerScope.only("bob"), 10, "ses_b").orElseThrow().items())
        .isEmpty();

    assertThat(store().images(OwnerScope.only("bob"), "ses_b", 10, "").orElseThrow().items())
        .extracting(StoredImage::id)
        .containsExactly("img_b");
    assertThat(store().images(OwnerScope.EVERYONE, "ses_a", 10, "").orElseThrow().items())
        .extracting(StoredImage::id)
        .containsExactly("img_a");
    assertThat(store().images(OwnerScope.only("alice"), "ses_b", 10, "").orElseThrow().items())
        .isEmpty();
  }

  @Test
  void ownerScopeRefusesANamedOwnerForEveryone() {
    assertThatThrownBy(() -> new OwnerScope(true, "alice"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a scope of every owner names no owner but named 'alice'");
  }

  @Test
  void ownerIndexesExist() throws SQLException {
    store(); // opening migrates
    String sql =
        expectedKind().equals("sqlite")
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                + " ('images_owner_created', 'sessions_owner_created')"
            : "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN"
                + " ('images_owner_created', 'sessions_owner_created')";
    assertThat(count(sql)).isEqualTo(2);
  }
}
