// How test code is compiled: by Jest (jest.config.js) and by the bench, which loads the lab helpers
// of test/lab (bench/lab-loader.mjs). .swcrc is for the build and excludes spec files.
module.exports = {
  swcrc: false,
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};
