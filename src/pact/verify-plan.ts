import { ConfigError, shown } from '../errors.ts';
import { loadPacts, type PactFile, type PactInteraction, pactSource, providerStatesOf } from './pact-files.ts';

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
  /** The whole verification's limit, in seconds (default 60); a string as argv gives it (checked here, so a bad value still gets both reports). */
  timeout?: number | string;
  /** Only interactions whose description matches this regular expression. */
  interaction?: string;
  /** Only interactions with a provider state matching this regular expression (`''`: those with none). */
  state?: string;
};

/** One interaction to verify, with the pact it comes from. */
export type Selected = { readonly pact: PactFile; readonly interaction: PactInteraction };

/** What `verify` will do, once the options are known to make sense together. */
export type Plan = {
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
  /** The whole verification's limit, in milliseconds. */
  timeoutMs: number;
  /** The local pacts' interactions to verify, filters applied, in pact order (empty with only a broker: Pact finds them). */
  selected: Selected[];
  /** `--interaction` / `--state` as given: passed to Pact's own filters when the pacts come from a broker. */
  filters: { description?: string; state?: string };
};

/** The whole verification's default limit, in seconds: a provider that is down gives its verdict well inside it. */
export const DEFAULT_TIMEOUT_S = 60;
const DEFAULT_PROVIDER = 'auth-service';
/** Pact's recommended selection for a provider's CI: the consumers' main branch and what is deployed or released. */
const DEFAULT_SELECTORS: Record<string, unknown>[] = [{ mainBranch: true }, { deployedOrReleased: true }];

/**
 * Checks the options against each other and reads the local pacts into a Plan;
 * throws ConfigError naming the flag for every mistake (and for pacts that cannot be read).
 */
export async function planVerification(opts: VerifyOptions): Promise<Plan> {
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

  const timeoutS = timeoutSeconds(opts.timeout);
  const filters = { interaction: regexOf('--interaction', opts.interaction), state: regexOf('--state', opts.state) };
  const notes: string[] = [];
  const pactFiles = !brokerUrl || opts.pact !== undefined ? await localPacts(opts.pact, provider, notes) : [];
  const selected = selectInteractions(pactFiles, filters, opts, notes);

  if (providerBaseUrl && !stateSetupUrl && tokenCommand === undefined) {
    const states = [...new Set(selected.flatMap((s) => s.interaction.providerStates.map((state) => state.name)))];
    if (states.length > 0) {
      throw new ConfigError(
        '--state-setup-url',
        `the pacts name provider states (${states.map((s) => JSON.stringify(s)).join(', ')}): give --state-setup-url URL (the provider's Pact state-change endpoint) or --token-command CMD (prints the values of the state in $PACT_STATE)`,
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
    timeoutMs: timeoutS * 1000,
    selected,
    filters: { ...(opts.interaction !== undefined ? { description: opts.interaction } : {}), ...(opts.state !== undefined ? { state: opts.state } : {}) },
  };
}

/** `--timeout` in seconds (default DEFAULT_TIMEOUT_S); throws ConfigError unless it is a number above 0. */
function timeoutSeconds(timeout: VerifyOptions['timeout']): number {
  const seconds =
    timeout === undefined ? DEFAULT_TIMEOUT_S : typeof timeout === 'number' ? timeout : /^\s*\d+(\.\d+)?\s*$/.test(timeout) ? Number(timeout) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new ConfigError('--timeout', `--timeout must be a number of seconds above 0, got ${shown(timeout)}`);
  return seconds;
}

/** The local pacts (`--pact`, or the committed one) for `provider`; notes what was skipped. Throws ConfigError when none is. */
async function localPacts(pact: string | undefined, provider: string, notes: string[]): Promise<PactFile[]> {
  const source = await pactSource(pact);
  const path = source.path;
  if (source.note) notes.push(source.note);
  const all = await loadPacts(path);
  const pactFiles = all.filter((p) => p.provider === provider);
  const others = all.filter((p) => p.provider !== provider);
  if (pactFiles.length === 0) {
    const found = [...new Set(all.map((p) => p.provider))].join(', ');
    throw new ConfigError('--provider', `--pact ${path} holds no pact with provider "${provider}" (found: ${found}); pick one with --provider`);
  }
  if (others.length) notes.push(`skipped ${others.length} pact file(s) for other providers: ${others.map((p) => p.path).join(', ')}`);
  return pactFiles;
}

/** The interactions `--interaction` and `--state` (compiled: `filters`) keep, in pact order; throws ConfigError naming the flag when they keep none. */
function selectInteractions(
  pactFiles: PactFile[],
  filters: { interaction: RegExp | undefined; state: RegExp | undefined },
  opts: VerifyOptions,
  notes: string[],
): Selected[] {
  const { interaction: interactionFilter, state: stateFilter } = filters;
  const all = pactFiles.flatMap((pact) => pact.interactions.map((interaction) => ({ pact, interaction })));
  const selected = all.filter(
    ({ interaction }) =>
      (!interactionFilter || interactionFilter.test(interaction.description)) &&
      (!stateFilter || (opts.state === '' ? interaction.providerStates.length === 0 : interaction.providerStates.some((s) => stateFilter.test(s.name)))),
  );
  if ((interactionFilter || stateFilter) && all.length > 0) {
    const flag = interactionFilter ? '--interaction' : '--state';
    if (selected.length === 0) {
      const names = interactionFilter ? all.map((s) => s.interaction.description) : providerStatesOf(pactFiles);
      throw new ConfigError(
        flag,
        `${filterText(opts)} matches none of the ${all.length} interactions; they are: ${names.map((n) => JSON.stringify(n)).join(', ')}`,
      );
    }
    notes.push(`verified ${selected.length} of ${all.length} interactions (${filterText(opts)})`);
  }
  return selected;
}

/** A filter flag's regular expression; throws ConfigError naming the flag when it does not compile. */
function regexOf(flag: string, source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new ConfigError(flag, `${flag} must be a regular expression: ${(error as Error).message}`);
  }
}

function filterText(opts: VerifyOptions): string {
  return [
    opts.interaction !== undefined ? `--interaction ${JSON.stringify(opts.interaction)}` : '',
    opts.state !== undefined ? `--state ${JSON.stringify(opts.state)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
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

/** One `--consumer-version-selector`: a JSON object, passed to Pact as it is. */
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
