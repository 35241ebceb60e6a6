package dev.atelier.engine.onnx.grounding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Mask;
import dev.atelier.engine.onnx.grounding.RegionQuery.Side;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RegionFinder#locate} on synthetic logits, grid and image both 20x10 unless said. */
class RegionFinderTest {
  private static final int W = 20;
  private static final int H = 10;

  /** Background -10, +10 on each given rectangle {x0, y0, x1, y1} (inclusive). */
  private static LogitGrid grid(int w, int h, int[]... rects) {
    float[] v = new float[w * h];
    Arrays.fill(v, -10f);
    for (int[] r : rects) {
      for (int y = r[1]; y <= r[3]; y++) {
        for (int x = r[0]; x <= r[2]; x++) {
          v[y * w + x] = 10f;
        }
      }
    }
    return new LogitGrid(w, h, v);
  }

  // Blob A: 3x3 at the left; blob B: 4x4 at the right.
  private static final int[] A = {2, 3, 4, 5};
  private static final int[] B = {12, 3, 15, 6};
  private static final LogitGrid TWO_BLOBS = grid(W, H, A, B);

  private static GroundingResult locate(RegionQuery q, LogitGrid target, LogitGrid... keeps) {
    return RegionFinder.locate(q, target, List.of(keeps), W, H);
  }

  private static float at(Mask m, int x, int y) {
    return m.values()[y * m.width() + x];
  }

  private static int count(Mask m) {
    int n = 0;
    for (float v : m.values()) {
      n += v > 0 ? 1 : 0;
    }
    return n;
  }

  @Test
  void withoutSideOrOrdinalEveryRegionIsTaken() {
    GroundingResult r = locate(RegionQuery.of("cup"), TWO_BLOBS);
    assertThat(r.components()).isEqualTo(2);
    assertThat(count(r.hardRegion())).isEqualTo(9 + 16);
    assertThat(r.mask()).isEqualTo(r.hardRegion());
    assertThat(r.box()).isEqualTo(new Box(2, 3, 14, 4));
    assertThat(r.bestScore()).isCloseTo(1 / (1 + Math.exp(-10)), within(1e-6));
  }

  @Test
  void sideChoosesByCentroid() {
    GroundingResult left = locate(RegionQuery.of("cup").withChoice(Side.LEFT, 0), TWO_BLOBS);
    assertThat(left.box()).isEqualTo(new Box(2, 3, 3, 3));
    assertThat(left.components()).isEqualTo(2);
    GroundingResult right = locate(RegionQuery.of("cup").withChoice(Side.RIGHT, 1), TWO_BLOBS);
    assertThat(right.box()).isEqualTo(new Box(12, 3, 4, 4));
  }

  @Test
  void ordinalCountsFromTheNamedSide() {
    assertThat(locate(RegionQuery.of("cup").withChoice(Side.ANY, 2), TWO_BLOBS).box())
        .isEqualTo(new Box(12, 3, 4, 4));
    assertThat(locate(RegionQuery.of("cup").withChoice(Side.RIGHT, 2), TWO_BLOBS).box())
        .isEqualTo(new Box(2, 3, 3, 3));
  }

  @Test
  void verticalSidesAndCentre() {
    // Three blobs in a column: top, middle (the image centre), bottom.
    LogitGrid column =
        grid(W, H, new int[] {9, 0, 10, 1}, new int[] {9, 4, 10, 5}, new int[] {9, 8, 10, 9});
    assertThat(locate(RegionQuery.of("x").withChoice(Side.TOP, 1), column).box().y()).isZero();
    assertThat(locate(RegionQuery.of("x").withChoice(Side.BOTTOM, 1), column).box().y())
        .isEqualTo(8);
    assertThat(locate(RegionQuery.of("x").withChoice(Side.TOP, 2), column).box().y()).isEqualTo(4);
    assertThat(locate(RegionQuery.of("x").withChoice(Side.CENTER, 1), column).box().y())
        .isEqualTo(4);
  }

  @Test
  void ordinalBeyondTheRegionsIsRejected() {
    assertThatThrownBy(() -> locate(RegionQuery.of("cup").withChoice(Side.LEFT, 3), TWO_BLOBS))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessage("target 'cup' has 2 regions but region 3 from left was asked");
  }

  @Test
  void diagonalNeighboursAreOneRegion() {
    LogitGrid diagonal = grid(W, H, new int[] {3, 3, 3, 3}, new int[] {4, 4, 4, 4});
    assertThat(locate(RegionQuery.of("x"), diagonal).components()).isEqualTo(1);
  }

  @Test
  void dilationGrowsByAEuclideanDisk() {
    LogitGrid dot = grid(W, H, new int[] {10, 5, 10, 5});
    GroundingResult r = locate(RegionQuery.of("x").withDilate(2), dot);
    // Offsets with dx^2 + dy^2 <= 4: the centre, 4 at distance 1, 4 at sqrt 2, 4 at 2.
    assertThat(count(r.hardRegion())).isEqualTo(13);
    assertThat(at(r.hardRegion(), 12, 5)).isEqualTo(1f);
    assertThat(at(r.hardRegion(), 12, 6)).isZero();
    assertThat(r.box()).isEqualTo(new Box(8, 3, 5, 5));
  }

  @Test
  void featherFallsLinearlyOutsideTheRegion() {
    LogitGrid dot = grid(W, H, new int[] {10, 5, 10, 5});
    GroundingResult r = locate(RegionQuery.of("x").withFeather(4), dot);
    Mask m = r.mask();
    assertThat(at(m, 10, 5)).isEqualTo(1f);
    assertThat(at(m, 11, 5)).isCloseTo(0.75f, within(1e-6f));
    assertThat(at(m, 12, 5)).isCloseTo(0.5f, within(1e-6f));
    assertThat(at(m, 13, 5)).isCloseTo(0.25f, within(1e-6f));
    assertThat(at(m, 14, 5)).isZero();
    assertThat(at(m, 11, 6)).isCloseTo((float) (1 - Math.sqrt(2) / 4), within(1e-6f));
    assertThat(count(r.hardRegion())).isEqualTo(1);
    assertThat(r.box()).isEqualTo(new Box(7, 2, 7, 7));
  }

  @Test
  void keptPixelsAreNeverEdited() {
    // The keep phrase covers the right half of blob B; dilation 1 widens both.
    LogitGrid keep = grid(W, H, new int[] {14, 3, 15, 6});
    RegionQuery q = RegionQuery.of("sofa").withKeep(List.of("cat")).withDilate(1).withFeather(3);
    GroundingResult r = locate(q, grid(W, H, B), keep);
    for (int y = 2; y <= 7; y++) {
      for (int x = 13; x <= 16; x++) {
        boolean inDilatedKeep =
            Math.hypot(Math.max(0, Math.max(14 - x, x - 15)), Math.max(0, Math.max(3 - y, y - 6)))
                <= 1;
        if (inDilatedKeep) {
          assertThat(at(r.mask(), x, y)).as("mask at %d,%d", x, y).isZero();
          assertThat(at(r.hardRegion(), x, y)).as("hard at %d,%d", x, y).isZero();
        }
      }
    }
    // Column 12 is in B and out of reach of the dilated keep; column 11 is B's dilation.
    assertThat(at(r.hardRegion(), 12, 4)).isEqualTo(1f);
    assertThat(at(r.hardRegion(), 11, 4)).isEqualTo(1f);
    assertThat(at(r.mask(), 10, 4)).isCloseTo(2f / 3, within(1e-6f));
  }

  @Test
  void aKeepThatCoversTheWholeTargetIsNotSubtractedAndIsReported() {
    // "keep the other furniture" grounded over the sofa itself: cutting it out would edit nothing.
    RegionQuery q = RegionQuery.of("cup").withKeep(List.of("table"));
    GroundingResult alone = locate(q, grid(W, H, A));
    GroundingResult r = locate(q, grid(W, H, A), grid(W, H, new int[] {0, 0, 8, 9}));
    assertThat(r.ignoredKeeps()).containsExactly("table");
    assertThat(r.hardRegion().values()).containsExactly(alone.hardRegion().values());
    assertThat(r.mask().values()).containsExactly(alone.mask().values());
  }

  @Test
  void keepsThatCoverTheTargetOnlyTogetherAreAllLeftOut() {
    RegionQuery q = RegionQuery.of("cup").withKeep(List.of("left", "right"));
    GroundingResult alone = locate(q, grid(W, H, A));
    int[] box = boxOf(alone.hardRegion());
    int mid = (box[0] + box[2]) / 2;
    GroundingResult r =
        locate(
            q,
            grid(W, H, A),
            grid(W, H, new int[] {0, 0, mid, H - 1}),
            grid(W, H, new int[] {mid + 1, 0, W - 1, H - 1}));
    assertThat(r.ignoredKeeps()).containsExactly("left", "right");
    assertThat(r.hardRegion().values()).containsExactly(alone.hardRegion().values());
  }

  /** {x0, y0, x1, y1} of the non-zero pixels (inclusive). */
  private static int[] boxOf(dev.atelier.core.image.Mask m) {
    int x0 = W;
    int y0 = H;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        if (m.values()[y * W + x] > 0) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return new int[] {x0, y0, x1, y1};
  }

  @Test
  void nothingAboveTheThresholdReportsTheBestScore() {
    float[] v = new float[W * H];
    Arrays.fill(v, -2f); // sigmoid(-2) = 0.119
    assertThatThrownBy(() -> locate(RegionQuery.of("dog"), new LogitGrid(W, H, v)))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessage("target 'dog' grounds to nothing (best score 0.12 < threshold 0.4)");
  }

  @Test
  void logitsAreUpsampledToTheImage() {
    // A 4x4 grid with its left half on, masked at 16x8: the left half of the image.
    LogitGrid small = grid(4, 4, new int[] {0, 0, 1, 3});
    GroundingResult r = RegionFinder.locate(RegionQuery.of("x"), small, List.of(), 16, 8);
    assertThat(r.mask().width()).isEqualTo(16);
    assertThat(r.mask().height()).isEqualTo(8);
    assertThat(r.box()).isEqualTo(new Box(0, 0, 8, 8));
  }

  @Test
  void queriesValidateTheirFields() {
    assertThatThrownBy(() -> RegionQuery.of("x").withDilate(-1))
        .hasMessage("dilate must be >= 0 pixels but was -1");
    assertThatThrownBy(() -> RegionQuery.of("x").withThreshold(1f))
        .hasMessage("threshold must be in (0, 1) but was 1.0");
    assertThatThrownBy(() -> RegionQuery.of(" "))
        .hasMessage("target must be a non-blank phrase but was blank");
  }
}
