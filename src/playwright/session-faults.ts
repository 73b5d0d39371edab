import { InputError, RemoteError } from '../errors.ts';
import type { Fault, FaultInput, FaultMatch } from '../faults/fault.ts';
import type { ArmedFault } from '../faults/scope-warnings.ts';
import type { MockApi } from './mock-api.ts';

/** A fault as a test arms it: any `FaultInput`, its `match.session` filled in with the test's own session. */
export type TestFaultInput = Omit<FaultInput, 'match'> & { match?: Omit<FaultMatch, 'session'> & { session?: string } };

/** Faults scoped to one test's session: requests of other tests never see them. */
export type SessionFaults = {
  /**
   * Arms a fault (`POST /__mock/faults`) with `match.session` set to this test's session; resolves it as armed (its
   * `id`, and `warnings` when its scope matches nothing known). Throws InputError when `match.session` names another
   * session, RemoteError (`status` 400, the bad field in the message) when the mock refuses the fault.
   */
  arm(fault: TestFaultInput): Promise<ArmedFault>;
  /** This test's armed faults, oldest first (the newest fires first where several match). */
  list(): Promise<Fault[]>;
  /** Clears this test's faults now (they are cleared when the test ends anyway); resolves how many were cleared. */
  clear(): Promise<number>;
};

/** The faults of client session `session` on the mock `api`. */
export function createSessionFaults(api: MockApi, session: string): SessionFaults {
  const faults: SessionFaults = {
    async arm(fault) {
      if (fault.match?.session !== undefined && fault.match.session !== session) {
        throw new InputError('match.session', `faults.arm() scopes every fault to this test's session "${session}", not "${fault.match.session}"`);
      }
      return api.control<ArmedFault>('POST', '/__mock/faults', { ...fault, match: { ...fault.match, session } });
    },
    async list() {
      const { faults: all } = await api.control<{ faults: Fault[] }>('GET', '/__mock/faults');
      return all.filter((f) => f.match.session === session);
    },
    async clear() {
      let cleared = 0;
      for (const fault of await faults.list()) {
        try {
          await api.control('DELETE', `/__mock/faults/${encodeURIComponent(fault.id)}`);
          cleared++;
        } catch (error) {
          // Spent or expired between the listing and the delete: gone either way.
          if (!(error instanceof RemoteError && error.status === 404)) throw error;
        }
      }
      return cleared;
    },
  };
  return faults;
}
