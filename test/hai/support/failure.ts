import { expect } from 'vitest';
import { HaiApiError } from '../../../src/hai/errors';

/** Resolves with the rejection of `p`, which must reject with a HaiApiError. */
export async function failure(p: Promise<unknown>): Promise<HaiApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HaiApiError);
  return err as HaiApiError;
}
