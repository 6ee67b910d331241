import { renderDatabaseContent, sqliteQuoteReal, sqliteQuoteText, type SqlPeerRow } from './sqlite-dump.js';
import { wgdFixture } from '../../../../test/support/wgd-fixtures.js';

const row = (overrides: Partial<SqlPeerRow>): SqlPeerRow => ({
  id: 'g/8Ba7PdqCF6duAKur+8WazQVRZM+1GI+82KlUf+dC4=',
  private_key: 'CPgLMGvU1Pe5tWLVNoCA0LitE+cZa75lACaggitzwno=',
  DNS: '1.1.1.1',
  endpoint_allowed_ip: '0.0.0.0/0',
  name: 'café ☕ 😀',
  total_receive: 0,
  total_sent: 0,
  total_data: 0,
  endpoint: 'N/A',
  status: 'stopped',
  latest_handshake: 'N/A',
  allowed_ip: '10.66.7.3/32',
  cumu_receive: 0,
  cumu_sent: 0,
  cumu_data: 0,
  mtu: 1420,
  keepalive: 21,
  remote_endpoint: '172.16.77.1',
  preshared_key: '',
  ...overrides,
});

describe('sqliteQuoteReal (SQLite quote() of a REAL; the 20-digit form exact)', () => {
  it.each([
    [0, '0.0'],
    [1, '1.0'],
    [1.5, '1.5'],
    [0.1, '0.1'],
    [1e-5, '1.0e-05'],
    [0.0001, '0.0001'],
    [1.5e15, '1.5e+15'],
    [123456789012345, '123456789012345.0'],
    [-2.25, '-2.25'],
    [12345 / 2 ** 30, '1.14971771836280822754e-05'],
    [1 / 3, '3.33333333333333314830e-01'],
  ])('%d → %s', (value, text) => {
    expect(sqliteQuoteReal(value)).toBe(text);
  });
});

describe('sqliteQuoteText', () => {
  it('doubles single quotes and keeps everything else as it is', () => {
    expect(sqliteQuoteText("it's\nnew é")).toBe("'it''s\nnew é'");
    expect(sqliteQuoteText('a\0b')).toBe("'a'");
  });
});

describe('renderDatabaseContent', () => {
  it('writes one INSERT line per peer, restricted peers into <Name>_restrict_access after the active ones', () => {
    const text = renderDatabaseContent('wg0', [row({})], [row({ id: 'x', name: "o'brien", mtu: 1400, total_data: 1.5 })]);
    expect(text).toBe(
      `INSERT INTO "wg0" VALUES('g/8Ba7PdqCF6duAKur+8WazQVRZM+1GI+82KlUf+dC4=','CPgLMGvU1Pe5tWLVNoCA0LitE+cZa75lACaggitzwno=','1.1.1.1','0.0.0.0/0','café ☕ 😀',0.0,0.0,0.0,'N/A','stopped','N/A','10.66.7.3/32',0.0,0.0,0.0,1420,21,'172.16.77.1','');\n` +
        `INSERT INTO "wg0_restrict_access" VALUES('x','CPgLMGvU1Pe5tWLVNoCA0LitE+cZa75lACaggitzwno=','1.1.1.1','0.0.0.0/0','o''brien',0.0,0.0,1.5,'N/A','stopped','N/A','10.66.7.3/32',0.0,0.0,0.0,1400,21,'172.16.77.1','');\n`,
    );
  });

  it('is empty without peers', () => {
    expect(renderDatabaseContent('wg0', [], [])).toBe('');
  });

  it('gives the recorded 4.2.5 line for the recorded peer', () => {
    const recorded = JSON.parse(wgdFixture('getAllWireguardConfigurationBackup').body).data.ExistingConfigurations.wg0[0].databaseContent as string;
    const first = recorded.split('\n')[0];
    expect(renderDatabaseContent('wg0', [row({})], [])).toBe(`${first}\n`);
  });
});
