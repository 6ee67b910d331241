import { AppError } from '@wgfleet/core';
import { generateKeyPair } from '@wgfleet/wireguard';
import { refuseServerOwnKey } from './server-own-key.js';

describe('refuseServerOwnKey', () => {
  const server = { name: 'Amsterdam 1', publicKey: generateKeyPair().publicKey };

  it('takes any other key', () => {
    expect(() => refuseServerOwnKey(server, generateKeyPair().publicKey)).not.toThrow();
  });

  it('refuses the server’s own key with a 409 conflict that says why', () => {
    let thrown: unknown;
    try {
      refuseServerOwnKey(server, server.publicKey);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'conflict', fieldErrors: [{ field: 'public_key', message: "is the server's own public key" }] });
    expect((thrown as AppError).message).toContain("WireGuard ignores a peer with its interface's own key");
  });
});
