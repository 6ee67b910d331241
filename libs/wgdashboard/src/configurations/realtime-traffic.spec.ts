import { envelope } from '../envelope.js';
import { realtimeTraffic } from './realtime-traffic.js';

const samples = (rx: number, tx: number) => ({ first: { rxBytes: 5_000, txBytes: 7_000 }, second: { rxBytes: 5_000 + rx, txBytes: 7_000 + tx } });

describe('realtimeTraffic', () => {
  it('is int zeros when the interface is absent, as upstream', () => {
    expect(envelope(true, null, realtimeTraffic(null))).toBe('{"data":{"recv":0,"sent":0},"message":null,"status":true}\n');
  });

  it.each([
    [0, 0, '{"recv":0.0,"sent":0.0}'],
    [1024 * 1024, 512, '{"recv":1.0,"sent":0.0}'],
    [1.5 * 1024 * 1024, 1234, '{"recv":1.5,"sent":0.001}'],
    // 524 bytes: 0.000499… MB rounds down, 525 bytes: 0.000500… rounds up (never an exact tie).
    [524, 525, '{"recv":0.0,"sent":0.001}'],
    [123_456_789, 1, '{"recv":117.738,"sent":0.0}'],
  ])('%d and %d bytes in a second are %s MB/s, rounded to 3 as Python does', (rx, tx, data) => {
    expect(envelope(true, null, realtimeTraffic(samples(rx, tx)))).toBe(`{"data":${data},"message":null,"status":true}\n`);
  });
});
