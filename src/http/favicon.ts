/**
 * Patchbay's icon, built in code (no asset files, no CDN): two patch points joined by a cable on
 * an indigo tile. `/favicon.svg` for pages that link it, `/favicon.ico` for browsers that just ask.
 */
import type { RequestHandler } from 'express';

const TILE = [0x3b, 0x5b, 0xdb] as const; // indigo, RGB

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="rgb(${TILE.join(',')})"/>
<rect x="9" y="15" width="14" height="2" fill="#fff"/>
<circle cx="9" cy="16" r="4" fill="#fff"/><circle cx="23" cy="16" r="4" fill="#fff"/>
</svg>`;

/** The same drawing as the SVG, as RGBA for pixel (x, y) of a 32×32 grid. */
function pixel(x: number, y: number): [number, number, number, number] {
  const cx = x + 0.5;
  const cy = y + 0.5;
  const white: [number, number, number, number] = [255, 255, 255, 255];
  if (Math.hypot(cx - 9, cy - 16) <= 4 || Math.hypot(cx - 23, cy - 16) <= 4 || (cx >= 9 && cx <= 23 && cy >= 15 && cy <= 17)) return white;
  // Rounded corners (radius 7): transparent outside the arc.
  const nx = Math.min(Math.max(cx, 7), 25);
  const ny = Math.min(Math.max(cy, 7), 25);
  if (Math.hypot(cx - nx, cy - ny) > 7) return [0, 0, 0, 0];
  return [TILE[0], TILE[1], TILE[2], 255];
}

/** A 32×32, 32-bit ICO: one BMP image (bottom-up BGRA rows, then an all-clear AND mask). */
function buildIco(): Buffer {
  const size = 32;
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      pixels.set([b, g, r, a], ((size - 1 - y) * size + x) * 4);
    }
  }
  const mask = Buffer.alloc(size * 4); // 1 bit per pixel, rows padded to 32 bits; alpha does the work
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // BMP height counts the image and its mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(22);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(size, 6);
  dir.writeUInt8(size, 7);
  dir.writeUInt16LE(1, 10); // planes
  dir.writeUInt16LE(32, 12); // bits per pixel
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(22, 18);
  return Buffer.concat([dir, image]);
}

export const FAVICON_ICO = buildIco();

const serve =
  (type: string, body: string | Buffer): RequestHandler =>
  (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type(type).send(body);
  };

export const faviconIco = serve('image/x-icon', FAVICON_ICO);
export const faviconSvg = serve('image/svg+xml', FAVICON_SVG);
