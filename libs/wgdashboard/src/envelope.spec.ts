import { envelope } from './envelope.js';
import { pyFloat } from './python-json.js';

// Expected bodies were printed once by Flask 2.2 (Python 3.11) through a DefaultJSONProvider subclass,
// as WGDashboard's ResponseObject builds them: app.make_response({"status", "message", "data"}).

const configuration = {
  Address: '10.0.20.1/24',
  ConnectedPeers: 0,
  DataUsage: { Receive: 0, Sent: 0, Total: 0 }, // ints: upstream sums an empty peer list
  ListenPort: '51829',
  Name: 'wg98',
  PostDown: '',
  PostUp: '',
  PreDown: '',
  PreUp: '',
  PrivateKey: 'k',
  Protocol: 'wg',
  PublicKey: '',
  SaveConfig: true,
  Status: false,
  Table: '',
  TotalPeers: 0,
};

const peer = {
  DNS: '1.1.1.1',
  ShareLink: [],
  allowed_ip: '10.0.20.2/32',
  cumu_data: pyFloat(0),
  cumu_receive: pyFloat(0),
  cumu_sent: pyFloat(0),
  endpoint: 'N/A',
  endpoint_allowed_ip: '0.0.0.0/0',
  id: 'p',
  jobs: [],
  keepalive: 21,
  latest_handshake: 'N/A',
  mtu: 1420,
  name: 'Pér 😀',
  preshared_key: '',
  private_key: '',
  remote_endpoint: '192.0.2.10',
  status: 'stopped',
  total_data: pyFloat(1.5e-5),
  total_receive: pyFloat(1e-5),
  total_sent: pyFloat(5e-6),
};

describe('envelope', () => {
  it.each<[string, Parameters<typeof envelope>, string]>([
    ['success with nothing', [true, null, null], '{"data":null,"message":null,"status":true}\n'],
    ['a business failure', [false, 'Configuration does not exist', null], '{"data":null,"message":"Configuration does not exist","status":false}\n'],
    ['an int status (email/ready)', [17, null, null], '{"data":null,"message":null,"status":17}\n'],
    ['a bool message (authenticate)', [true, false, null], '{"data":null,"message":false,"status":true}\n'],
    ['a configuration with int DataUsage and an empty message', [true, '', configuration], '{"data":{"Address":"10.0.20.1/24","ConnectedPeers":0,"DataUsage":{"Receive":0,"Sent":0,"Total":0},"ListenPort":"51829","Name":"wg98","PostDown":"","PostUp":"","PreDown":"","PreUp":"","PrivateKey":"k","Protocol":"wg","PublicKey":"","SaveConfig":true,"Status":false,"Table":"","TotalPeers":0},"message":"","status":true}\n'],
    ['a peer with float counters and a non-ASCII name', [true, null, [peer]], '{"data":[{"DNS":"1.1.1.1","ShareLink":[],"allowed_ip":"10.0.20.2/32","cumu_data":0.0,"cumu_receive":0.0,"cumu_sent":0.0,"endpoint":"N/A","endpoint_allowed_ip":"0.0.0.0/0","id":"p","jobs":[],"keepalive":21,"latest_handshake":"N/A","mtu":1420,"name":"P\\u00e9r \\ud83d\\ude00","preshared_key":"","private_key":"","remote_endpoint":"192.0.2.10","status":"stopped","total_data":1.5e-05,"total_receive":1e-05,"total_sent":5e-06}],"message":null,"status":true}\n'],
    ['realtime traffic floats', [true, null, { sent: pyFloat(0), recv: pyFloat(12.346) }], '{"data":{"recv":12.346,"sent":0.0},"message":null,"status":true}\n'],
  ])('%s', (_case, args, expected) => {
    expect(envelope(...args)).toBe(expected);
  });

  it('defaults message and data to null, as ResponseObject does', () => {
    expect(envelope(true)).toBe('{"data":null,"message":null,"status":true}\n');
  });
});
