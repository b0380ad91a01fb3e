import { describe, expect, it } from 'vitest';
import { errorFromResponse, HaiApiError, redact, renderDetail } from '../../src/hai/errors';

describe('HaiApiError from a response', () => {
  it('renders a 422 validation list as loc: msg pairs', () => {
    const body = JSON.stringify({
      detail: [
        { type: 'missing', loc: ['body', 'agent'], msg: 'Field required', input: {} },
        { type: 'int_parsing', loc: ['query', 'from_index'], msg: 'Input should be a valid integer' },
      ],
    });
    const err = errorFromResponse('POST /sessions', 422, body);
    expect(err.message).toBe(
      'POST /sessions failed: 422 Unprocessable Entity: body.agent: Field required; query.from_index: Input should be a valid integer',
    );
    expect(err).toMatchObject({ status: 422, code: 'validation', retryable: false, route: 'POST /sessions' });
    expect(err.body).toEqual(JSON.parse(body));
  });

  it('reads the gateway 401 message body', () => {
    const err = errorFromResponse('GET /sessions/{id}', 401, '{"message":"Unauthorized"}');
    expect(err.message).toBe('GET /sessions/{id} failed: 401 Unauthorized: Unauthorized');
    expect(err).toMatchObject({ code: 'unauthorized', retryable: false, detail: 'Unauthorized' });
  });

  it('falls back to the status text for an empty body and to the text for a non-JSON body', () => {
    expect(errorFromResponse('GET /sessions', 503, '').detail).toBe('Service Unavailable');
    expect(errorFromResponse('GET /sessions', 502, '<html>Bad gateway</html>').detail).toBe('<html>Bad gateway</html>');
  });

  it('maps statuses to codes and marks only transient ones retryable', () => {
    const cases: [number, string, boolean][] = [
      [400, 'validation', false],
      [401, 'unauthorized', false],
      [403, 'forbidden', false],
      [404, 'not_found', false],
      [408, 'timeout', true],
      [409, 'conflict', false],
      [413, 'too_large', false],
      [422, 'validation', false],
      [429, 'rate_limited', true],
      [500, 'server', true],
      [503, 'server', true],
      [418, 'other', false],
    ];
    for (const [status, code, retryable] of cases) {
      expect(errorFromResponse('GET /x', status, '{"detail":"x"}'), String(status)).toMatchObject({ code, retryable });
    }
  });

  it('marks the in-flight idempotent create conflict retryable, other conflicts not', () => {
    const inFlight = errorFromResponse(
      'POST /sessions',
      409,
      '{"detail":"Idempotency-Key request in flight; retry shortly"}',
    );
    expect(inFlight).toMatchObject({ code: 'conflict', retryable: true });
    expect(
      errorFromResponse('POST /sessions/{id}/tool_results', 409, '{"detail":"The session already finished"}'),
    ).toMatchObject({ code: 'conflict', retryable: false });
  });

  it('is an Error with a stable name', () => {
    const err = new HaiApiError({
      route: 'GET /x',
      code: 'network',
      detail: 'network error: ECONNRESET',
      retryable: true,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HaiApiError');
    expect(err.status).toBeUndefined();
    expect(err.message).toBe('GET /x failed: network error: ECONNRESET');
  });
});

describe('renderDetail', () => {
  it('prefers detail over message and ignores bodies without either', () => {
    expect(renderDetail({ detail: 'Session not found', message: 'x' })).toBe('Session not found');
    expect(renderDetail({ other: 1 })).toBeUndefined();
    expect(renderDetail(undefined)).toBeUndefined();
  });
});

describe('redact', () => {
  it('removes every occurrence of the key', () => {
    expect(redact('Bearer hk-1 and hk-1', 'hk-1')).toBe('Bearer [redacted] and [redacted]');
    expect(redact('nothing', undefined)).toBe('nothing');
  });
});
