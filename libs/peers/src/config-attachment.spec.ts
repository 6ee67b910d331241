import { confAttachment } from './config-attachment.js';

describe('confAttachment', () => {
  it.each([
    ['web-server', 'attachment; filename="web-server.conf"'],
    ['A_b-9', 'attachment; filename="A_b-9.conf"'],
    ['a"; filename=x.exe', 'attachment; filename="a___filename_x_exe.conf"'],
    ['../../etc/passwd', 'attachment; filename="______etc_passwd.conf"'],
    ['line\r\nX-Evil: 1', 'attachment; filename="line__X-Evil__1.conf"'],
    ['café', 'attachment; filename="caf_.conf"'],
    ['', 'attachment; filename="wireguard.conf"'],
    ['x'.repeat(80), `attachment; filename="${'x'.repeat(50)}.conf"`],
  ])('names %j as %s', (clientName, header) => {
    expect(confAttachment(clientName)).toBe(header);
  });
});
