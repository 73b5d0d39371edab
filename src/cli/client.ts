import { RemoteError } from '../errors.ts';

/** Where the CLI looks for a running mock when neither --url nor WORTH_MOCK_URL says (`start`'s default host and port). */
export const DEFAULT_URL = 'http://127.0.0.1:4010';

/** Talks to a running mock's control API (what the CLI's `token`, `fault`, `requests`, `reset` use). */
export type ControlClient = {
  request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
};

/** Creates a client for the mock at `url` (its root, e.g. `http://127.0.0.1:4010`). */
export function createClient(url: string, adminToken?: string): ControlClient {
  const root = new URL(url);
  root.pathname = '/';
  return {
    async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const target = new URL(path, root);
      let response: Response;
      try {
        response = await fetch(target, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(adminToken ? { 'x-mock-admin-token': adminToken } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        throw new RemoteError(`cannot reach the mock at ${root.origin} (${cause}): start it with \`worth-auth-mock start\`, or point --url at it`, {
          cause: error,
        });
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new RemoteError(`${root.origin} answered ${method} ${path} with ${response.status} and a body that is not JSON: is it worth-auth-mock?`);
      }
      if (!response.ok) {
        const message = (parsed as { message?: string } | undefined)?.message ?? response.statusText;
        throw new RemoteError(`the mock refused ${method} ${path} (${response.status}): ${message}`, { status: response.status });
      }
      return parsed as T;
    },
  };
}
