package dev.atelier.server.auth;

import dev.atelier.server.http.ErrorMapper;
import dev.atelier.store.RateCounters;
import dev.atelier.store.RateCounters.Window;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each key's limits ({@link Caller}): requests per minute and images per UTC day, counted in the
 * database so that they hold across every process sharing it (docs/adr/0025). A request over a
 * limit is refused with a 429 in OpenAI's shape before its route runs, so it stores nothing; every
 * response to a key with a per-minute limit carries OpenAI's {@code x-ratelimit-*-requests}
 * headers. Anonymous callers have no limits. (The third limit, image requests at once, counts the
 * key's unfinished jobs where a job is queued: see {@code JobSubmission}.)
 *
 * <p>The per-minute limit is a fixed window: the minute on the clock (00 s to 60 s, UTC) that the
 * request falls in; {@code x-ratelimit-reset-requests} and {@code Retry-After} say when it ends.
 * The daily quota counts a producing request as one image when it is admitted (admitted while the
 * day's count is below the quota) and corrects the count by what it made when it ends, so
 * concurrent requests on several nodes cannot all pass the last place. Each check is one statement
 * ({@link RateCounters#take}); ended windows are purged every 10 minutes by whichever request
 * notices it is due.
 */
public final class RateLimits {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimits.class);

  /** How often this process deletes the counters of ended windows. */
  static final int PURGE_MINUTES = 10;

  /** The requests that make images: generations, edits, variations, new sessions, rounds. */
  private static final Pattern PRODUCING =
      Pattern.compile(
          "/v1/images/(generations|edits|variations)|/v1/sessions(/[^/]+/(rounds|restart))?");

  private static final String RESERVED = "atelier.rateLimits.reserved";
  private static final String PRODUCED = "atelier.rateLimits.produced";

  private final Clock clock;
  private final RateCounters counters;
  private final AtomicLong nextPurge = new AtomicLong(Long.MIN_VALUE);

  RateLimits(Clock clock, RateCounters counters) {
    this.clock = clock;
    this.counters = counters;
  }

  /**
   * Installs the limits, counted in {@code counters}. They run as a before-matched handler: Javalin
   * runs every plain {@code before} handler (request ids, authentication, which stores the {@link
   * Caller}) before any before-matched one, whatever order they were installed in, so the caller is
   * known here; and only requests to a route are counted (not the studio's files or a 404).
   */
  public static void install(JavalinConfig c, Clock clock, RateCounters counters) {
    RateLimits limits = new RateLimits(clock, counters);
    c.routes.beforeMatched(limits::admit);
    // after runs whether the route answered or threw, so a reserved image is always settled.
    c.routes.after(limits::release);
  }

  /** Records that the request of {@code ctx} made {@code images} images (for the daily quota). */
  public static void produced(Context ctx, int images) {
    Integer before = ctx.attribute(PRODUCED);
    ctx.attribute(PRODUCED, (before == null ? 0 : before) + images);
  }

  void admit(Context ctx) {
    Caller caller = Caller.of(ctx);
    if (caller.requestsPerMinute() > 0 || caller.imagesPerDay() > 0) {
      purgeIfDue(clock.instant());
    }
    if (caller.requestsPerMinute() > 0) {
      perMinute(ctx, caller);
    }
    if (caller.imagesPerDay() <= 0
        || !ctx.method().name().equals("POST")
        || !PRODUCING.matcher(ctx.path()).matches()) {
      return;
    }
    Instant now = clock.instant();
    RateCounters.Counter day = RateCounters.Counter.at(caller.keyId(), Window.DAY, now);
    if (counters.take(day, caller.imagesPerDay()).isEmpty()) {
      long untilMidnight = day.end().getEpochSecond() - now.getEpochSecond();
      ctx.header("Retry-After", Long.toString(Math.max(1, untilMidnight)));
      throw new ErrorMapper.Refusal(
          429,
          "insufficient_quota",
          "insufficient_quota",
          "this key's daily quota of "
              + caller.imagesPerDay()
              + " images is spent; it renews at 00:00 UTC");
    }
    ctx.attribute(RESERVED, day);
  }

  private void perMinute(Context ctx, Caller caller) {
    int limit = caller.requestsPerMinute();
    Instant now = clock.instant();
    RateCounters.Counter minute = RateCounters.Counter.at(caller.keyId(), Window.MINUTE, now);
    OptionalInt count = counters.take(minute, limit);
    // Refused: the window is full (the count may be above a limit lowered since).
    int remaining = count.isPresent() ? limit - count.getAsInt() : 0;
    Duration reset = Duration.between(now, minute.end());
    ctx.header("x-ratelimit-limit-requests", Integer.toString(limit));
    ctx.header("x-ratelimit-remaining-requests", Integer.toString(remaining));
    ctx.header("x-ratelimit-reset-requests", goDuration(reset));
    if (count.isEmpty()) {
      long seconds = Math.max(1, (reset.toMillis() + 999) / 1000);
      ctx.header("Retry-After", Long.toString(seconds));
      throw new ErrorMapper.Refusal(
          429,
          "requests",
          "rate_limit_exceeded",
          "rate limit reached: this key may make "
              + limit
              + " requests per minute; retry in "
              + seconds
              + " s");
    }
  }

  void release(Context ctx) {
    RateCounters.Counter reserved = ctx.attribute(RESERVED);
    if (reserved == null) {
      return;
    }
    ctx.attribute(RESERVED, null);
    Integer made = ctx.attribute(PRODUCED);
    // One image was counted when the request was admitted; the count becomes what it made.
    int delta = (made == null ? 0 : made) - 1;
    if (delta != 0) {
      counters.add(reserved, delta);
    }
  }

  /**
   * Deletes ended windows' counters when this process has not for 10 minutes, off the request's
   * thread; other processes doing the same at once is harmless.
   */
  private void purgeIfDue(Instant now) {
    long due = nextPurge.get();
    long at = now.getEpochSecond();
    if (at < due || !nextPurge.compareAndSet(due, at + PURGE_MINUTES * 60L)) {
      return;
    }
    Thread.ofVirtual()
        .name("atelier-rate-purge")
        .start(
            () -> {
              try {
                int deleted = counters.purge(now);
                LOG.debug("purged {} rate counters of ended windows", deleted);
              } catch (RuntimeException e) {
                LOG.warn("purging ended rate limit windows failed: {}", e.getMessage());
              }
            });
  }

  /** A duration as OpenAI writes {@code x-ratelimit-reset-requests}: {@code 1s}, {@code 250ms}. */
  public static String goDuration(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    long rest = ms % 1000;
    return rest == 0 ? s + "s" : s + "." + String.format(java.util.Locale.ROOT, "%03d", rest) + "s";
  }
}
