// One config, three kinds of test (STYLE.md §24): pure unit specs next to the code, integration and
// e2e tests against a real Postgres, and lab tests on real WireGuard in network namespaces.
const swc = ['@swc/jest', require('./jest.swc-options.cjs')];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@wgfleet/(.*)$': '<rootDir>/libs/$1/src/index.ts',
    // Sources import relative files with a .js suffix (NodeNext); Jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

module.exports = {
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    // Hooks start whole apps (Nest, migrations, a pool): Jest's 5 s default is tight on a busy 2-core machine.
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/{integration,e2e}/**/*.{int,e2e}-spec.ts'], testTimeout: 30_000 },
    { ...shared, displayName: 'lab', testMatch: ['<rootDir>/test/lab/**/*.lab-spec.ts'] },
  ],
};
