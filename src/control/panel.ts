import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Contract, OPERATION } from '../contract/spec.ts';
import { NETWORK_FAULTS, type NetworkFault } from '../faults/fault.ts';
import { TOKEN_KINDS, type TokenKind } from '../tokens/issuer.ts';

/** What the panel page is built from: the contract and where the operation is served. */
export type PanelContext = {
  contract: Contract;
  basePath: string;
  /** True when control calls need `X-Mock-Admin-Token` (the page then asks for it up front). */
  adminRequired?: boolean;
};

/** The data the page reads from its `<script type="application/json" id="panel-data">` block. */
type PanelData = {
  operation: { method: string; path: string };
  statuses: { status: number; description: string }[];
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
 * The page is three files: `panel.html` (markup), `panel.css` and `panel.browser.js` (linted and type-checked on
 * their own; not `panel.js`, which is this module once compiled into dist/). They are put together once,
 * inlined so the page stays one request under a nonce-only CSP.
 */
const FILES = { html: 'panel.html', style: 'panel.css', script: 'panel.browser.js' } as const;
/** Where the template takes the style and script (once) and the nonce and data (per request). */
const SLOTS = /__PANEL_(STYLE|SCRIPT|NONCE|DATA)__/g;

type Slot = 'nonce' | 'data';
/** The page cut at its per-request slots: text, then a slot, then text, … */
type Pieces = (string | { slot: Slot })[];
let pieces: Promise<Pieces> | undefined;

/** Serves the QA panel: the static page with the spec's statuses, fault kinds and token kinds injected. */
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

/** The page's data, from the contract and the product's own lists. */
function panelData(context: PanelContext): PanelData {
  const { contract, basePath } = context;
  return {
    operation: { method: OPERATION.method.toUpperCase(), path: `${basePath}${contract.operationPath}` },
    statuses: contract.statuses.map((status) => ({ status, description: contract.descriptions.get(status) ?? String(status) })),
    networkFaults: NETWORK_FAULTS.map((name) => ({ name, hint: NETWORK_HINTS[name] ?? '' })),
    tokenKinds: TOKEN_KINDS.map((name) => ({ name, hint: KIND_HINTS[name] ?? '' })),
    adminRequired: context.adminRequired ?? false,
  };
}

/**
 * Reads the three files and inlines the style and script. Only the template is searched for slots, so
 * nothing in the CSS or script is ever taken for one; they must not be able to end the element they sit in.
 */
async function loadPage(): Promise<Pieces> {
  const read = (name: string) => readFile(new URL(`./${name}`, import.meta.url), 'utf8');
  const [html, style, script] = await Promise.all([read(FILES.html), read(FILES.style), read(FILES.script)]);
  if (/<\/style/i.test(style)) throw new Error(`${FILES.style} contains "</style": it cannot be inlined`);
  if (/<\/script|<!--/i.test(script)) throw new Error(`${FILES.script} contains "</script" or "<!--": it cannot be inlined`);
  const out: Pieces = [];
  // split() with a capturing group: slot names sit at the odd indexes, between the template's text.
  for (const [index, part] of html.split(SLOTS).entries()) {
    if (index % 2 === 0) out.push(part);
    else if (part === 'STYLE') out.push(style);
    else if (part === 'SCRIPT') out.push(script);
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
