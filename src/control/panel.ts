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

const TEMPLATE_URL = new URL('./panel.html', import.meta.url);
let template: Promise<string> | undefined;

/** Serves the QA panel: the static page with the spec's statuses, fault kinds and token kinds injected. */
export async function servePanel(_req: IncomingMessage, res: ServerResponse, context: PanelContext): Promise<void> {
  template ??= readFile(TEMPLATE_URL, 'utf8');
  let html: string;
  try {
    html = await template;
  } catch (error) {
    template = undefined;
    throw error;
  }
  const nonce = randomBytes(16).toString('base64');
  const page = Buffer.from(html.replaceAll('__PANEL_NONCE__', () => nonce).replace('__PANEL_DATA__', () => scriptSafeJson(panelData(context))));
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

/** JSON that cannot end the `<script>` block it sits in, whatever the spec's descriptions say. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
