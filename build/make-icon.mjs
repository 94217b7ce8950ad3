#!/usr/bin/env node
/**
 * Draws the app icon (build/icon.png, 1024×1024 RGBA) from a few shapes with signed distance
 * functions, and encodes the PNG with node:zlib: no image tools or network needed. electron-builder
 * derives the Windows .ico, the macOS .icns and the Linux icon set from this one PNG.
 *
 * The picture: one hub (the centralizer) joined by spokes to six agents around it, on a rounded
 * square. Run `node build/make-icon.mjs` after changing it and commit the PNG.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 1024;
const C = SIZE / 2;

/** Distance from p to a rounded square centred in the canvas (negative inside). */
function roundedSquare(x, y, half, radius) {
  const qx = Math.abs(x - C) - half + radius;
  const qy = Math.abs(y - C) - half + radius;
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - radius;
}
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
/** Distance to the segment a–b, thickened to width w. */
function segment(x, y, ax, ay, bx, by, w) {
  const px = x - ax;
  const py = y - ay;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * t, py - dy * t) - w / 2;
}
/** Anti-aliased coverage of a shape from its distance (one pixel of soft edge). */
const cover = (d) => Math.max(0, Math.min(1, 0.5 - d));

const agents = Array.from({ length: 6 }, (_, i) => {
  const a = -Math.PI / 2 + (i * Math.PI) / 3;
  return [C + Math.cos(a) * 300, C + Math.sin(a) * 300];
});

const BG_TOP = [22, 58, 112];
const BG_BOTTOM = [12, 32, 68];
const SPOKE = [120, 170, 230];
const AGENT = [94, 214, 160];
const HUB = [255, 255, 255];

function pixel(x, y) {
  const bg = cover(roundedSquare(x, y, 480, 190));
  if (bg === 0) return [0, 0, 0, 0];
  const t = y / SIZE;
  let rgb = BG_TOP.map((v, i) => v + (BG_BOTTOM[i] - v) * t);
  const paint = (color, alpha) => {
    rgb = rgb.map((v, i) => v + (color[i] - v) * alpha);
  };
  let spokes = 0;
  for (const [ax, ay] of agents) spokes = Math.max(spokes, cover(segment(x, y, C, C, ax, ay, 26)));
  paint(SPOKE, spokes);
  let dots = 0;
  for (const [ax, ay] of agents) dots = Math.max(dots, cover(circle(x, y, ax, ay, 78)));
  paint(AGENT, dots);
  paint(HUB, cover(circle(x, y, C, C, 140)));
  paint(BG_TOP, cover(circle(x, y, C, C, 72)));
  paint(HUB, cover(circle(x, y, C, C, 36)));
  return [...rgb.map((v) => Math.round(v)), Math.round(bg * 255)];
}

const raw = Buffer.alloc((SIZE * 4 + 1) * SIZE);
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    // Sample at the pixel centre.
    const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
    raw.writeUInt8(r, row + 1 + x * 4);
    raw.writeUInt8(g, row + 2 + x * 4);
    raw.writeUInt8(b, row + 3 + x * 4);
    raw.writeUInt8(a, row + 4 + x * 4);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.writeUInt8(8, 8); // bit depth
header.writeUInt8(6, 9); // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${SIZE}×${SIZE}, ${png.length} bytes)`);
