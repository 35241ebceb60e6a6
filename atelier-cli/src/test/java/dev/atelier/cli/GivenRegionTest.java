package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.edit.Region;
import dev.atelier.core.image.Box;
import java.util.List;
import org.junit.jupiter.api.Test;

class GivenRegionTest {
  @Test
  void answersEveryLookupWithTheRectangle() {
    GivenRegion given = GivenRegion.parse(" 2, 1,3,2");
    Region r =
        given
            .grounder()
            .locate(
                LocalEditBench.testCard(6, 4),
                new GroundingQuery("box", List.of(), "", 0, 8, 6, 0.4));
    assertThat(r.box()).isEqualTo(new Box(2, 1, 3, 2));
    assertThat(r.hard().coverage()).isEqualTo(6 / 24.0);
    assertThat(r.feathered()).isEqualTo(r.hard());
    assertThat(r.hard().values()[1 * 6 + 2]).isEqualTo(1f);
    assertThat(r.hard().values()[1 * 6 + 5]).isZero();
    assertThat(given.share(6, 4)).isEqualTo(0.25);
  }
}
