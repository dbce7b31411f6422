import { MAX_COALESCED_CAUSES, mergeCauses } from './coalesced-causes';

describe('mergeCauses', () => {
  it('appends new causes, oldest first, each once', () => {
    expect(mergeCauses(['e1', 'e2'], ['e2', 'e3', 'e3'])).toEqual(['e1', 'e2', 'e3']);
  });
  it('keeps the newest MAX_COALESCED_CAUSES', () => {
    const ids = Array.from({ length: MAX_COALESCED_CAUSES }, (_, i) => `e${i}`);
    const merged = mergeCauses(ids, ['last']);
    expect(merged).toHaveLength(MAX_COALESCED_CAUSES);
    expect(merged[0]).toBe('e1');
    expect(merged.at(-1)).toBe('last');
  });
});
