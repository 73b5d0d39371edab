import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/pact/redact.ts';

describe('createRedactor', () => {
  const jws = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0In0.c2lnbmF0dXJl';
  const jwe = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..Fpe_6J0mgApHQOOH.rkWr78m5AMJN.cXOkdo262AUpebEcBlYaTw';

  it('replaces every JWS and JWE, with or without known secrets', () => {
    const redact = createRedactor([]);
    expect(redact(`Expected '${jws}' to be equal to '${jwe}'`)).toBe("Expected '<token>' to be equal to '<token>'");
  });

  it('replaces the values provider states answered (passwords, opaque tokens) wherever they appear, deep in objects', () => {
    const redact = createRedactor(['s3cr3t-Passw0rd', 'opaque-refresh-1234']);
    expect(redact({ actual: '{"password":"s3cr3t-Passw0rd"}', list: ['x opaque-refresh-1234 y'], n: 3 })).toEqual({
      actual: '{"password":"<provider state value>"}',
      list: ['x <provider state value> y'],
      n: 3,
    });
  });

  it('leaves short values alone: they could be ordinary words', () => {
    expect(createRedactor(['admin'])('an admin token')).toBe('an admin token');
  });
});
