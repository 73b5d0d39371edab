/**
 * The password policy the Accept Invitation page's 400 states, each rule with its message as the page words it: at
 * least 8 characters, one lower-case letter, one upper-case letter, one symbol. Reset Password holds passwords to the
 * same rules. The operator's tools (`--users`, `users add`, `POST /__mock/users`) do not: a test may need any password.
 */
const RULES: readonly (readonly [(password: string) => boolean, string])[] = [
  [(p) => [...p].length >= 8, 'password should be at least 8 characters long'],
  [(p) => /\p{Ll}/u.test(p), 'password should contain at least 1 lower-cased letter'],
  [(p) => /\p{Lu}/u.test(p), 'password should contain at least 1 upper-cased letter'],
  [(p) => /[^\p{L}\p{N}\s]/u.test(p), 'password should contain at least 1 symbol'],
];

/** Every rule `password` fails, joined with ", " as the page's 400 joins them; undefined when it passes all. */
export function passwordPolicyProblem(password: string): string | undefined {
  const failed = RULES.filter(([passes]) => !passes(password)).map(([, message]) => message);
  return failed.length === 0 ? undefined : failed.join(', ');
}
