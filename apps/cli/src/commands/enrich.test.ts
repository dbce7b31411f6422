import { UsageError } from '../command';
import { enrichTarget } from './enrich';

describe('enrichTarget', () => {
  it('reads a bare id as a contact, --contact and --person as said', () => {
    expect(enrichTarget(['123'], {})).toEqual({ entity: 'contact', recordId: 123 });
    expect(enrichTarget([], { contact: '7' })).toEqual({ entity: 'contact', recordId: 7 });
    expect(enrichTarget([], { person: '45' })).toEqual({ entity: 'person', recordId: 45 });
  });

  it.each([
    [[], {}],
    [['1'], { person: '2' }],
    [[], { contact: '1', person: '2' }],
    [['abc'], {}],
    [['0'], {}],
    [[], { person: '-4' }],
  ])('refuses %j %j', (args, opts) => {
    expect(() => enrichTarget(args, opts)).toThrow(UsageError);
  });
});
