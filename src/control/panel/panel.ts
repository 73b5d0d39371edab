import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationContract } from '../../contract/contract.ts';
import { DEFAULT_FAULT_OPERATION, type FaultOperation, type FaultScope, NETWORK_FAULTS, type NetworkFault } from '../../faults/fault.ts';
import { TOKEN_KINDS, type TokenKind } from '../../tokens/issuer.ts';

/** One operation the mock serves, as the panel offers it: its name, its contract, the scopes its requests carry, where it is served. */
export type PanelOperationSource = {
  readonly name: string;
  readonly contract: OperationContract;
  readonly scopes: readonly FaultScope[];
  readonly path: string;
};

/** What the panel page is built from: the operations the mock serves and where. */
export type PanelContext = {
  operations: readonly PanelOperationSource[];
  /** The base path the operations are served under (`/auth/api/v1`, or `--base-path`). */
  basePath: string;
  /** True when control calls need `X-Mock-Admin-Token` (the page then asks for it up front). */
  adminRequired?: boolean;
};

/** A status as the page offers it: the code and the spec's description of it. */
type PanelStatus = { status: number; description: string };

/**
 * What a fault can target, as the page's operation selector offers it: one served operation (its method,
 * full path and documented statuses), or `*` (the statuses every served operation documents: what a `*`
 * fault may answer with, see `parseFault`).
 */
type PanelOperation = { name: FaultOperation; summary: string; method: string; path: string; statuses: PanelStatus[]; scopes: readonly FaultScope[] };

/** The data the page reads from its `<script type="application/json" id="panel-data">` block. */
type PanelData = {
  basePath: string;
  /** The served operations, the one a fault targets when it names none first, then `*`. */
  operations: PanelOperation[];
  /** The operation a fault targets when its match names none (`DEFAULT_FAULT_OPERATION`). */
  defaultOperation: string;
  networkFaults: { name: NetworkFault; hint: string }[];
  tokenKinds: { name: TokenKind; hint: string }[];
  adminRequired: boolean;
};

// UI copy only: the lists themselves come from NETWORK_FAULTS and TOKEN_KINDS.
const NETWORK_HINTS: Partial<Record<NetworkFault, string>> = {
  reset: 'destroy the socket',
  empty: 'close without an answer',
  hang: 'hold until disarmed',
  garbage: 'invalid HTTP, then close',
};
const KIND_HINTS: Partial<Record<TokenKind, string>> = {
  valid: 'a customer sign-in',
  expired: 'exp in the past',
  'not-yet-valid': 'nbf in the future',
  'bad-signature': 'one bit of the signature flipped',
  'alg-none': 'unsigned, alg "none"',
  'wrong-issuer': 'iss of another issuer',
  'non-customer': 'custom:role admin',
  'refresh-as-bearer': 'the refresh token as bearer',
};

/**
 * The page's files: `panel.html` (markup), the styles and the browser scripts (linted and type-checked on their
 * own, through `tsconfig.panel.json`; named `*.browser.js`, not `panel.js`, which is this module once compiled
 * into dist/). Each script is a classic script inlined in this order: `panel-kit` declares what the others share,
 * `panel.browser.js` starts the page. They are put together once, inlined so the page stays one request under a
 * nonce-only CSP.
 */
const FILES = {
  html: 'panel.html',
  styles: ['panel.css', 'panel-parts.css'],
  scripts: [
    'panel-kit.browser.js',
    'panel-api.browser.js',
    'panel-faults.browser.js',
    'panel-tokens.browser.js',
    'panel-users.browser.js',
    'panel-outbox.browser.js',
    'panel-clock.browser.js',
    'panel-journal.browser.js',
    'panel.browser.js',
  ],
} as const;
/** Where the template takes the styles and scripts (once) and the nonce and data (per request). */
const SLOTS = /__PANEL_(STYLES|SCRIPTS|NONCE|DATA)__/g;

type Slot = 'nonce' | 'data';
/** The page cut at its per-request slots: text, then a slot, then text, … */
type Pieces = (string | { slot: Slot })[];
let pieces: Promise<Pieces> | undefined;

/** Serves the QA panel: the static page with the spec's operations and statuses, fault kinds and token kinds injected. */
export async function servePanel(_req: IncomingMessage, res: ServerResponse, context: PanelContext): Promise<void> {
  pieces ??= loadPage();
  let parts: Pieces;
  try {
    parts = await pieces;
  } catch (error) {
    pieces = undefined;
    throw error;
  }
  const nonce = randomBytes(16).toString('base64');
  const data = scriptSafeJson(panelData(context));
  const page = Buffer.from(parts.map((part) => (typeof part === 'string' ? part : part.slot === 'nonce' ? nonce : data)).join(''));
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': page.length,
    'cache-control': 'no-store',
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(page);
}

/** The page's data, from the contract (spec: each operation's `responses`) and the product's own lists. */
function panelData(context: PanelContext): PanelData {
  const { basePath } = context;
  const ordered = [...context.operations].sort((a, b) => Number(b.name === DEFAULT_FAULT_OPERATION) - Number(a.name === DEFAULT_FAULT_OPERATION));
  const served: PanelOperation[] = ordered.map(({ name, contract, scopes, path }) => ({
    name,
    summary: contract.summary ?? name,
    method: contract.method.toUpperCase(),
    path,
    statuses: contract.statuses.map((status) => ({ status, description: contract.descriptions.get(status) ?? String(status) })),
    scopes,
  }));
  const everywhere = served[0]?.statuses.filter(({ status }) => served.every((operation) => operation.statuses.some((s) => s.status === status))) ?? [];
  return {
    basePath,
    operations: [
      ...served,
      { name: '*', summary: 'Every operation', method: '', path: `${basePath}/…`, statuses: everywhere, scopes: ['sub', 'sid', 'customer'] },
    ],
    defaultOperation: DEFAULT_FAULT_OPERATION,
    networkFaults: NETWORK_FAULTS.map((name) => ({ name, hint: NETWORK_HINTS[name] ?? '' })),
    tokenKinds: TOKEN_KINDS.map((name) => ({ name, hint: KIND_HINTS[name] ?? '' })),
    adminRequired: context.adminRequired ?? false,
  };
}

/**
 * Reads the files and inlines the styles and scripts, each script in its own `<script>` carrying the nonce. Only
 * the template is searched for slots, so nothing in a style or script is ever taken for one; they must not be able
 * to end the element they sit in.
 */
async function loadPage(): Promise<Pieces> {
  const read = (name: string) => readFile(new URL(`./${name}`, import.meta.url), 'utf8');
  const [html, styles, scripts] = await Promise.all([read(FILES.html), Promise.all(FILES.styles.map(read)), Promise.all(FILES.scripts.map(read))]);
  styles.forEach((style, index) => {
    if (/<\/style/i.test(style)) throw new Error(`${FILES.styles[index]} contains "</style": it cannot be inlined`);
  });
  scripts.forEach((script, index) => {
    if (/<\/script|<!--/i.test(script)) throw new Error(`${FILES.scripts[index]} contains "</script" or "<!--": it cannot be inlined`);
  });
  const out: Pieces = [];
  const elements = (tag: 'style' | 'script', texts: string[]) => {
    texts.forEach((text, index) => {
      out.push(`${index === 0 ? '' : '\n'}<${tag} nonce="`, { slot: 'nonce' }, `">${text}</${tag}>`);
    });
  };
  // split() with a capturing group: slot names sit at the odd indexes, between the template's text.
  for (const [index, part] of html.split(SLOTS).entries()) {
    if (index % 2 === 0) out.push(part);
    else if (part === 'STYLES') elements('style', styles);
    else if (part === 'SCRIPTS') elements('script', scripts);
    else out.push({ slot: part === 'NONCE' ? 'nonce' : 'data' });
  }
  return out;
}

/** JSON that cannot end the `<script>` block it sits in, whatever the spec's descriptions say. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
