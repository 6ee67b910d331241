import { create, toBuffer, toString, type QRCodeErrorCorrectionLevel } from 'qrcode';

/**
 * A phone camera reads a QR code off a screen comfortably up to about version 15 (77×77
 * modules); past that the modules get small. So a config gets the strongest error correction
 * that keeps its symbol within that size (a typical ~350-byte config: M, version 14), and a
 * long one (many allowed IPs) gets L at whatever size it needs. More redundancy where it is free
 * helps against glare and screen moiré.
 */
export const COMFORTABLE_QR_VERSION = 15;
const STRONGEST_FIRST: readonly QRCodeErrorCorrectionLevel[] = ['H', 'Q', 'M', 'L'];

/** Blank modules around the symbol: the quiet zone of 4 that ISO/IEC 18004 asks for. */
export const QUIET_ZONE = 4;
/**
 * Pixels per module in the PNG: an integer, so every module is a crisp square. 4 makes a typical
 * config 324×324 pixels, plenty for a camera; 8 would cost the event loop four times the
 * encoding time (about 50 ms instead of 15 on this machine) for nothing a phone needs. For a
 * larger picture, the SVG scales freely.
 */
export const PNG_SCALE = 4;

export type QrFit = { fits: true; level: QRCodeErrorCorrectionLevel; version: number } | { fits: false };

/** The error correction level for this text, or `fits: false` when no QR code can hold it. */
export function qrFitOf(text: string): QrFit {
  let fallback: QrFit = { fits: false };
  for (const level of STRONGEST_FIRST) {
    const version = versionAt(text, level);
    if (version === null) continue;
    if (version <= COMFORTABLE_QR_VERSION) return { fits: true, level, version };
    if (level === 'L') fallback = { fits: true, level, version };
  }
  return fallback;
}

/** The smallest symbol version holding the text at this level, or null when it does not fit at all. */
function versionAt(text: string, level: QRCodeErrorCorrectionLevel): number | null {
  try {
    return create(text, { errorCorrectionLevel: level }).version;
  } catch {
    // qrcode throws "The amount of data is too big to be stored in a QR Code" past version 40.
    return null;
  }
}

/** The QR code as a PNG (black on white). */
export function qrPng(text: string, level: QRCodeErrorCorrectionLevel): Promise<Buffer> {
  return toBuffer(text, { type: 'png', errorCorrectionLevel: level, margin: QUIET_ZONE, scale: PNG_SCALE });
}

/** The QR code as a standalone SVG document whose viewBox counts modules (scale it freely). */
export function qrSvg(text: string, level: QRCodeErrorCorrectionLevel): Promise<string> {
  return toString(text, { type: 'svg', errorCorrectionLevel: level, margin: QUIET_ZONE });
}
