import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 8080,
      DATA_DIR: './.data',
      EMBEDDED_POSTGRES_PORT: 54329,
      LOG_LEVEL: 'info',
      BODY_LIMIT_BYTES: 65536,
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('converts numeric strings and keeps given values', () => {
    const config = loadConfig({ PORT: '9000', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u:p@db:5432/x' });
    expect(config.PORT).toBe(9000);
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.DATABASE_URL).toBe('postgres://u:p@db:5432/x');
  });

  it('evaluates WGDashboard peer jobs every minute unless WGD_JOB_INTERVAL_MS says otherwise', () => {
    expect(loadConfig({}).WGD_JOB_INTERVAL_MS).toBe(60_000);
    expect(loadConfig({ WGD_JOB_INTERVAL_MS: '180000' }).WGD_JOB_INTERVAL_MS).toBe(180_000);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(8080);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '8080.5'],
    ['EMBEDDED_POSTGRES_PORT', '80'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'localhost:6379'],
    ['LOG_LEVEL', 'loud'],
    ['BODY_LIMIT_BYTES', '12'],
    ['DATABASE_POOL_SIZE', '0'],
    ['WGD_JOB_INTERVAL_MS', '999'],
    ['WGD_JOB_INTERVAL_MS', 'soon'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    let thrown: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toHaveLength(1);
    expect((thrown as ConfigError).problems[0]).toContain(name);
    expect((thrown as ConfigError).problems[0]).toContain(JSON.stringify(value));
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });

  describe('METRICS_TOKEN (GET /metrics)', () => {
    it('is unset by default (an open /metrics) and keeps a given token', () => {
      expect(loadConfig({}).METRICS_TOKEN).toBeUndefined();
      const token = 'a'.repeat(16) + '0123456789abcdef+/=';
      expect(loadConfig({ METRICS_TOKEN: token }).METRICS_TOKEN).toBe(token);
    });

    it.each([
      ['too short', 'short-token'],
      ['with a space', 'a-long-enough token value'],
      ['with a quote', 'a-long-enough-token-"value'],
    ])('refuses a token %s, naming the variable but never echoing the value', (_label, value) => {
      let thrown: unknown;
      try {
        loadConfig({ METRICS_TOKEN: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      const [problem] = (thrown as ConfigError).problems;
      expect(problem).toContain('METRICS_TOKEN');
      expect(problem).toContain('value not shown');
      expect(problem).not.toContain(value);
    });
  });

  describe('SMTP (the WGDashboard API e-mail)', () => {
    const smtp = {
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '587',
      SMTP_USERNAME: 'mailer',
      SMTP_PASSWORD: 'hunter2 with spaces',
      SMTP_FROM: 'wgfleet@example.com',
      SMTP_ENCRYPTION: 'STARTTLS',
    };
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };

    it('is off when no SMTP variable is set', () => {
      const config = loadConfig({});
      expect([config.SMTP_HOST, config.SMTP_PORT, config.SMTP_USERNAME, config.SMTP_PASSWORD, config.SMTP_FROM, config.SMTP_ENCRYPTION]).toEqual(
        [undefined, undefined, undefined, undefined, undefined, undefined],
      );
    });

    it('keeps a complete account, the port as a number', () => {
      expect(loadConfig(smtp)).toMatchObject({ ...smtp, SMTP_PORT: 587 });
    });

    it.each(['TLS', 'NONE'])('accepts SMTP_ENCRYPTION=%s', (encryption) => {
      expect(loadConfig({ ...smtp, SMTP_ENCRYPTION: encryption }).SMTP_ENCRYPTION).toBe(encryption);
    });

    it.each([
      ['SMTP_HOST', 'smtp example com'],
      ['SMTP_PORT', '0'],
      ['SMTP_PORT', '65536'],
      ['SMTP_PORT', 'smtp'],
      ['SMTP_USERNAME', 'a\nb'],
      ['SMTP_FROM', 'Mailer <wgfleet@example.com>'],
      ['SMTP_FROM', 'wgfleet'],
      ['SMTP_ENCRYPTION', 'starttls'],
      ['SMTP_ENCRYPTION', 'SSL'],
    ])('refuses %s=%j naming the variable', (name, value) => {
      const problems = problemsOf({ ...smtp, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(name);
      expect(problems[0]).toContain(JSON.stringify(value));
    });

    it('refuses a partial account, naming each missing variable and never echoing the password', () => {
      const problems = problemsOf({ SMTP_HOST: 'smtp.example.com', SMTP_PASSWORD: 'hunter2' });
      expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['SMTP_ENCRYPTION', 'SMTP_FROM', 'SMTP_PORT', 'SMTP_USERNAME']);
      for (const problem of problems) expect(problem).toContain('must be set as well');
      expect(problems.join('\n')).not.toContain('hunter2');
    });
  });
});
