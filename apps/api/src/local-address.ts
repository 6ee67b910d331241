import { createSocket } from 'node:dgram';

/**
 * This machine's address towards the internet, as upstream WGDashboard finds its `remote_endpoint`:
 * the source address of a UDP socket connected to 1.1.1.1:80. Connecting a UDP socket only picks a
 * route; no packet is sent. 127.0.0.1 when there is no route at all.
 */
export function outboundIpv4(): Promise<string> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (address: string) => {
      socket.close();
      resolve(address);
    };
    socket.once('error', () => done('127.0.0.1'));
    socket.connect(80, '1.1.1.1', () => {
      try {
        done(socket.address().address);
      } catch {
        done('127.0.0.1');
      }
    });
  });
}
