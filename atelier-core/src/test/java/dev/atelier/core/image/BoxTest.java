package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BoxTest {

  @Test
  void growsTheMarginedBoxToTheMultipleAroundItsCentre() {
    // Pixel 10 with margin 4 spans 6..14 (9 wide); 16 wide adds 3 before and 4 after.
    assertThat(Box.around(point(64, 64, 10, 10), 4, 64, 64, 8)).isEqualTo(new Box(3, 3, 16, 16));
  }

  @Test
  void shiftsBackInsideAtTheEdges() {
    assertThat(Box.around(point(64, 64, 0, 63), 2, 64, 64, 8)).isEqualTo(new Box(0, 56, 8, 8));
  }

  @Test
  void takesTheWholeSideWhenTheMultipleWouldNotFit() {
    // x spans 0..18 (19 wide): 32 exceeds the 20-pixel width, so the box takes all of it; y spans
    // 11..29, grown to 32 by 6 before and 7 after.
    Mask mask = point(20, 40, 9, 20);
    assertThat(Box.around(mask, 9, 20, 40, 16)).isEqualTo(new Box(0, 5, 20, 32));
  }

  @Test
  void withNoMarginOrMultipleIsTheTightBoundingBoxOfNonzeroValues() {
    float[] values = new float[10 * 8];
    values[2 * 10 + 3] = 0.01f; // feathered edges count
    values[5 * 10 + 7] = 1f;
    assertThat(Box.around(new Mask(10, 8, values), 0, 10, 8, 1)).isEqualTo(new Box(3, 2, 5, 4));
  }

  @Test
  void alwaysCoversTheMaskAndFitsTheImage() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      int w = 1 + random.nextInt(100);
      int h = 1 + random.nextInt(100);
      float[] values = new float[w * h];
      for (int k = random.nextInt(5) + 1; k > 0; k--) {
        values[random.nextInt(values.length)] = 1f;
      }
      int margin = random.nextInt(20);
      int multiple = 1 + random.nextInt(32);
      Box box = Box.around(new Mask(w, h, values), margin, w, h, multiple);
      assertThat(box.fitsIn(w, h)).isTrue();
      for (int p = 0; p < values.length; p++) {
        if (values[p] > 0) {
          assertThat(p % w).isBetween(box.x(), box.x() + box.width() - 1);
          assertThat(p / w).isBetween(box.y(), box.y() + box.height() - 1);
        }
      }
      assertThat(box.width() % multiple == 0 || box.width() == w).isTrue();
      assertThat(box.height() % multiple == 0 || box.height() == h).isTrue();
    }
  }

  @Test
  void refusesBadArguments() {
    Mask mask = point(8, 8, 1, 1);
    assertThatThrownBy(() -> Box.around(new Mask(8, 8, new float[64]), 0, 8, 8, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mask must mark at least one pixel above 0 to box but all are 0");
    assertThatThrownBy(() -> Box.around(mask, -1, 8, 8, 1))
        .hasMessage("margin must be at least 0 but was -1");
    assertThatThrownBy(() -> Box.around(mask, 0, 8, 8, 0))
        .hasMessage("multipleOf must be at least 1 but was 0");
    assertThatThrownBy(() -> Box.around(mask, 0, 9, 8, 1))
        .hasMessage("mask must be the image's size 9x8 but is 8x8");
    assertThatThrownBy(() -> new Box(-1, 0, 1, 1))
        .hasMessage("box corner must be at x, y >= 0 but was (-1, 0)");
    assertThatThrownBy(() -> new Box(0, 0, 0, 3))
        .hasMessage("box sides must be at least 1 but were 0x3");
  }

  @Test
  void reportsAreaAndFit() {
    Box box = new Box(2, 3, 4, 5);
    assertThat(box.area()).isEqualTo(20);
    assertThat(box.fitsIn(6, 8)).isTrue();
    assertThat(box.fitsIn(5, 8)).isFalse();
  }

  private static Mask point(int w, int h, int x, int y) {
    float[] values = new float[w * h];
    values[y * w + x] = 1f;
    return new Mask(w, h, values);
  }
}
