import { finishRotation, notStoredReason, startRotation } from './rotation';

describe('startRotation', () => {
  it('puts the fresh secret first and keeps the current one', () => {
    expect(startRotation(['current'], 'fresh')).toEqual(['fresh', 'current']);
  });
  it('drops the oldest secret of a rotation already under way', () => {
    expect(startRotation(['current', 'older'], 'fresh')).toEqual(['fresh', 'current']);
  });
  it('gives a tenant verified by token alone its first secret', () => {
    expect(startRotation([], 'fresh')).toEqual(['fresh']);
  });
});

describe('finishRotation', () => {
  it('keeps the current secret alone', () => {
    expect(finishRotation(['new', 'old'])).toEqual(['new']);
  });
  it('has nothing to finish with one secret', () => {
    expect(finishRotation(['only'])).toBeUndefined();
  });
});

describe('notStoredReason', () => {
  it('names the environment and the file, and a stored copy they shadow', () => {
    expect(notStoredReason('Cust1', 'environment', [], undefined)).toBe(
      'tenant Cust1 is defined by the environment (SO_CONTEXT_IDENTIFIER, WEBHOOK_SECRET, SO_REFRESH_TOKEN, …): change those variables instead',
    );
    expect(notStoredReason('Cust1', 'file', ['store'], '/etc/so/tenants.yaml')).toBe(
      'tenant Cust1 is defined in TENANTS_FILE /etc/so/tenants.yaml: edit that file instead; its stored copy is ignored meanwhile',
    );
  });
  it('lets a stored tenant be changed', () => {
    expect(notStoredReason('Cust1', 'store', [], undefined)).toBeUndefined();
    expect(notStoredReason('Cust1', undefined, [], undefined)).toBeUndefined();
  });
});
