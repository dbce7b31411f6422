import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One of SuperOffice's documented samples (fixtures/superoffice-docs/*.md), as published. */
export interface Sample {
  /** `SuperOfficeDocs/superoffice-docs {path} @ {commit}` */
  readonly source: string;
  /** `HTTP/1.1 200 OK` for a response, `PATCH /api/v1/Contact/{id}` for a request. */
  readonly startLine: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

const DIR = join(__dirname, 'fixtures', 'superoffice-docs');

/** Reads `fixtures/superoffice-docs/{name}.md`: a source comment, then the ```http block. */
export function sample(name: string): Sample {
  const text = readFileSync(join(DIR, `${name}.md`), 'utf8');
  const source = /^<!-- source: (.+) -->$/m.exec(text)?.[1];
  const block = /```http[_!]?\n([\s\S]*?)\n```/.exec(text)?.[1];
  if (!source || !block) throw new Error(`${name}: no source line or http block`);
  const [head = '', ...rest] = block.split(/\n\n/);
  const [startLine = '', ...headerLines] = head.split('\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  const json = rest.join('\n\n').trim();
  return { source, startLine, headers, body: json ? (JSON.parse(json) as unknown) : undefined };
}

/** The UDF value forms quoted in SuperOffice's reference text (fixtures/superoffice-docs/udf-value-forms.json). */
export interface UdfValueForm {
  readonly raw: string;
  readonly fieldType: string | null;
  readonly kind: string;
  readonly source: string;
}

export function udfValueForms(): readonly UdfValueForm[] {
  return (
    JSON.parse(readFileSync(join(DIR, 'udf-value-forms.json'), 'utf8')) as {
      forms: UdfValueForm[];
    }
  ).forms;
}
