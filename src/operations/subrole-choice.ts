import type { CustomerRecord, SubroleRecord } from '../state/records.ts';
import { objectOf } from './answers.ts';

/**
 * The subrole a create or update body names, among those the customer gives its users (not `owner`): by its `id` when
 * the body gives one, else by its `code`; a `code` or `label` beside the id must agree with it. Resolves the subrole,
 * or why the body's subrole is not one (naming the field).
 */
export function chooseSubrole(customer: CustomerRecord, given: unknown): SubroleRecord | string {
  const wanted = objectOf(given) ?? {};
  const assignable = customer.subroles.filter((subrole) => subrole.assignable);
  const found = typeof wanted.id === 'string' ? assignable.find((s) => s.id === wanted.id) : assignable.find((s) => s.code === wanted.code);
  const offered = assignable.map((subrole) => `${subrole.code} (${subrole.id})`).join(', ');
  if (found === undefined) return `subrole is not one customer ${customer.id} gives its users; it has ${offered}`;
  if (typeof wanted.code === 'string' && wanted.code !== found.code)
    return `subrole.code ${wanted.code} is not the code of subrole ${found.id} (${found.code})`;
  return found;
}
