// The edit region on a canvas over the image: loaded from a dry run's mask (white = edit),
// adjusted with a brush and an eraser, exported as a white-means-edit PNG data URL.

const TINT = "rgba(255, 0, 96, 1)";

export class MaskCanvas {
  constructor(canvas, sizeInput) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.sizeInput = sizeInput;
    this.active = false;
    this.last = null;
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = null;
      this.paint(e);
    });
    canvas.addEventListener("pointermove", (e) => this.last && this.paint(e));
    canvas.addEventListener("pointerup", () => (this.last = null));
  }

  /** Shows the mask in a data URL (grey levels: white = edit) sized like the image. */
  async load(dataUrl) {
    const img = new Image();
    img.src = dataUrl;
    await img.decode();
    const { canvas, ctx } = this;
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const px = data.data;
    for (let i = 0; i < px.length; i += 4) {
      const v = px[i];
      px[i] = 255;
      px[i + 1] = 0;
      px[i + 2] = 96;
      px[i + 3] = v;
    }
    ctx.putImageData(data, 0, 0);
    this.active = true;
    canvas.hidden = false;
  }

  clear() {
    this.active = false;
    this.canvas.hidden = true;
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  tool() {
    return document.querySelector('input[name="tool"]:checked')?.value || "brush";
  }

  /** Paints (or erases) a round-capped line from the last pointer position to this one. */
  paint(e) {
    const r = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * this.canvas.width;
    const y = ((e.clientY - r.top) / r.height) * this.canvas.height;
    // The size is in screen pixels; at least about one image pixel so small images get a mark.
    const width = Math.max(Number(this.sizeInput.value) * (this.canvas.width / r.width), 1.5);
    const from = this.last || { x, y };
    const ctx = this.ctx;
    ctx.globalCompositeOperation = this.tool() === "eraser" ? "destination-out" : "source-over";
    ctx.strokeStyle = TINT;
    ctx.lineWidth = width;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(x, y);
    ctx.stroke();
    ctx.globalCompositeOperation = "source-over";
    this.last = { x, y };
  }

  /** The region as a PNG data URL, white = edit, black = keep (send with mask_mode "white"). */
  toDataUrl() {
    const { width, height } = this.canvas;
    const src = this.ctx.getImageData(0, 0, width, height).data;
    const out = document.createElement("canvas");
    out.width = width;
    out.height = height;
    const octx = out.getContext("2d");
    const data = octx.createImageData(width, height);
    for (let i = 0; i < src.length; i += 4) {
      const v = src[i + 3];
      data.data[i] = data.data[i + 1] = data.data[i + 2] = v;
      data.data[i + 3] = 255;
    }
    octx.putImageData(data, 0, 0);
    return out.toDataURL("image/png");
  }
}
