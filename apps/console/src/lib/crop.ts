/**
 * Square crop math for the profile photo editor. The image is scaled so its shorter side
 * fills the square at zoom 1; `offset` pans it (in view pixels) and is clamped so the square
 * always stays covered.
 */
export interface CropState {
  zoom: number;
  x: number;
  y: number;
}

export interface Rect {
  sx: number;
  sy: number;
  size: number;
}

/** Scale from image pixels to view pixels. */
export function baseScale(imgW: number, imgH: number, view: number): number {
  return view / Math.min(imgW, imgH);
}

/** Keeps the pan inside the bounds for this zoom. */
export function clampCrop(imgW: number, imgH: number, view: number, s: CropState): CropState {
  const zoom = Math.min(4, Math.max(1, s.zoom));
  const scale = baseScale(imgW, imgH, view) * zoom;
  const maxX = Math.max(0, (imgW * scale - view) / 2);
  const maxY = Math.max(0, (imgH * scale - view) / 2);
  return {
    zoom,
    x: Math.min(maxX, Math.max(-maxX, s.x)),
    y: Math.min(maxY, Math.max(-maxY, s.y)),
  };
}

/** The square of the source image that the view shows. */
export function sourceRect(imgW: number, imgH: number, view: number, s: CropState): Rect {
  const c = clampCrop(imgW, imgH, view, s);
  const scale = baseScale(imgW, imgH, view) * c.zoom;
  const size = view / scale;
  const sx = imgW / 2 - size / 2 - c.x / scale;
  const sy = imgH / 2 - size / 2 - c.y / scale;
  return {
    sx: Math.max(0, Math.min(imgW - size, sx)),
    sy: Math.max(0, Math.min(imgH - size, sy)),
    size,
  };
}
