// `npm run build` (and the benchmark's installed copy): dist/ as the package ships it.
// - tsc: the programmatic API and its types (dist/index.js, dist/**/*.d.ts), one module per source file;
// - the QA panel's page, styles and scripts beside their module;
// - the spec parsed once (dist/spec.json: no YAML parser at start);
// - the CLI as one bundle (dist/bundle/cli.js, esbuild) with a chunk per module loaded only when asked (verify, check,
//   the file and Redis stores, the panel, mounting): what the bin runs; verify's child process its own entry beside it. Prism, Pact, ioredis, yaml and Ajv stay
//   packages of their own, loaded only where they are used.
// Usage: node scripts/build.ts [outDir]   (default dist)
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = new URL('..', import.meta.url).pathname;
const out = process.argv[2] ?? join(ROOT, 'dist');

await rm(out, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const panel = join(ROOT, 'src/control/panel');
const assets = (await readdir(panel)).filter((file) => /\.(html|css|js)$/.test(file));
// Beside the compiled panel module, and beside the bundle's chunks (a chunk reads them next to itself).
for (const dir of [join(out, 'control/panel'), join(out, 'bundle')]) {
  await mkdir(dir, { recursive: true });
  for (const file of assets) await cp(join(panel, file), join(dir, file));
}

const spec = spawnSync(process.execPath, [join(ROOT, 'scripts/build-spec.ts'), out], { stdio: 'inherit' });
if (spec.status !== 0) process.exit(spec.status ?? 1);

await build({
  // The Pact Verifier runs in a child process started from a file beside the chunk that starts it.
  entryPoints: { cli: join(ROOT, 'src/cli/bundle.ts'), 'verifier-child': join(ROOT, 'src/pact/verifier-child.ts') },
  outdir: join(out, 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Heavy or optional packages stay out: each loads only in the command or mode that uses it.
  external: ['@stoplight/*', '@pact-foundation/*', 'ioredis', 'yaml', 'ajv', 'ajv-formats', '@playwright/test'],
  // A CommonJS package bundled into ESM may call require() for Node's own modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
