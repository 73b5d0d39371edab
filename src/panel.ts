import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Contract } from './spec.ts';

/** Serves the QA panel page. */
export function servePanel(_req: IncomingMessage, res: ServerResponse, _context: { contract: Contract; basePath: string }): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'the QA panel is not built yet', errorCode: 'ERR_NOT_FOUND' }));
}
