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
});
