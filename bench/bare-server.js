// The ceiling: a bare node:http server that answers every request with a fixed 200 (the operation's body).
// Run as a child: `node bench/bare-server.js <port> <body>`; SIGTERM stops it. Plain JavaScript, as the installed mock
// is: a .ts file would have Node load its type stripper, ~16 MB of RSS the RSS comparison would count against bare Node.
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
