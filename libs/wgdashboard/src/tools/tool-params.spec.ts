import { pingParams, tracerouteParams } from './tool-params.js';

const BAD_TARGET = 'Please specify an IP Address (v4/v6) or a host name (letters, digits, dots and hyphens)';

describe('pingParams (notes §2.42)', () => {
  it.each([
    ['nothing', {}, { ok: false, message: 'Please provide ipAddress and count', httpStatus: 200 }],
    ['no count', { ipAddress: '127.0.0.1' }, { ok: false, message: 'Please provide ipAddress and count', httpStatus: 200 }],
    ['no address', { count: '1' }, { ok: false, message: 'Please provide ipAddress and count', httpStatus: 200 }],
    ['empty address', { ipAddress: '', count: '1' }, { ok: false, message: 'Please specify an IP Address (v4/v6)', httpStatus: 200 }],
    ['count not a number', { ipAddress: '127.0.0.1', count: 'x' }, { ok: false, message: 'Please specify an IP Address (v4/v6)', httpStatus: 200 }],
    ['empty count', { ipAddress: '127.0.0.1', count: '' }, { ok: false, message: 'Please specify an IP Address (v4/v6)', httpStatus: 200 }],
    ['negative count', { ipAddress: '127.0.0.1', count: '-1' }, { ok: false, message: 'Please specify an IP Address (v4/v6)', httpStatus: 200 }],
    ['count 0', { ipAddress: '127.0.0.1', count: '0' }, { ok: false, message: 'Please specify a count from 1 to 10', httpStatus: 200 }],
    ['count 11', { ipAddress: '127.0.0.1', count: '11' }, { ok: false, message: 'Please specify a count from 1 to 10', httpStatus: 200 }],
    ['option as address', { ipAddress: '-f', count: '1' }, { ok: false, message: BAD_TARGET, httpStatus: 400 }],
    ['shell in address', { ipAddress: '1.2.3.4;reboot', count: '1' }, { ok: false, message: BAD_TARGET, httpStatus: 400 }],
    ['ok', { ipAddress: '127.0.0.1', count: '3' }, { ok: true, value: { address: '127.0.0.1', count: 3 } }],
    ['leading zeros in count', { ipAddress: '::1', count: '010' }, { ok: true, value: { address: '::1', count: 10 } }],
    ['repeated names: the first value, as Flask', { ipAddress: ['vpn.example.com', '-x'], count: ['2', '99'] }, { ok: true, value: { address: 'vpn.example.com', count: 2 } }],
  ])('%s', (_name, query, expected) => {
    expect(pingParams(query)).toEqual(expected);
  });
});

describe('tracerouteParams (notes §2.43)', () => {
  it.each([
    ['nothing', {}, { ok: false, message: 'Please provide ipAddress', httpStatus: 200 }],
    ['empty', { ipAddress: '' }, { ok: false, message: 'Please provide ipAddress', httpStatus: 200 }],
    ['a space', { ipAddress: 'a b' }, { ok: false, message: BAD_TARGET, httpStatus: 400 }],
    ['ok, canonical', { ipAddress: 'FD42::1' }, { ok: true, value: { address: 'fd42::1' } }],
    ['no query object', undefined, { ok: false, message: 'Please provide ipAddress', httpStatus: 200 }],
  ])('%s', (_name, query, expected) => {
    expect(tracerouteParams(query)).toEqual(expected);
  });
});
