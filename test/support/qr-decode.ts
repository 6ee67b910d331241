import jsQR from 'jsqr';
import { PNG } from 'pngjs';

/**
 * Reads QR codes back with a decoder of its own (jsQR), so a test checks what a phone would
 * scan, not what the encoding library believes it wrote.
 */

/** The text of the QR code in a PNG, or null when none is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return decodeRgba(new Uint8ClampedArray(image.data), image.width, image.height);
}

export interface SvgQr {
  /** The viewBox's side, in modules (quiet zone included). */
  side: number;
  text: string | null;
}

const PIXELS_PER_MODULE = 4;

/**
 * Rasterises the SVG that qrcode writes — one stroked path of horizontal runs (`M x y.5`,
 * `m dx 0`, `h n`) on a white square — and decodes it. Throws on any other shape, so a changed
 * renderer fails the test instead of decoding by luck.
 */
export function decodeQrSvg(svg: string): SvgQr {
  const viewBox = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" shape-rendering="crispEdges">/.exec(svg);
  if (!viewBox) throw new Error(`not a square QR SVG: ${svg.slice(0, 120)}`);
  const side = Number(viewBox[1]);
  const paths = [...svg.matchAll(/<path ([a-z]+)="(#[0-9a-f]{6})" d="([^"]*)"\/>/g)];
  const dark = paths.find((path) => path[1] === 'stroke');
  if (!dark || dark[2] !== '#000000') throw new Error('no black stroked path of modules');
  const modules = rasteriseRuns(dark[3] ?? '', side);

  const width = side * PIXELS_PER_MODULE;
  const rgba = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      if (!modules[Math.floor(y / PIXELS_PER_MODULE) * side + Math.floor(x / PIXELS_PER_MODULE)]) continue;
      const at = (y * width + x) * 4;
      rgba[at] = rgba[at + 1] = rgba[at + 2] = 0;
    }
  }
  return { side, text: decodeRgba(rgba, width, width) };
}

function rasteriseRuns(d: string, side: number): boolean[] {
  const modules = new Array<boolean>(side * side).fill(false);
  let x = 0;
  let y = 0;
  let rest = d;
  while (rest.length > 0) {
    const command = /^(?:M(\d+) (\d+)\.5|m(\d+) 0|h(\d+))/.exec(rest);
    if (!command) throw new Error(`unexpected path data at "${rest.slice(0, 20)}"`);
    rest = rest.slice(command[0].length);
    if (command[1] !== undefined) {
      x = Number(command[1]);
      y = Number(command[2]);
    } else if (command[3] !== undefined) {
      x += Number(command[3]);
    } else {
      const run = Number(command[4]);
      for (let i = 0; i < run; i++) modules[y * side + x + i] = true;
      x += run;
    }
  }
  return modules;
}

function decodeRgba(rgba: Uint8ClampedArray, width: number, height: number): string | null {
  const found = jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' });
  return found === null ? null : Buffer.from(found.binaryData).toString('utf8');
}
