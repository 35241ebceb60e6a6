import java.awt.image.BufferedImage;
import javax.imageio.ImageIO;
import java.io.File;
public class MakeSource { public static void main(String[] a) throws Exception {
  BufferedImage im = new BufferedImage(32, 24, BufferedImage.TYPE_INT_ARGB);
  for (int y = 0; y < 24; y++) for (int x = 0; x < 32; x++) {
    int alpha = x < 8 ? 0 : 255;          // left quarter transparent
    int r = x < 16 ? 220 : 20, g = y < 12 ? 40 : 200, b = 90;
    im.setRGB(x, y, (alpha << 24) | (r << 16) | (g << 8) | b);
  }
  ImageIO.write(im, "png", new File("source-rgba.png"));
}}
