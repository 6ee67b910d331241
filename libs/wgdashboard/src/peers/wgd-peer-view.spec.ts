import { envelope } from '../envelope.js';
import { handshakeText, pythonTimedelta, toWgdPeer, type WgdPeerSource } from './wgd-peer-view.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const unseen = { rxRaw: 0, txRaw: 0, rxTotal: 0, txTotal: 0, latestHandshakeAt: null, endpoint: null, seen: false };

const source: WgdPeerSource = {
  publicKey: 'ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=',
  name: 'oracle peer A',
  privateKey: 'uEDTHJ6U1mamCqoFz8J9tSPtdb/c9ULRKr67YoAW+Vs=',
  presharedKey: '',
  allowedIp: '10.66.7.2/32',
  dns: '1.1.1.1',
  endpointAllowedIp: '0.0.0.0/0',
  mtu: 1420,
  keepalive: 21,
  remoteEndpoint: '172.16.77.1',
  restricted: false,
  blocked: false,
  observation: unseen,
  shareLinks: [],
  jobs: [],
};

describe('toWgdPeer (notes §1.8.2)', () => {
  it('gives upstream’s bytes for a peer no poll has seen yet', () => {
    expect(envelope(true, null, toWgdPeer(source, { Name: 'wg0' }, NOW))).toBe(
      '{"data":{"DNS":"1.1.1.1","ShareLink":[],"allowed_ip":"10.66.7.2/32","configuration":{"Name":"wg0"},"cumu_data":0.0,"cumu_receive":0.0,' +
        '"cumu_sent":0.0,"endpoint":"N/A","endpoint_allowed_ip":"0.0.0.0/0","id":"ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=","jobs":[],' +
        '"keepalive":21,"latest_handshake":"N/A","mtu":1420,"name":"oracle peer A","preshared_key":"","private_key":"uEDTHJ6U1mamCqoFz8J9tSPtdb/c9ULRKr67YoAW+Vs=",' +
        '"remote_endpoint":"172.16.77.1","status":"stopped","total_data":0.0,"total_receive":0.0,"total_sent":0.0},"message":null,"status":true}\n',
    );
  });

  it('is running with a fresh handshake, splits traffic into total (now) and cumu (earlier runs), escapes non-ASCII names', () => {
    const observation = { rxRaw: 1024 ** 3, txRaw: 0, rxTotal: 1.5 * 1024 ** 3, txTotal: 0, latestHandshakeAt: new Date(NOW.getTime() - 83_000), endpoint: '198.19.1.2:4000', seen: true };
    const peer = toWgdPeer({ ...source, name: 'café', observation }, {}, NOW);
    expect(peer).toMatchObject({ status: 'running', latest_handshake: '0:01:23', endpoint: '198.19.1.2:4000' });
    const text = envelope(true, null, peer);
    expect(text).toContain('"cumu_receive":0.5,');
    expect(text).toContain('"total_receive":1.0,');
    expect(text).toContain('"name":"caf\\u00e9"');
  });

  it('is stopped when restricted, whatever the last handshake', () => {
    const observation = { ...unseen, seen: true, latestHandshakeAt: new Date(NOW.getTime() - 1000) };
    expect(toWgdPeer({ ...source, restricted: true, observation }, {}, NOW).status).toBe('stopped');
  });

  it('is stopped when its plan blocks it (off the node), whatever the last handshake', () => {
    const observation = { ...unseen, seen: true, latestHandshakeAt: new Date(NOW.getTime() - 1000) };
    expect(toWgdPeer({ ...source, observation }, {}, NOW).status).toBe('running');
    expect(toWgdPeer({ ...source, blocked: true, observation }, {}, NOW).status).toBe('stopped');
  });
});

describe('handshakeText and pythonTimedelta', () => {
  it.each([
    [0, '0:00:00'],
    [83, '0:01:23'],
    [3600 * 26 + 3 * 60 + 4, '1 day, 2:03:04'],
    [86400 * 3 + 5, '3 days, 0:00:05'],
  ])('%d s → %s', (seconds, text) => {
    expect(pythonTimedelta(seconds)).toBe(text);
  });

  it('says N/A before any poll and No Handshake after one without a handshake', () => {
    expect(handshakeText({ seen: false, latestHandshakeAt: null }, NOW)).toBe('N/A');
    expect(handshakeText({ seen: true, latestHandshakeAt: null }, NOW)).toBe('No Handshake');
  });
});
