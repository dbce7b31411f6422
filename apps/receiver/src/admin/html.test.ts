import { escapeHtml, markup, SafeHtml } from './html';

describe('escapeHtml', () => {
  it('escapes every character that can end a text node or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(escapeHtml('Acme AS – Øst 42')).toBe('Acme AS – Øst 42');
  });
});

describe('markup', () => {
  it('escapes interpolated strings and numbers', () => {
    const name = '<script>alert(1)</script>';
    expect(markup`<td>${name}</td><td>${42}</td>`.value).toBe(
      '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>42</td>',
    );
  });

  it('escapes a value placed in an attribute so it cannot break out of the quotes', () => {
    expect(markup`<a href="${'x" onclick="evil()'}">`.value).toBe(
      '<a href="x&quot; onclick=&quot;evil()">',
    );
  });

  it('inserts nested templates as markup, once, without double escaping', () => {
    const inner = markup`<b>${'a&b'}</b>`;
    expect(markup`<p>${inner}</p>`.value).toBe('<p><b>a&amp;b</b></p>');
  });

  it('joins arrays and renders nothing for null, undefined and false', () => {
    const rows = ['<1>', '2'].map((v) => markup`<li>${v}</li>`);
    expect(markup`<ul>${rows}${null}${undefined}${false}</ul>`.value).toBe(
      '<ul><li>&lt;1&gt;</li><li>2</li></ul>',
    );
  });

  it('returns SafeHtml', () => {
    expect(markup`x`).toBeInstanceOf(SafeHtml);
    expect(String(markup`<i>${'&'}</i>`)).toBe('<i>&amp;</i>');
  });
});
