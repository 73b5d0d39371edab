import { relative } from 'node:path';
import { readMountable } from '../contract/document-answers.ts';

/** The path parameter that names the customer on a mounted document, as `start` binds it by default. */
const CUSTOMER_PARAM = 'customerID';

/** A status the gate answers an operation with that its document does not document, and why the gate answers it. */
export type UndocumentedStatus = { readonly status: 401 | 403; readonly why: string };

/** What `check --api` notes of one document to mount: notes, never failures. */
export type ApiNotes = {
  readonly title: string;
  readonly file: string;
  readonly basePath: string;
  /** Each bearer-protected operation the gate answers with a status its document does not document, by name. */
  readonly undocumented: readonly { readonly operation: string; readonly statuses: readonly UndocumentedStatus[] }[];
  /** The examples that fail their own schema (a body generated from the schema is sent instead), as `start` reports them. */
  readonly problems: readonly string[];
};

const UNAUTHORIZED: UndocumentedStatus = Object.freeze({ status: 401, why: 'a missing, invalid, expired or logged-out token' });
const FORBIDDEN: UndocumentedStatus = Object.freeze({ status: 403, why: `another customer's {${CUSTOMER_PARAM}}` });

/**
 * Reads each document as `start --api` mounts it (Prism's mocker makes and checks its answers) and notes what its gate
 * (`verify`, the default) answers with that the document does not document: 401 on every operation whose `security`
 * asks for a bearer and that documents none; 403 where a path parameter `{customerID}` names the customer and the
 * operation documents no 403 (either answers with the Auth Service's shared body, flagged in `X-Mock-Reason`); and the
 * examples that fail their own schema. Throws ConfigError naming `--api` for a document that cannot be read.
 */
export async function checkApis(files: readonly string[]): Promise<ApiNotes[]> {
  const notes: ApiNotes[] = [];
  for (const file of files) {
    const { contract, mounted } = await readMountable(file);
    const undocumented = [...contract.operations.values()]
      .filter((operation) => operation.security.bearer)
      .map((operation) => ({
        operation: operation.id,
        statuses: [
          ...(operation.statuses.includes(401) ? [] : [UNAUTHORIZED]),
          ...(operation.path.includes(`{${CUSTOMER_PARAM}}`) && !operation.statuses.includes(403) ? [FORBIDDEN] : []),
        ],
      }))
      .filter((each) => each.statuses.length > 0);
    notes.push({ title: contract.title, file: displayPath(file), basePath: contract.basePath, undocumented, problems: mounted.problems });
  }
  return notes;
}

/** The notes as `check` prints them, after the pact's verdict: one block per document. */
export function formatApiNotes(notes: readonly ApiNotes[], color: boolean): string {
  const note = (text: string) => (color ? `\x1b[33m${text}\x1b[0m` : text);
  const lines = ['Mounted documents (--api): what the gate (verify) answers that a document does not document, and examples that fail their schema', ''];
  for (const api of notes) {
    lines.push(`  ${api.title} (${api.file}) under ${api.basePath || '/'}`);
    if (api.undocumented.length === 0 && api.problems.length === 0) lines.push('      nothing to note');
    const width = Math.max(0, ...api.undocumented.map((each) => each.operation.length));
    for (const { operation, statuses } of api.undocumented) {
      lines.push(`    ${note('note:')} ${operation.padEnd(width)}  ${statuses.map(({ status, why }) => `${status} (${why})`).join(', ')}`);
    }
    for (const problem of api.problems) lines.push(`    ${note('note:')} ${problem}`);
    lines.push('');
  }
  lines.push('A status not documented is answered with the Auth Service’s shared body; X-Mock-Reason says it is not documented.', '');
  return lines.join('\n');
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
