// The bench reuses the test lab (test/lab/*.ts: namespaces, sshd, wireguard-go, cleanup by pid) rather
// than a copy of it: the TypeScript is compiled with the project's own swc into a temp dir at bench time.
// `npm run build` compiles apps/ and libs/ only, and the lab is test code, so it is not in dist/.
import { transformFile } from '@swc/core';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// The same transform the lab gets under Jest.
const SWC_OPTIONS = require('../jest.swc-options.cjs');

/** `@wgfleet/x` → the built lib in dist/, by absolute path (the temp dir has no node_modules). */
function linkLibs(code) {
  return code.replace(/require\("@wgfleet\/([a-z-]+)"\)/g, (_, lib) => `require(${JSON.stringify(join(root, 'dist/libs', lib, 'src/index.js'))})`);
}

/**
 * Compiles test/lab (its helpers, not its specs) and returns the loaded `lab.js` module; Lab.create()
 * then does what it does in the lab tests. Every require is at the top of those files, so the temp
 * dir can go as soon as lab.js is loaded.
 */
export async function loadLab() {
  const source = join(root, 'test/lab');
  const out = await tempDir('wgfleet-bench-lab-');
  try {
    const files = (await readdir(source)).filter((name) => name.endsWith('.ts') && !name.endsWith('-spec.ts') && name !== 'api-lab.ts');
    await mkdir(out.dir, { recursive: true });
    for (const name of files) {
      const { code } = await transformFile(join(source, name), SWC_OPTIONS);
      await writeFile(join(out.dir, name.replace(/\.ts$/, '.js')), linkLibs(code));
    }
    return require(join(out.dir, 'lab.js'));
  } finally {
    await out.remove();
  }
}
