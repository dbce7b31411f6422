import { zonelessCheck } from './inferred-checks';

describe('zonelessCheck', () => {
  const now = new Date(Date.UTC(2026, 10, 30, 19, 0, 0));
  it('passes a zone-less UpdatedDate that, read as UTC, is now', () => {
    expect(zonelessCheck('2026-11-30T18:59:58', now)).toMatchObject({ status: 'PASS' });
  });
  it('passes a date that carries its zone', () => {
    expect(zonelessCheck('2026-11-30T20:00:00.1234567+01:00', now)).toMatchObject({
      status: 'PASS',
      detail: expect.stringContaining('carries its zone'),
    });
  });
  it('fails a zone-less date an hour off: the tenant writes local time', () => {
    expect(zonelessCheck('2026-11-30T20:00:01', now)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('60 min from now: the tenant writes local time'),
    });
  });
  it('fails a value that is no date', () => {
    expect(zonelessCheck('soon', now).status).toBe('FAIL');
    expect(zonelessCheck(undefined, now).status).toBe('FAIL');
  });
});
