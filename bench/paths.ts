// The measured paths: what each sends, where, and what it needs minted first. Each concern has its module (logout,
// signing, users and passwords, the gate of a mounted document); this one builds any of them by name.
import type { PathContext } from './path-kit.ts';
import type { PathName, PathSetup } from './path-types.ts';
import { gatePath } from './paths-gate.ts';
import { logoutPath } from './paths-logout.ts';
import { signingPath } from './paths-signing.ts';
import { userPath } from './paths-users.ts';

/** Builds a path: starts its mock through the context's starter, mints what it needs. */
export function setupPath(name: PathName, context: PathContext): Promise<PathSetup> {
  switch (name) {
    case 'no-token':
    case 'pooled':
    case 'fresh':
    case 'verify':
    case 'fault':
      return logoutPath(name, context);
    case 'sign-in':
    case 'refresh':
    case 'accept-invitation':
      return signingPath(name, context);
    case 'gate':
    case 'gate-no-token':
      return gatePath(name, context);
    default:
      return userPath(name, context);
  }
}
