import { createHash } from 'node:crypto';
import { isUuid } from './formats.ts';

/** A name-based UUID (RFC 9562 version 8 layout) from SHA-256 of `name`: the same name gives the same UUID on every run. */
export function derivedUuid(name: string): string {
  const bytes = createHash('sha256').update(`worth-auth-mock:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID for a value that must be one (`customer_details.id`): the value itself when it is one, else derived from it. */
export function uuidFor(value: string): string {
  return isUuid(value) ? value : derivedUuid(`sub:${value}`);
}
