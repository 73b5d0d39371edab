/**
 * Reads the report `npm run mutation` writes (reports/mutation/mutation.json) and prints the score per folder and
 * every survivor; exits 1 when a mutant is scored Survived without a test having run (StrykerJS counts such a run as
 * a survivor, stryker-js #6213: that score is not to be trusted). Usage: node scripts/mutation/summary.ts [report]
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

type Mutant = {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  static?: boolean;
  testsCompleted?: number;
  location: { start: { line: number; column: number } };
};
type Report = { files: Record<string, { mutants: Mutant[] }> };

const path = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const folders = new Map<string, Record<string, number>>();
const survivors: string[] = [];
const untested: string[] = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  const counts = folders.get(dirname(file)) ?? {};
  folders.set(dirname(file), counts);
  for (const mutant of mutants) {
    counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
    const where = `${file}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.mutatorName} → ${JSON.stringify(mutant.replacement ?? '').slice(0, 70)}`;
    if (mutant.status === 'Survived') survivors.push(`${where} (${mutant.testsCompleted ?? 0} tests)`);
    if (mutant.status === 'Survived' && !mutant.testsCompleted) untested.push(where);
  }
}

console.log('folder | score (killed+timeout / killed+timeout+survived+no coverage) | ' + 'killed timeout survived no-coverage ignored errors');
for (const [folder, counts] of [...folders].sort()) {
  const detected = [...DETECTED].reduce((sum, status) => sum + (counts[status] ?? 0), 0);
  const undetected = [...UNDETECTED].reduce((sum, status) => sum + (counts[status] ?? 0), 0);
  const score = detected + undetected === 0 ? 'n/a' : `${((100 * detected) / (detected + undetected)).toFixed(2)}%`;
  const errors = (counts.RuntimeError ?? 0) + (counts.CompileError ?? 0);
  console.log(
    `${folder} | ${score} | ${counts.Killed ?? 0} ${counts.Timeout ?? 0} ${counts.Survived ?? 0} ${counts.NoCoverage ?? 0} ${counts.Ignored ?? 0} ${errors}`,
  );
}
console.log(`\nsurvivors (${survivors.length}):`);
for (const line of survivors) console.log(`  ${line}`);
if (untested.length > 0) {
  console.error(`\n${untested.length} survivor(s) ran no test (stryker-js #6213): not a measurement, re-run them:`);
  for (const line of untested) console.error(`  ${line}`);
  process.exitCode = 1;
}
