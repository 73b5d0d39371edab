// `npm run build` step: parses the bundled spec once and writes dist/spec.json, which the built mock uses instead
// of loading a YAML parser at every start (src/spec.ts checks the digest, so an edited spec is parsed afresh).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SPEC_PATH, type ParsedSpec, parseSpec, specDigest } from '../src/contract/document.ts';

const outDir = process.argv[2] ?? 'dist';
const text = await readFile(DEFAULT_SPEC_PATH, 'utf8');
const parsed: ParsedSpec = { digest: specDigest(text), document: await parseSpec(text, DEFAULT_SPEC_PATH) };
await writeFile(join(outDir, 'spec.json'), `${JSON.stringify(parsed)}\n`);
