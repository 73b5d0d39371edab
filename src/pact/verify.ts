import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, PactVerificationError } from '../errors.ts';
import { jsonError, readBody, sendJson } from '../http/messages.ts';
import type { Io } from '../io.ts';
import { loadPacts, type PactFile, providerStatesOf } from './pact-files.ts';
import { buildReport, formatSummary, stripControlChars, toJUnit, type VerificationReport, type VerifierJson } from './report.ts';
import type { VerifierAnswer, VerifierRequest } from './verifier-child.ts';

/** The `verify` command's options, as commander hands them over. */
export type VerifyOptions = {
  pact?: string;
  providerBaseUrl?: string;
  stateSetupUrl?: string;
  tokenCommand?: string;
  brokerUrl?: string;
  brokerToken?: string;
  consumerVersionSelector?: string[];
  provider?: string;
  publish?: boolean;
  providerVersion?: string;
  providerBranch?: string;
  junit?: string;
  json?: boolean;
};

/** What `verify` will do, once the options are known to make sense together. */
type Plan = {
  provider: string;
  pactFiles: PactFile[];
  providerBaseUrl: string | undefined;
  stateSetupUrl: string | undefined;
  tokenCommand: string | undefined;
  broker: { url: string; token: string | undefined; selectors: Record<string, unknown>[] } | undefined;
  /** Set when `--publish`: the provider version the results are recorded for. */
  publishVersion: string | undefined;
  providerBranch: string | undefined;
  junit: string | undefined;
  json: boolean;
  notes: string[];
};

const DEFAULT_PACTS = 'pacts';
const DEFAULT_PROVIDER = 'auth-service';
/** Pact's recommended selection for a provider's CI: the consumers' main branch and what is deployed or released. */
const DEFAULT_SELECTORS: Record<string, unknown>[] = [{ mainBranch: true }, { deployedOrReleased: true }];
const TOKEN_COMMAND_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL = 64 * 1024;

/**
 * Runs Pact's Verifier against `--provider-base-url` or, without it, against a mock started in-process;
 * prints a summary (and `--json` / `--junit`); throws PactVerificationError when any interaction failed.
 */
export async function runVerify(opts: VerifyOptions, io: Io): Promise<void> {
  const plan = await planVerification(opts);
  const stateErrors = new Map<string, string>();
  const provider = await startProvider(plan, stateErrors);
  let report: VerificationReport;
  try {
    const answer = await runVerifierProcess(
      {
        provider: plan.provider,
        providerBaseUrl: provider.baseUrl,
        ...(provider.statesUrl ? { providerStatesSetupUrl: provider.statesUrl } : {}),
        ...(plan.pactFiles.length ? { pactUrls: plan.pactFiles.map((p) => p.path) } : {}),
        ...(plan.broker
          ? {
              pactBrokerUrl: plan.broker.url,
              consumerVersionSelectors: plan.broker.selectors,
              ...(plan.broker.token ? { pactBrokerToken: plan.broker.token } : {}),
            }
          : {}),
        ...(plan.publishVersion ? { publishVerificationResult: true, providerVersion: plan.publishVersion } : {}),
        ...(plan.providerBranch ? { providerVersionBranch: plan.providerBranch } : {}),
      },
      io.signal,
    );
    const json = answer.ran ? parseVerifierJson(answer.json) : undefined;
    const why = answer.ran ? 'its report is not JSON' : answer.message;
    const context = { provider: plan.provider, target: provider.target, stateErrors, notes: plan.notes };
    report = buildReport(
      json ?? { result: false, errors: [{ interaction: 'Pact verifier', mismatch: { type: 'error', message: `could not run: ${why}` } }] },
      context,
    );
  } finally {
    await provider.close();
  }

  const summary = formatSummary(report, io.color);
  if (plan.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    io.stderr(summary);
  } else {
    io.stdout(summary);
  }
  if (plan.junit) {
    try {
      await mkdir(dirname(resolve(plan.junit)), { recursive: true });
      await writeFile(plan.junit, toJUnit(report));
    } catch (error) {
      throw new ConfigError('--junit', `cannot write --junit ${plan.junit}: ${(error as Error).message}`);
    }
  }
  if (report.result === 'failed') {
    const failed = report.interactions.filter((i) => i.outcome === 'failed').map((i) => `${i.consumer}: "${i.description}"`);
    const what = failed.length ? `${failed.length} of ${report.summary.total} interactions failed: ${failed.join(', ')}` : report.errors.join('; ');
    throw new PactVerificationError(`pact verification of ${report.provider} failed: ${what}`);
  }
}

/** The provider to verify: the real one (states via its endpoint or the token command), or a mock started here. */
async function startProvider(
  plan: Plan,
  stateErrors: Map<string, string>,
): Promise<{ baseUrl: string; statesUrl: string | undefined; target: string; close: () => Promise<void> }> {
  if (plan.providerBaseUrl === undefined) {
    const { startMock } = await import('../mock.ts');
    const mock = await startMock({ port: 0, log: 'off' });
    return {
      baseUrl: mock.url,
      statesUrl: `${mock.url}/__mock/provider-states`,
      target: `worth-auth-mock (started in-process at ${mock.url})`,
      close: () => mock.close(),
    };
  }
  if (plan.tokenCommand !== undefined) {
    const states = await serveTokenCommand(plan.tokenCommand, stateErrors);
    return { baseUrl: plan.providerBaseUrl, statesUrl: states.url, target: plan.providerBaseUrl, close: states.close };
  }
  return { baseUrl: plan.providerBaseUrl, statesUrl: plan.stateSetupUrl, target: plan.providerBaseUrl, close: async () => {} };
}

/** Checks the options against each other and reads the local pacts; every mistake is a ConfigError naming the flags. */
async function planVerification(opts: VerifyOptions): Promise<Plan> {
  const provider = opts.provider ?? DEFAULT_PROVIDER;
  const providerBaseUrl = httpUrl('--provider-base-url', opts.providerBaseUrl);
  const stateSetupUrl = httpUrl('--state-setup-url', opts.stateSetupUrl);
  const tokenCommand = opts.tokenCommand;
  if (tokenCommand !== undefined && tokenCommand.trim() === '') throw new ConfigError('--token-command', '--token-command needs a command that prints a token');
  if (stateSetupUrl && tokenCommand !== undefined) {
    throw new ConfigError(
      '--token-command',
      '--state-setup-url and --token-command cannot be used together: give the state endpoint if the provider has one, else the token command',
    );
  }
  if (!providerBaseUrl && (stateSetupUrl || tokenCommand !== undefined)) {
    const flag = stateSetupUrl ? '--state-setup-url' : '--token-command';
    throw new ConfigError(
      flag,
      `${flag} sets states up on a real provider and needs --provider-base-url; without it verify starts the mock and uses its own state endpoint`,
    );
  }

  const brokerUrl = httpUrl('--broker-url', opts.brokerUrl);
  const selectors = (opts.consumerVersionSelector ?? []).map(parseSelector);
  if (selectors.length > 0 && !brokerUrl)
    throw new ConfigError('--consumer-version-selector', '--consumer-version-selector selects pacts on a broker: give --broker-url too');
  if (opts.publish) {
    if (!brokerUrl) throw new ConfigError('--publish', '--publish sends results to a Pact Broker: give --broker-url');
    if (!providerBaseUrl)
      throw new ConfigError(
        '--publish',
        '--publish records results of the real provider: give --provider-base-url (results against the mock prove nothing about a provider version)',
      );
    if (!opts.providerVersion) throw new ConfigError('--provider-version', '--publish needs --provider-version (e.g. the git SHA of the provider under test)');
  }

  const notes: string[] = [];
  let pactFiles: PactFile[] = [];
  if (!brokerUrl || opts.pact !== undefined) {
    const path = opts.pact ?? DEFAULT_PACTS;
    const all = await loadPacts(path);
    pactFiles = all.filter((p) => p.provider === provider);
    const others = all.filter((p) => p.provider !== provider);
    if (pactFiles.length === 0) {
      const found = [...new Set(all.map((p) => p.provider))].join(', ');
      throw new ConfigError('--provider', `--pact ${path} holds no pact with provider "${provider}" (found: ${found}); pick one with --provider`);
    }
    if (others.length) notes.push(`skipped ${others.length} pact file(s) for other providers: ${others.map((p) => p.path).join(', ')}`);
  }

  if (providerBaseUrl && !stateSetupUrl && tokenCommand === undefined) {
    const states = providerStatesOf(pactFiles);
    if (states.length > 0) {
      throw new ConfigError(
        '--state-setup-url',
        `the pacts name provider states (${states.map((s) => JSON.stringify(s)).join(', ')}): give --state-setup-url URL (the provider's Pact state-change endpoint) or --token-command CMD (prints a token for the state in $PACT_STATE)`,
      );
    }
    if (brokerUrl) notes.push('no --state-setup-url or --token-command: interactions from the broker that name provider states will fail');
  }

  return {
    provider,
    pactFiles,
    providerBaseUrl,
    stateSetupUrl,
    tokenCommand,
    broker: brokerUrl ? { url: brokerUrl, token: opts.brokerToken || undefined, selectors: selectors.length ? selectors : DEFAULT_SELECTORS } : undefined,
    publishVersion: opts.publish ? opts.providerVersion : undefined,
    providerBranch: opts.providerBranch,
    junit: opts.junit,
    json: opts.json === true,
    notes,
  };
}

/** The flag's URL, checked to be http(s); unset or empty (an empty env var) is undefined. */
function httpUrl(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(flag, `${flag} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(flag, `${flag} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value;
}

function parseSelector(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('--consumer-version-selector', `--consumer-version-selector must be a JSON object, e.g. '{"mainBranch":true}', got ${text}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('--consumer-version-selector', `--consumer-version-selector must be a JSON object, e.g. '{"deployedOrReleased":true}', got ${text}`);
  }
  return parsed as Record<string, unknown>;
}

function parseVerifierJson(text: string): VerifierJson | undefined {
  try {
    const parsed = JSON.parse(text) as VerifierJson;
    return typeof parsed?.result === 'boolean' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Runs verifier-child.ts in a child process and resolves its answer; Pact's own output is kept for when it crashes. */
function runVerifierProcess(request: VerifierRequest, signal: AbortSignal): Promise<VerifierAnswer> {
  const here = fileURLToPath(import.meta.url);
  // Beside this file: verifier-child.ts from source, verifier-child.js in the built package.
  const entry = new URL(`./verifier-child${extname(here)}`, import.meta.url).href;
  const child: ChildProcess = spawn(process.execPath, ['-e', `import(${JSON.stringify(entry)}).then((m) => m.serveVerification())`], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, PACT_DO_NOT_TRACK: process.env.PACT_DO_NOT_TRACK ?? 'true' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = tail(output, chunk);
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

/**
 * A loopback Pact state-change endpoint that runs `--token-command` with `PACT_STATE` set and answers
 * `{ token }` from its trimmed stdout; a failing command answers 400, so Pact reports the state as not set up.
 */
async function serveTokenCommand(command: string, errors: Map<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    answerStateChange(req, res, command, errors).catch((error: unknown) => sendJson(res, 400, { message: (error as Error).message }));
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ready());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function answerStateChange(req: IncomingMessage, res: ServerResponse, command: string, errors: Map<string, string>): Promise<void> {
  const read = await readBody(req, 64 * 1024, 10_000);
  if (!read.ok) return sendJson(res, 413, { message: read.error });
  const text = read.body.toString('utf8');
  let change: { state?: string; params?: unknown; action?: string };
  try {
    change = text.trim() ? JSON.parse(text) : {};
  } catch (error) {
    return sendJson(res, 400, { message: jsonError(error) });
  }
  const { state, params, action } = change;
  if (!state || action === 'teardown') return sendJson(res, 200, {});
  try {
    const token = await runTokenCommand(command, state, params);
    sendJson(res, 200, token === '' ? {} : { token });
  } catch (error) {
    const message = (error as Error).message;
    errors.set(state, message);
    // 4xx: Pact retries a 5xx state change for minutes, and a failed command will not succeed on retry.
    sendJson(res, 400, { message });
  }
}

/** Runs the token command for one state; resolves its trimmed stdout (empty: the state needs no token). */
function runTokenCommand(command: string, state: string, params: unknown): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TOKEN_COMMAND_TIMEOUT_MS,
      env: { ...process.env, PACT_STATE: state, PACT_STATE_PARAMS: JSON.stringify(params ?? {}) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = tail(stdout, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = tail(stderr, chunk);
    });
    child.once('error', (error) => fail(new Error(`token command could not start: ${error.message}`)));
    child.once('close', (code, signal) => {
      const why = stripControlChars(stderr).split('\n').slice(-3).join(' ').slice(0, 300);
      if (signal)
        return fail(new Error(`token command was stopped by ${signal}${signal === 'SIGTERM' ? ` (over ${TOKEN_COMMAND_TIMEOUT_MS / 1000} s?)` : ''}`));
      if (code !== 0) return fail(new Error(`token command exited ${code}${why ? `: ${why}` : ''}`));
      const token = stdout.trim();
      if (/\s/.test(token)) return fail(new Error('token command printed more than a token (print only the token, on one line)'));
      done(token);
    });
  });
}

/** Output is kept bounded: only its last OUTPUT_TAIL characters matter for saying what went wrong. */
function tail(kept: string, chunk: Buffer): string {
  return (kept + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
}
