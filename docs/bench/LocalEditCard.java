import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;
public class LocalEditCard {
  public static void main(String[] a) throws Exception {
    int w = Integer.parseInt(a[0]), h = Integer.parseInt(a[1]);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
      int r = x * 255 / Math.max(1, w - 1), g = y * 255 / Math.max(1, h - 1), b = 128;
      if (x > w / 5 && x < w / 2 && y > h / 3 && y < 2 * h / 3) { r = 200; g = 30; b = 40; }
      else if ((x - 3 * w / 4) * (x - 3 * w / 4) + (y - h / 2) * (y - h / 2) < h * h / 25) { r = 20; g = 60; b = 200; }
      img.setRGB(x, y, r << 16 | g << 8 | b);
    }
    ImageIO.write(img, "png", new File(a[2]));
  }
}
