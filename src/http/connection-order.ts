import type { Socket } from 'node:net';

/**
 * Keeps the requests of one connection decided in the order they arrived, so their answers leave in that order
 * (HTTP/1.1 pipelining, RFC 9112 §9.3.2): each connection's latest decision still pending is kept until it settles.
 */
export type ConnectionOrder = {
  /** True when a decision is still pending on this connection (a new request then waits for it through `next`). */
  busy(socket: Socket): boolean;
  /** Runs `decide` once the connection's pending decision has settled (fulfilled or not), or now when none is; it becomes the pending one. */
  next<T>(socket: Socket, decide: () => Promise<T>): Promise<T>;
  /** Makes a decision begun at once (the connection was not busy) the connection's pending one. */
  hold(socket: Socket, decision: Promise<unknown>): void;
  /** Forgets the connection's pending decision once it has settled, unless a later request's decision is pending after it. */
  settled(socket: Socket, decision: Promise<unknown>): void;
};

/** Builds the ordering of every connection of one handler (a WeakMap: a closed connection's entry goes with it). */
export function createConnectionOrder(): ConnectionOrder {
  const pending = new WeakMap<Socket, Promise<unknown>>();
  return {
    busy: (socket) => pending.has(socket),
    next(socket, decide) {
      const before = pending.get(socket);
      const decision = before === undefined ? decide() : before.then(decide, decide);
      pending.set(socket, decision);
      return decision;
    },
    hold(socket, decision) {
      pending.set(socket, decision);
    },
    settled(socket, decision) {
      if (pending.get(socket) === decision) pending.delete(socket);
    },
  };
}
