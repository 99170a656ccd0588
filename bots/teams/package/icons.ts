/**
 * The Teams app icons, drawn in code: a patch-panel mark of four jacks, two of them joined by a
 * patch cable. `color.png` (192×192) is the white mark on a rounded square of the accent colour;
 * `outline.png` (32×32) is the mark alone, white on transparent, as Teams requires.
 * Shapes are tested per sample point and averaged over a 4×4 grid per pixel (anti-aliasing).
 */
import { encodePng, type RgbaImage } from './png.ts';

/** The app's accent colour (manifest `accentColor`), also the colour icon's background. */
export const ACCENT_COLOR = '#3553D6';

export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

const SUBSAMPLES = 4;

// The mark, in its own coordinates (-1…1 both ways, y down).
const JACK = 0.58; // jack centres at (±JACK, ±JACK)
const JACK_OUTER = 0.42;
const JACK_INNER = 0.2;
const CABLE_HALF_WIDTH = 0.13;

function distanceToSegment(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** Whether a point of the mark's square is ink: plugged jacks (filled), open jacks (rings), the cable. */
export function markCovers(x: number, y: number): boolean {
  const plugged: Array<[number, number]> = [
    [-JACK, -JACK],
    [JACK, JACK],
  ];
  const open: Array<[number, number]> = [
    [JACK, -JACK],
    [-JACK, JACK],
  ];
  if (plugged.some(([cx, cy]) => Math.hypot(x - cx, y - cy) <= JACK_OUTER)) return true;
  if (open.some(([cx, cy]) => {
    const r = Math.hypot(x - cx, y - cy);
    return r <= JACK_OUTER && r >= JACK_INNER;
  })) return true;
  return distanceToSegment(x, y, -JACK, -JACK, JACK, JACK) <= CABLE_HALF_WIDTH;
}

/** Whether a point (0…1 both ways) is inside a square with rounded corners of the given radius. */
function roundedSquareCovers(u: number, v: number, radius: number): boolean {
  const dx = Math.max(radius - u, 0, u - (1 - radius));
  const dy = Math.max(radius - v, 0, v - (1 - radius));
  return Math.hypot(dx, dy) <= radius;
}

/** The share (0…1) of a pixel's sample points inside a shape given in 0…1 image coordinates. */
function coverage(size: number, px: number, py: number, inside: (u: number, v: number) => boolean): number {
  let hits = 0;
  for (let sy = 0; sy < SUBSAMPLES; sy++) {
    for (let sx = 0; sx < SUBSAMPLES; sx++) {
      if (inside((px + (sx + 0.5) / SUBSAMPLES) / size, (py + (sy + 0.5) / SUBSAMPLES) / size)) hits++;
    }
  }
  return hits / (SUBSAMPLES * SUBSAMPLES);
}

/** The mark scaled to `half` of the image (0.5 = edge to edge), centred. */
const markAt = (half: number) => (u: number, v: number) => markCovers((u - 0.5) / half, (v - 0.5) / half);

function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** The colour icon's pixels: the white mark on an accent-coloured rounded square (transparent corners). */
export function colorIconImage(size = COLOR_ICON_SIZE): RgbaImage {
  const [r, g, b] = hexRgb(ACCENT_COLOR);
  const mark = markAt(0.3);
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const bg = coverage(size, x, y, (u, v) => roundedSquareCovers(u, v, 0.2));
      const ink = coverage(size, x, y, mark);
      const i = (y * size + x) * 4;
      data[i] = Math.round(r + (255 - r) * ink);
      data[i + 1] = Math.round(g + (255 - g) * ink);
      data[i + 2] = Math.round(b + (255 - b) * ink);
      data[i + 3] = Math.round(255 * bg);
    }
  }
  return { width: size, height: size, data };
}

/** The outline icon's pixels: the mark in white, its alpha the coverage; everything else transparent. */
export function outlineIconImage(size = OUTLINE_ICON_SIZE): RgbaImage {
  const mark = markAt(0.47);
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      data.fill(255, i, i + 3);
      data[i + 3] = Math.round(255 * coverage(size, x, y, mark));
    }
  }
  return { width: size, height: size, data };
}

export function colorIconPng(): Buffer {
  return encodePng(colorIconImage());
}

export function outlineIconPng(): Buffer {
  return encodePng(outlineIconImage());
}
