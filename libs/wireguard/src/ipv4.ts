const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * Dotted-quad text to a 32-bit number, or null. Leading zeros are refused: `010.0.0.1` means 8.0.0.1
 * to inet_aton but 10.0.0.1 to most parsers (the CVE-2021-28918 class of bug). Hand-rolled because
 * the address pool parses tens of thousands of these per allocation.
 */
export function ipv4ToNumber(text: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === DOT) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (char >= ZERO && char <= NINE) {
      if (digits > 0 && octet === 0) return null;
      octet = octet * 10 + (char - ZERO);
      if (octet > 255) return null;
      digits++;
    } else {
      return null;
    }
  }
  if (digits === 0 || dots !== 3) return null;
  return value * 256 + octet;
}

export function numberToIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
