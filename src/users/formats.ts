// The same `email` and `uuid` formats Prism's validator checks the spec with (ajv-formats), so the mock refuses
// exactly what the contract's schemas refuse.
import formats from 'ajv-formats/dist/formats.js';

const { fullFormats } = formats as unknown as { fullFormats: { email: RegExp; uuid: RegExp } };

/** True for an address JSON Schema's `format: email` accepts (ajv-formats' full mode, as Prism validates). */
export function isEmail(value: string): boolean {
  return fullFormats.email.test(value);
}

/** True for a string JSON Schema's `format: uuid` accepts. */
export function isUuid(value: string): boolean {
  return fullFormats.uuid.test(value);
}
