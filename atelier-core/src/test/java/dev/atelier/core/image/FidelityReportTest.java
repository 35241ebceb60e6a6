package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import org.junit.jupiter.api.Test;

class FidelityReportTest {

  private static final RgbImage BEFORE = MetricFixtures.texture(64, 48, 1);
  private static final RgbImage EDIT = MetricFixtures.noise(64, 48, 2);
  private static final Mask MASK = MetricFixtures.featheredDisc(64, 48, 30, 20, 8, 4);

  @Test
  void compositedEditLeavesTheOutsideUntouched() {
    RgbImage after = Compositor.composite(BEFORE, EDIT, MASK);
    FidelityReport report = FidelityReport.compare(BEFORE, after, MASK);

    long inside = 0;
    for (float v : MASK.values()) {
      inside += v > 0 ? 1 : 0;
    }
    assertThat(report.region()).isEqualTo(Box.around(MASK, 0, 64, 48, 1));
    assertThat(report.region()).isEqualTo(new Box(19, 9, 23, 23));
    assertThat(report.regionFraction()).isEqualTo((double) inside / (64 * 48));
    assertThat(report.changedOutside()).isZero();
    assertThat(report.psnrOutside()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(report.ssimOutside()).isEqualTo(1.0);
    assertThat(report.deltaE00Outside()).isZero();
    assertThat(report.deltaE00Inside()).isGreaterThan(10.0);
  }

  @Test
  void uncompositedDriftShowsOutside() {
    RgbImage drifted = MetricFixtures.perturbed(BEFORE, 2, 3);
    FidelityReport report = FidelityReport.compare(BEFORE, drifted, MASK);
    assertThat(report.changedOutside()).isBetween(0.5, 1.0);
    assertThat(report.psnrOutside()).isBetween(35.0, 50.0);
    assertThat(report.ssimOutside()).isBetween(0.8, 1.0);
    assertThat(report.deltaE00Outside()).isBetween(0.1, 3.0);
  }

  @Test
  void writesJsonWithNullForInfinity() {
    FidelityReport report =
        FidelityReport.compare(BEFORE, Compositor.composite(BEFORE, EDIT, MASK), MASK);
    JsonValue.Obj json = Json.parse(report.toJson()).asObject();
    assertThat(json.members().keySet())
        .containsExactly(
            "region",
            "region_fraction",
            "changed_outside",
            "psnr_outside",
            "ssim_outside",
            "delta_e00_outside",
            "delta_e00_inside");
    assertThat(json.get("psnr_outside")).contains(JsonValue.Null.INSTANCE);
    assertThat(json.number("changed_outside", -1)).isZero();
    assertThat(json.number("ssim_outside", -1)).isEqualTo(1.0);
    assertThat(json.number("delta_e00_inside", -1)).isEqualTo(report.deltaE00Inside());
    JsonValue.Obj box = json.object("region").orElseThrow();
    assertThat(box.integer("x", -1)).isEqualTo(19);
    assertThat(box.integer("width", -1)).isEqualTo(23);
  }

  @Test
  void driftCountsChangedNeverEditedPixels() {
    float[] edited = new float[64 * 48];
    for (int p = 0; p < 64 * 16; p++) {
      edited[p] = 0.3f; // the top third has been edited in some round
    }
    Mask everEdited = new Mask(64, 48, edited);
    byte[] rgb = BEFORE.rgb().clone();
    rgb[0] ^= 1; // inside the edited third: not drift
    rgb[(40 * 64 + 5) * 3 + 2] ^= 1; // one never-edited pixel
    rgb[(47 * 64 + 63) * 3] ^= 1; // and another
    RgbImage current = new RgbImage(64, 48, rgb);
    assertThat(FidelityReport.driftOutside(BEFORE, current, everEdited)).hasValue(2.0 / (64 * 32));
    assertThat(FidelityReport.driftOutside(BEFORE, BEFORE, everEdited)).hasValue(0.0);
    Mask all = new Mask(64, 48, new float[64 * 48]).binarized(0f);
    assertThat(FidelityReport.driftOutside(BEFORE, current, all)).isEmpty();
  }

  @Test
  void wholeImageRegionLeavesOutsideMetricsUndefined() {
    Mask all = new Mask(64, 48, new float[64 * 48]).binarized(0f);
    FidelityReport report = FidelityReport.compare(BEFORE, EDIT, all);
    assertThat(report.regionFraction()).isEqualTo(1.0);
    assertThat(report.changedOutside()).isNaN();
    assertThat(report.psnrOutside()).isNaN();
    assertThat(report.ssimOutside()).isNaN();
    assertThat(report.deltaE00Outside()).isNaN();
    assertThat(Json.parse(report.toJson()).asObject().get("ssim_outside"))
        .contains(JsonValue.Null.INSTANCE);
  }

  @Test
  void refusesBadInput() {
    assertThatThrownBy(() -> FidelityReport.compare(BEFORE, MetricFixtures.flat(64, 47, 0), MASK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("images must be the same size but are 64x48 and 64x47");
    assertThatThrownBy(
            () -> FidelityReport.compare(BEFORE, BEFORE, new Mask(32, 48, new float[32 * 48])))
        .hasMessage("mask must be the images' size 64x48 but is 32x48");
    assertThatThrownBy(() -> new FidelityReport(new Box(0, 0, 1, 1), 0, 0, 1, 1, 0, 0))
        .hasMessage("regionFraction must be in (0, 1] but was 0.0");
    assertThatThrownBy(() -> new FidelityReport(new Box(0, 0, 1, 1), 1, 1.5, 1, 1, 0, 0))
        .hasMessage("changedOutside must be in [0.0, 1.0] or NaN but was 1.5");
  }
}
