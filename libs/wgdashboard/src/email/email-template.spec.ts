import { pyFloat } from '../python-json.js';
import { asJinjaReadsIt, pythonStr, renderEmailBody, toTemplateData, type EmailTemplateContext } from './email-template.js';

const context: EmailTemplateContext = {
  peer: {
    DNS: '1.1.1.1',
    ShareLink: [],
    allowed_ip: '10.0.20.2/32',
    configuration: { Name: 'wg0', ListenPort: '51829', PublicKey: 'SERVERPUB=', SaveConfig: true, DataUsage: { Total: 0, Sent: 0, Receive: 0 } },
    cumu_data: pyFloat(0),
    total_data: pyFloat(1.5),
    endpoint: 'N/A',
    id: 'PEERPUB=',
    jobs: [],
    keepalive: 21,
    latest_handshake: 'N/A',
    mtu: 1420,
    name: "Donald's Macbook",
    private_key: 'PEERPRIV=',
    status: 'stopped',
  },
  configurationFile: { fileName: 'DonaldsMacbook', file: '[Interface]\nPrivateKey = PEERPRIV=\n' },
};

const rendered = (template: string) => renderEmailBody(template, context);

describe('renderEmailBody', () => {
  it.each([
    ['plain text stays as it is', 'Hello', 'Hello'],
    ['a peer field', 'Hi {{ peer.name }}', "Hi Donald's Macbook"],
    ['the fixture’s template', 'Hi {{ peer.name }} ({{ peer.allowed_ip }}), file {{ configurationFile.fileName }}.conf\n', "Hi Donald's Macbook (10.0.20.2/32), file DonaldsMacbook.conf"],
    ['the configuration inside the peer', '{{ peer.configuration.Name }}:{{ peer.configuration.ListenPort }}', 'wg0:51829'],
    ['the .conf text', '{{ configurationFile.file }}', '[Interface]\nPrivateKey = PEERPRIV=\n'],
    ['subscript syntax', "{{ peer['name'] }}", "Donald's Macbook"],
    ['an int as Python prints it', '{{ peer.mtu }}', '1420'],
    ['a float as Python prints it', '{{ peer.cumu_data }} {{ peer.total_data }}', '0.0 1.5'],
    ['a bool as Python prints it', '{{ peer.configuration.SaveConfig }}', 'True'],
    ['a list as Python prints it', '{{ peer.jobs }}', '[]'],
    ['a dict as Python prints it', '{{ peer.configuration.DataUsage }}', "{'Total': 0, 'Sent': 0, 'Receive': 0}"],
    ['an unknown variable prints nothing', '[{{ peer.nope }}{{ nothing.at.all }}]', '[]'],
    ['if, as in Jinja', '{% if peer.status == "stopped" %}off{% else %}on{% endif %}', 'off'],
    ['for, as in Jinja', '{% for item in peer.ShareLink %}x{% endfor %}done', 'done'],
    ['one trailing newline is dropped (keep_trailing_newline=False)', 'a\n\n', 'a\n'],
    ['CRLF and CR become LF, as Jinja reads them', 'a\r\nb\rc\r\n', 'a\nb\nc'],
  ])('%s', (_label, template, text) => {
    expect(rendered(template)).toEqual({ ok: true, text });
  });

  // Each of these gave code execution, file reads or object internals in upstream's Jinja (notes §4.2).
  // Here each prints nothing, or fails with a message: never code, a prototype, a function or the environment.
  it.each([
    ["{{ peer.constructor.constructor('return process')() }}"],
    ['{{ peer.constructor }}'],
    ['{{ peer.__proto__ }}'],
    ["{{ peer['__proto__'] }}"],
    ["{{ peer['constructor']['constructor'] }}"],
    ['{{ peer.jobs.constructor }}'],
    ['{{ peer.name.constructor }}'],
    ['{{ peer.toString }}'],
    ['{{ peer.hasOwnProperty }}'],
    ['{{ peer.cumu_data.valueOf }}'],
    ["{{ ''.__class__ }}"],
    ["{{ ''.__class__.__mro__[1].__subclasses__() }}"],
    ['{{ self }}'],
    ['{{ self.__init__.__globals__ }}'],
    ['{{ config }}'],
    ['{{ request }}'],
    ['{{ process.env }}'],
    ['{{ global.process }}'],
    ['{{ globalThis }}'],
    ['{{ this }}'],
    ["{{ cycler.__init__.__globals__.os.popen('id').read() }}"],
    ["{{ lipsum.__globals__['os'].popen('id').read() }}"],
    ["{% include '/etc/passwd' %}"],
    ["{% include '../../../../etc/passwd' %}"],
    ["{% render '/etc/passwd' %}"],
    ["{% layout '/etc/passwd' %}"],
    ["{% import 'os' as os %}"],
    ["{% extends '/etc/passwd' %}"],
    ["{{ peer.name | upper }}"],
    ["{{ peer.name | attr('__class__') }}"],
    ["{{ peer.jobs | map: 'constructor' | first }}"],
    ["{{ peer.ShareLink | concat: peer.jobs | map: '__proto__' }}"],
    ["{{ peer.name | split: ' ' | map: 'constructor' }}"],
    ["{% assign c = peer.constructor %}{{ c }}"],
    ['{% for pair in peer.configuration %}{{ pair[1].constructor }}{% endfor %}'],
    ['{% for i in (1..100000000) %}x{% endfor %}'],
    ['{% for i in (1..5000) %}{% for j in (1..5000) %}x{% endfor %}{% endfor %}'],
  ])('%s is harmless', (template) => {
    const result = rendered(template);
    if (result.ok) {
      // Nothing at all, or a list of nothing (a filter that mapped every item to an unreadable property).
      expect(result.text).toMatch(/^(\[(None(, None)*)?\])?$/);
    } else {
      expect(result.message).toEqual(expect.any(String));
      expect(result.message.length).toBeGreaterThan(0);
      expect(result.message).not.toMatch(/root:|uid=/);
    }
  });

  it.each([
    ['an unclosed output', '{{ peer.name', 'not closed'],
    ['an unknown tag', '{% include "x" %}', 'tag "include" not found'],
    ['an unknown filter', '{{ peer.name | upper }}', 'undefined filter: upper'],
    ['an unclosed block', '{% if peer.name %}x', 'not closed'],
    ['a runaway loop', '{% for i in (1..100000000) %}x{% endfor %}', 'limit'],
  ])('fails cleanly on %s', (_label, template, part) => {
    const result = rendered(template);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(part);
  });

  it('reads nothing the caller did not hand in', () => {
    // A class instance, a function, a Date in the data: copied out, so the template never sees them.
    const hostile = { peer: { name: 'n', fn: () => 'called', when: new Date(0), box: new (class Box { secret = 'hidden' })() }, configurationFile: context.configurationFile };
    expect(renderEmailBody('[{{ peer.fn }}][{{ peer.when }}][{{ peer.box.secret }}][{{ peer.name }}]', hostile)).toEqual({ ok: true, text: '[][][][n]' });
  });
});

describe('asJinjaReadsIt', () => {
  it.each([
    ['', ''],
    ['\n', ''],
    ['a', 'a'],
    ['a\n', 'a'],
    ['a\n\n', 'a\n'],
    ['a\r\n', 'a'],
    ['a\rb', 'a\nb'],
  ])('%j reads as %j', (source, read) => {
    expect(asJinjaReadsIt(source)).toBe(read);
  });
});

describe('toTemplateData', () => {
  it('copies into null-prototype objects, floats as Python text', () => {
    const copy = toTemplateData({ a: { b: [pyFloat(2), 3, 'x', null, true] } }) as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(copy)).toBeNull();
    expect(Object.getPrototypeOf(copy.a)).toBeNull();
    expect(copy.a.b).toEqual(['2.0', 3, 'x', null, true]);
  });
});

describe('pythonStr', () => {
  it.each([
    [undefined, ''],
    [null, 'None'],
    [true, 'True'],
    [false, 'False'],
    [0, '0'],
    [0.5, '0.5'],
    ['text', 'text'],
    [['a', "it's", 'say "hi" it\'s'], `['a', "it's", 'say "hi" it\\'s']`],
    [{ k: [1, null] }, "{'k': [1, None]}"],
  ])('%j prints %j', (value, text) => {
    expect(pythonStr(value)).toBe(text);
  });
});
