// Child process (run with --expose-gc): heap bytes per live revocation in the mock's MemoryStore.
// Revokes N distinct sign-ins keyed as logout.ts keys them (`sid:${claims.origin_jti}`), all live, and prints
// one JSON line. The sign-in id comes in two shapes, and V8 stores them differently, so both are measured:
// `minted` — claims the mock made itself (origin_jti from crypto.randomUUID(), as tokens.ts does);
// `verified` — claims jwtVerify parsed from a token's payload (origin_jti from JSON.parse).
import { randomUUID } from 'node:crypto';
import { MemoryStore } from '../src/state/memory-store.ts';

const n = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function heap(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

async function cost(sidOf: (i: number) => string): Promise<number> {
  const store = new MemoryStore({ journalSize: 0 });
  const now = Date.now();
  const before = heap();
  for (let i = 0; i < n; i++) {
    // untilMs as logout.ts computes it: a millisecond time, so each revocation's own number.
    await store.revoke(`sid:${sidOf(i)}`, now + 3_600_000 + (i % 1000), now);
  }
  const after = heap();
  if (store.revocationCount !== n) throw new Error(`expected ${n} live revocations, the store holds ${store.revocationCount}`);
  await store.close();
  return (after - before) / n;
}

const minted = await cost(() => randomUUID());
const verified = await cost(() => (JSON.parse(`{"origin_jti":"${randomUUID()}"}`) as { origin_jti: string }).origin_jti);
process.stdout.write(`${JSON.stringify({ live: n, minted, verified, bytesPerRevocation: Math.max(minted, verified) })}\n`);
