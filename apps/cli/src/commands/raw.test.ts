import { splitPathAndQuery } from './raw';

describe('splitPathAndQuery', () => {
  it('keeps OData parameters as given', () => {
    expect(splitPathAndQuery("/v1/Contact?$top=2&$filter=name begins 'A'")).toEqual({
      path: '/v1/Contact',
      query: { $top: '2', $filter: "name begins 'A'" },
    });
    expect(splitPathAndQuery('/v1/Contact/2')).toEqual({ path: '/v1/Contact/2', query: {} });
  });
});
