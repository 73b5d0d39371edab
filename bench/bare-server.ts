// The ceiling: a bare node:http server that answers every request with the mock's fixed 200.
// Run as a child: `node bench/bare-server.ts <port> <body>`; SIGTERM stops it.
import { createServer } from 'node:http';

const [portArg, bodyArg = '{}'] = process.argv.slice(2);
// Text, as the mock's bodies are: node:http then sends head and body in one write (a Buffer takes a second chunk).
const body = bodyArg;
const headers = ['content-type', 'application/json', 'cache-control', 'no-store', 'content-length', String(Buffer.byteLength(body))];

// Node dumps an unread request body itself once the answer ends, so the handler does nothing else.
const server = createServer({ keepAliveTimeout: 5_000, noDelay: true }, (_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(Number(portArg), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
