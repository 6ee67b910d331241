import { PNG } from 'pngjs';
import { renderClientConfig } from '@wgfleet/wireguard';
import { decodeQrPng, decodeQrSvg } from '../../../test/support/qr-decode.js';
import { COMFORTABLE_QR_VERSION, PNG_SCALE, QUIET_ZONE, qrFitOf, qrPng, qrSvg } from './config-qr.js';

const KEY = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';

function config(allowedIps: string[] = ['0.0.0.0/0', '::/0']): string {
  return renderClientConfig({
    privateKey: KEY,
    addresses: ['10.8.0.2/32', 'fd42:66:1::2/128'],
    dns: ['1.1.1.1'],
    mtu: 1420,
    peer: {
      publicKey: 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=',
      presharedKey: 'FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=',
      endpoint: '198.51.100.7:51820',
      allowedIps,
      persistentKeepalive: 25,
    },
  });
}

/** 150 distinct /32 routes: a config of about 2.4 kB. */
const manyRoutes = Array.from({ length: 150 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.1/32`);

describe('qrFitOf', () => {
  it('gives a typical config the strongest level that stays within the comfortable size', () => {
    const text = config();
    expect(text.length).toBeGreaterThan(300);
    const fit = qrFitOf(text);
    expect(fit).toEqual({ fits: true, level: 'M', version: 14 });
  });

  it('gives a short text the strongest level, H', () => {
    expect(qrFitOf('[Interface]\nPrivateKey = x\n')).toEqual({ fits: true, level: 'H', version: expect.any(Number) });
  });

  it('falls back to L, larger than comfortable, for a config with many routes', () => {
    const fit = qrFitOf(config(manyRoutes));
    expect(fit).toEqual({ fits: true, level: 'L', version: expect.any(Number) });
    if (fit.fits) expect(fit.version).toBeGreaterThan(COMFORTABLE_QR_VERSION);
  });

  it('says a text no QR code holds does not fit', () => {
    expect(qrFitOf('x'.repeat(3000))).toEqual({ fits: false });
  });
});

describe('qrPng and qrSvg', () => {
  it('encode the exact config text, read back by another decoder', async () => {
    const text = config();
    const png = await qrPng(text, 'M');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // Version 14 is 73 modules wide; the quiet zone adds 4 on each side.
    const side = 73 + 2 * QUIET_ZONE;
    const image = PNG.sync.read(png);
    expect([image.width, image.height]).toEqual([side * PNG_SCALE, side * PNG_SCALE]);
    expect(decodeQrPng(png)).toBe(text);

    const svg = await qrSvg(text, 'M');
    expect(decodeQrSvg(svg)).toEqual({ side, text });
  }, 30_000); // pngjs encodes and decodes many times slower inside Jest's sandbox than in plain node

  it('encode a config of many routes at L', async () => {
    const text = config(manyRoutes);
    expect(decodeQrSvg(await qrSvg(text, 'L')).text).toBe(text);
  }, 30_000);
});
