import { type ChildProcess, spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PactVerificationError } from '../errors.ts';
import { keepTail } from './output-tail.ts';
import { stripControlChars, type VerifierJson } from './report.ts';
import type { VerifierAnswer, VerifierRequest } from './verifier-child.ts';

/**
 * Runs verifier-child.ts in a child process and resolves its answer; Pact's own output is kept for when it crashes.
 * Throws PactVerificationError when `signal` aborts, the child cannot start, or it exits before answering.
 */
export function runVerifierProcess(request: VerifierRequest, signal: AbortSignal): Promise<VerifierAnswer> {
  const here = fileURLToPath(import.meta.url);
  // Beside this file: verifier-child.ts from source, verifier-child.js in the built package.
  const entry = new URL(`./verifier-child${extname(here)}`, import.meta.url).href;
  const child: ChildProcess = spawn(process.execPath, ['-e', `import(${JSON.stringify(entry)}).then((m) => m.serveVerification())`], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, PACT_DO_NOT_TRACK: process.env.PACT_DO_NOT_TRACK ?? 'true' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = keepTail(output, chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise<VerifierAnswer>((resolvePromise, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      child.kill();
      settle(() => reject(new PactVerificationError('pact verification interrupted')));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('message', (answer: VerifierAnswer) => settle(() => resolvePromise(answer)));
    child.once('error', (error) => settle(() => reject(new PactVerificationError(`cannot start the Pact verifier: ${error.message}`))));
    child.once('exit', (code, killedBy) => {
      const last = stripControlChars(output).split('\n').slice(-20).join('\n');
      settle(() =>
        reject(new PactVerificationError(`the Pact verifier stopped (${killedBy ?? `exit ${code}`}) before it reported${last ? `:\n${last}` : ''}`)),
      );
    });
    child.send(request);
  }).finally(() => {
    // It disconnects after answering; make sure nothing of it outlives the command.
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
}

/** The verifier's JSON from the child's answer; a verifier that did not run, or answered no JSON report, reads as one failed error. */
export function verifierJsonOf(answer: VerifierAnswer): VerifierJson {
  const json = answer.ran ? parseVerifierJson(answer.json) : undefined;
  const why = answer.ran ? 'its report is not JSON' : answer.message;
  return json ?? { result: false, errors: [{ interaction: 'Pact verifier', mismatch: { type: 'error', message: `could not run: ${why}` } }] };
}

function parseVerifierJson(text: string): VerifierJson | undefined {
  try {
    const parsed = JSON.parse(text) as VerifierJson;
    return typeof parsed?.result === 'boolean' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
