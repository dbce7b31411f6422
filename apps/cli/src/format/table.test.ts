import { formatTable, truncate } from './table';

describe('formatTable', () => {
  const columns = [
    { header: 'ID', value: (r: { id: number; name: string }) => r.id },
    { header: 'NAME', value: (r: { id: number; name: string }) => r.name, maxWidth: 8 },
  ];

  it('pads every column to its widest cell and leaves no trailing blanks', () => {
    expect(
      formatTable(
        [
          { id: 7, name: 'Acme' },
          { id: 1234, name: 'Nordlys' },
        ],
        columns,
      ),
    ).toBe(['ID    NAME', '7     Acme', '1234  Nordlys'].join('\n'));
  });

  it('cuts long cells and flattens line breaks', () => {
    expect(formatTable([{ id: 1, name: 'a very\nlong name' }], columns)).toBe(
      ['ID  NAME', '1   a very …'].join('\n'),
    );
  });

  it('prints the header alone for no rows', () => {
    expect(formatTable([], columns)).toBe('ID  NAME');
  });
});

describe('truncate', () => {
  it('counts code points, never splitting an emoji', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab😀…');
    expect(truncate('short', 10)).toBe('short');
  });
});
