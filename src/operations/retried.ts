/** How many times a change of one user is read and decided again when another request changed it in between. */
const ATTEMPTS = 5;

/**
 * Runs `attempt` — read a user, decide, store the change with compare-and-set (`putUser(user, version)`) — again while
 * it resolves `undefined` (the user changed between its read and its write, maybe on another replica), so every
 * decision is made on the user as stored: of two requests racing on one user (two accepts of one invitation), the
 * second is decided on what the first did. Throws after 5 attempts (the operation's documented 500).
 */
export async function retried<T>(attempt: () => Promise<T | undefined>): Promise<T> {
  for (let n = 0; n < ATTEMPTS; n++) {
    const result = await attempt();
    if (result !== undefined) return result;
  }
  throw new Error(`the user kept changing under ${ATTEMPTS} attempts`);
}
