/**
 * A deterministic corpus of malformed webhook requests (issue 6, "Bad input"), and how to send one
 * to a running receiver and judge its answer. Generated from a seed by a small PRNG, so every run
 * sends the same bytes; nothing here is random per run.
 *
 * Every case is built to be refused: the body categories are signed with the right secret (or carry
 * the right legacy token) so they reach the JSON and schema checks, and the header categories carry
 * a valid event so that only the header is wrong. The corpus test checks this independently.
 */
import { createHmac } from 'node:crypto';
import { request, type Agent } from 'node:http';
import { connect } from 'node:net';
import { seededRandom } from '@so-connector/superoffice-simulator';
import { signWebhookBody } from '@so-connector/testing';

/** The receiver's body limit (apps/receiver/src/routes/webhook.route.ts MAX_BODY_BYTES). */
export const MAX_BODY_BYTES = 256 * 1024;
export const WEBHOOK_PATHS = ['/webhooks/superoffice', '/connector/webhook'] as const;
/** The receiver's nesting limit (apps/receiver/src/webhook/parse-event.ts MAX_JSON_DEPTH). */
const MAX_JSON_DEPTH = 32;

export const CATEGORIES = [
  'truncated-json',
  'garbage-bytes',
  'garbage-body',
  'invalid-utf8',
  'bom',
  'non-json-number',
  'trailing-comma',
  'json-syntax',
  'not-an-object',
  'wrong-type',
  'missing-field',
  'huge-array',
  'deep-nesting',
  'content-type',
  'content-encoding',
  'missing-signature',
  'garbled-signature',
  'duplicated-signature',
  'overlong-signature',
  'signature-for-another-body',
  'wrong-secret',
  'query-token',
  'wrong-method',
  'wrong-path',
  'oversized-declared',
  'oversized-chunked',
  'http-framing',
  'slow-body',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The `error` values of the receiver's JSON refusals (apps/receiver/src/http-errors.ts). */
export const ERROR_KINDS = [
  'unauthorized',
  'bad_request',
  'forbidden',
  'not_found',
  'too_large',
  'unsupported_media_type',
  'unavailable',
  'internal',
] as const;

export interface Expectation {
  /** The statuses a correct receiver may answer with. */
  readonly status: readonly number[];
  /**
   * `json`: the receiver's `{error, message}`; `none`: an empty body (HEAD); `json-or-none`: Node's
   * HTTP parser may answer a broken request itself (an empty 400/431) before the app sees it.
   */
  readonly body: 'json' | 'none' | 'json-or-none';
  /** What the message must say (it names the header or field). */
  readonly message?: RegExp;
}

interface CaseBase {
  readonly id: number;
  readonly category: Category;
  readonly label: string;
  readonly expect: Expectation;
}

export type Header = readonly [name: string, value: string];

/** Sent with node:http over a keep-alive agent. */
export interface HttpCase extends CaseBase {
  readonly transport: 'http';
  readonly method: string;
  readonly path: string;
  /** In order; a name may repeat (sent as separate header lines). */
  readonly headers: readonly Header[];
  readonly body: Buffer | undefined;
}

/** Hand-written bytes over a fresh socket (framing node:http would not produce, big bodies). */
export interface RawCase extends CaseBase {
  readonly transport: 'raw';
  /** Request line and header lines, without the blank line. */
  readonly head: string;
  /** The bytes after the head's blank line, built when sent (some are a megabyte). */
  readonly body: () => Buffer[];
}

/** A request whose body trickles in; held open until the sender's deadline. */
export interface SlowCase extends CaseBase {
  readonly transport: 'slow';
  /** Written at once (may be only part of the head). */
  readonly head: string;
  /** Written one piece per interval until the deadline. */
  readonly drip: readonly Buffer[];
  readonly intervalMs: number;
}

export type BadCase = HttpCase | RawCase | SlowCase;

export interface CorpusOptions {
  readonly seed: number;
  /** WEBHOOK_SECRET of the receiver under test (to sign bodies that must reach the parser). */
  readonly secret: string;
  /** WEBHOOK_TOKEN of the receiver under test. */
  readonly token: string;
  /** SO_CONTEXT_IDENTIFIER of the receiver under test. */
  readonly tenant: string;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle([...items]).slice(0, n);
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
  string(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
  uuid(): string {
    const hex = this.string('0123456789abcdef', 32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${this.pick(['8', '9', 'a', 'b'])}${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** The signature SuperOffice sends (the shared test helper). */
export const sign = signWebhookBody;

/** The required fields of the webhook payload, in the schema's order. */
export const REQUIRED_FIELDS = [
  'EventId',
  'Timestamp',
  'Changes',
  'Event',
  'Entity',
  'PrimaryKey',
  'ContextIdentifier',
  'ChangedByAssociateId',
  'WebhookName',
] as const;

const COLUMNS = [
  'name',
  'orgnr',
  'urladdress',
  'updated',
  'userdef_id',
  'title',
  'position_idx',
  'updated_associate_id',
  'contact_id',
];

/** A valid event (never the registration `test` ping) as a plain object with shuffled keys. */
function validEvent(r: Rng, tenant: string): Record<string, unknown> {
  const entity = r.pick(['contact', 'person', 'sale', 'project']);
  const event: Record<string, unknown> = {
    EventId: r.uuid(),
    Timestamp: new Date(Date.UTC(2025, 0, 1) + r.int(0, 30_000_000) * 1000).toISOString(),
    Changes: r.sample(COLUMNS, r.int(0, 5)),
    Event: `${entity}.${r.pick(['changed', 'created'])}`,
    PrimaryKey: r.int(1, 2_000_000),
    Entity: entity,
    ContextIdentifier: tenant,
    ChangedByAssociateId: r.int(1, 500),
    WebhookName: r.pick([
      'so-connector',
      'Name you provided',
      'Ærlig webhook',
      `hook ${r.int(1, 99)}`,
    ]),
  };
  if (r.chance(0.3))
    event.FieldValues = { associate_id: r.int(1, 50), orgnr: String(r.int(1e8, 1e9)) };
  const keys = r.shuffle(Object.keys(event));
  return Object.fromEntries(keys.map((k) => [k, event[k]]));
}

const validText = (r: Rng, tenant: string) => JSON.stringify(validEvent(r, tenant));

/** Indices of JSON structural characters outside strings. */
function structuralPositions(text: string): number[] {
  const out: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c !== undefined && '{}[],:'.includes(c)) out.push(i);
  }
  return out;
}

/** Bytes that may follow a JSON structural character; anything else there is a syntax error. */
const MAY_FOLLOW_STRUCTURAL = new Set(Buffer.from('\t\n\r "{}[],:-0123456789tfn', 'latin1'));

function garbage(r: Rng, n: number): Buffer {
  const out = r.bytes(n);
  while (MAY_FOLLOW_STRUCTURAL.has(out[0]!)) out[0] = r.int(0, 255);
  return out;
}

const insertAt = (body: Buffer, at: number, piece: Buffer) =>
  Buffer.concat([body.subarray(0, at), piece, body.subarray(at)]);

/** The byte offset inside the WebhookName string value (after its opening quote). */
function insideWebhookName(text: string, r: Rng): number {
  const key = text.indexOf('"WebhookName":"') + '"WebhookName":"'.length;
  const end = text.indexOf('"', key);
  const charAt = r.int(key, end);
  return Buffer.byteLength(text.slice(0, charAt));
}

const json = (message: RegExp, status = 400): Expectation => ({
  status: [status],
  body: 'json',
  message,
});

const NOT_JSON = /^body is not valid (JSON|UTF-8)\b/;
/** Random bytes may also open more than 32 brackets before the first syntax error. */
const NOT_JSON_OR_DEEP = /^body is (not valid (JSON|UTF-8)\b|nested deeper than)/;
const FIELD = (fields: readonly string[]) =>
  new RegExp(`^(${fields.join('|')})(\\[\\d+\\])?(: .+| is required)$`);

// ---------------------------------------------------------------------------------------------
// The generator

type Draft = Omit<HttpCase, 'id'> | Omit<RawCase, 'id'> | Omit<SlowCase, 'id'>;

/**
 * Generates the corpus: ≥ 10,000 malformed requests over every category, shuffled (seeded) so that
 * any slice mixes categories.
 */
export function generateCorpus(options: CorpusOptions): BadCase[] {
  const { secret, token, tenant } = options;
  const r = new Rng(options.seed);
  const drafts: Draft[] = [];
  const JSON_TYPE: Header = ['content-type', 'application/json; charset=utf-8'];

  /** A POST to the webhook that reaches the parser: right signature, or (sometimes) the token. */
  const toParser = (category: Category, label: string, body: Buffer, expect: Expectation) => {
    const byToken = r.chance(0.2);
    drafts.push({
      transport: 'http',
      category,
      label,
      method: 'POST',
      path: `${r.pick(WEBHOOK_PATHS)}${byToken ? `?token=${encodeURIComponent(token)}` : ''}`,
      headers: byToken ? [JSON_TYPE] : [JSON_TYPE, ['x-superoffice-signature', sign(body, secret)]],
      body,
      expect,
    });
  };
  /** A POST of a valid event where only the given headers/path are wrong. */
  const withHeaders = (
    category: Category,
    label: string,
    headers: (body: Buffer) => Header[],
    expect: Expectation,
    options: { method?: string; path?: string; body?: Buffer } = {},
  ) => {
    const body = options.body ?? Buffer.from(validText(r, tenant));
    drafts.push({
      transport: 'http',
      category,
      label,
      method: options.method ?? 'POST',
      path: options.path ?? r.pick(WEBHOOK_PATHS),
      headers: headers(body),
      body,
      expect,
    });
  };
  const signed = (body: Buffer): Header[] => [
    JSON_TYPE,
    ['x-superoffice-signature', sign(body, secret)],
  ];

  // Truncations: every proper prefix of a JSON object text is invalid JSON.
  for (let i = 0; i < 1500; i++) {
    const text = Buffer.from(validText(r, tenant));
    const at = r.chance(0.05) ? 0 : r.int(1, text.length - 1);
    toParser(
      'truncated-json',
      `cut at byte ${at} of ${text.length}`,
      text.subarray(0, at),
      json(NOT_JSON),
    );
  }

  // Garbage bytes right after a structural character, where they can never be valid JSON.
  for (let i = 0; i < 1000; i++) {
    const text = validText(r, tenant);
    const positions = structuralPositions(text);
    const at = Buffer.byteLength(text.slice(0, r.pick(positions) + 1));
    const junk = garbage(r, r.int(1, 16));
    toParser(
      'garbage-bytes',
      `${junk.length} garbage bytes at ${at}`,
      insertAt(Buffer.from(text), at, junk),
      json(NOT_JSON),
    );
  }
  for (let i = 0; i < 200; i++) {
    const junk = garbage(r, r.int(1, 4096));
    toParser('garbage-body', `${junk.length} random bytes`, junk, json(NOT_JSON_OR_DEEP));
  }

  // Invalid UTF-8, inside a string value (decoded leniently it would become U+FFFD) or between tokens.
  const INVALID_UTF8: readonly (readonly [string, number[]])[] = [
    ['lone continuation byte', [0x80]],
    ['lone continuation byte 0xbf', [0xbf]],
    ['overlong 2-byte /', [0xc0, 0xaf]],
    ['overlong 2-byte 0xc1', [0xc1, 0xbf]],
    ['truncated 2-byte', [0xc3]],
    ['truncated 3-byte', [0xe2, 0x82]],
    ['truncated 4-byte', [0xf0, 0x9f, 0x98]],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['0xf5', [0xf5, 0x80, 0x80, 0x80]],
    ['0xfe', [0xfe]],
    ['0xff', [0xff]],
    ['Latin-1 ø', [0xf8]],
  ];
  for (let i = 0; i < 600; i++) {
    const [what, bytes] = r.pick(INVALID_UTF8);
    const text = validText(r, tenant);
    const inString = r.chance(0.7);
    const at = inString
      ? insideWebhookName(text, r)
      : Buffer.byteLength(text.slice(0, r.pick(structuralPositions(text)) + 1));
    toParser(
      'invalid-utf8',
      `${what} ${inString ? 'inside WebhookName' : 'between tokens'}`,
      insertAt(Buffer.from(text), at, Buffer.from(bytes)),
      json(NOT_JSON),
    );
  }

  // Byte order marks and other encodings.
  const BOM_VARIANTS: readonly (readonly [string, (text: string) => Buffer])[] = [
    ['UTF-8 BOM', (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)])],
    [
      'two UTF-8 BOMs',
      (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(t)]),
    ],
    [
      'UTF-8 BOM after the body',
      (t) => Buffer.concat([Buffer.from(t), Buffer.from([0xef, 0xbb, 0xbf])]),
    ],
    [
      'UTF-8 BOM between members',
      (t) => {
        const at = t.indexOf(',') + 1;
        return Buffer.concat([
          Buffer.from(t.slice(0, at)),
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from(t.slice(at)),
        ]);
      },
    ],
    [
      'UTF-16LE with BOM',
      (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
    ],
    [
      'UTF-16BE with BOM',
      (t) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()]),
    ],
    ['UTF-16LE without BOM', (t) => Buffer.from(t, 'utf16le')],
    [
      'UTF-32LE with BOM',
      (t) => {
        const out = Buffer.alloc(4 + 4 * t.length);
        out.writeUInt32LE(0xfeff, 0);
        for (let i = 0; i < t.length; i++) out.writeUInt32LE(t.charCodeAt(i), 4 + 4 * i);
        return out;
      },
    ],
  ];
  for (let i = 0; i < 200; i++) {
    const [what, encode] = BOM_VARIANTS[i % BOM_VARIANTS.length]!;
    toParser('bom', what, encode(validText(r, tenant)), json(NOT_JSON));
  }

  // Numbers JSON does not have, in a numeric field or inside FieldValues.
  const BAD_NUMBERS = [
    'NaN',
    'Infinity',
    '-Infinity',
    '+18',
    '0x12',
    '018',
    '18.',
    '.5',
    '1e',
    '-',
    '--1',
    '1_000',
    '∞',
    '1e+',
    'nan',
    'inf',
  ];
  for (let i = 0; i < 300; i++) {
    const n = r.pick(BAD_NUMBERS);
    const event = validEvent(r, tenant);
    const field = r.pick(['PrimaryKey', 'ChangedByAssociateId', 'FieldValues']);
    event[field] = field === 'FieldValues' ? { associate_id: '__BAD__' } : '__BAD__';
    toParser(
      'non-json-number',
      `${field} = ${n}`,
      Buffer.from(JSON.stringify(event).replace('"__BAD__"', n)),
      json(NOT_JSON),
    );
  }

  // Trailing, leading and doubled commas.
  const COMMAS: readonly (readonly [string, (t: string) => string])[] = [
    ['trailing comma in the object', (t) => `${t.slice(0, -1)},}`],
    ['leading comma in the object', (t) => `{,${t.slice(1)}`],
    ['doubled comma between members', (t) => t.replace(/,"(?=[A-Z])/, ',,"')],
    [
      'trailing comma in Changes',
      (t) =>
        t.replace(
          /"Changes":\[([^\]]*)\]/,
          (_m, inner: string) => `"Changes":[${inner}${inner ? ',' : '"name",'}]`,
        ),
    ],
    ['lone comma in Changes', (t) => t.replace(/"Changes":\[[^\]]*\]/, '"Changes":[,]')],
    ['leading comma in Changes', (t) => t.replace(/"Changes":\[/, '"Changes":[,')],
    [
      'trailing comma in FieldValues',
      (t) => t.replace(/"WebhookName"/, '"FieldValues":{"a":1,},"WebhookName"'),
    ],
  ];
  for (let i = 0; i < 300; i++) {
    const [what, edit] = COMMAS[i % COMMAS.length]!;
    toParser('trailing-comma', what, Buffer.from(edit(validText(r, tenant))), json(NOT_JSON));
  }

  // Other JSON syntax errors (each is invalid by construction, wherever the edit lands).
  const SYNTAX: readonly (readonly [string, (t: string) => string])[] = [
    ['single quotes', (t) => t.replace(/"/g, "'")],
    ['unquoted key', (t) => t.replace('"EventId":', 'EventId:')],
    ['block comment', (t) => `{/* note */${t.slice(1)}`],
    ['line comment', (t) => `{// note\n${t.slice(1)}`],
    ['undefined value', (t) => t.replace(/"PrimaryKey":\d+/, '"PrimaryKey":undefined')],
    ['Python None', (t) => t.replace(/"ChangedByAssociateId":\d+/, '"ChangedByAssociateId":None')],
    ['Python True', (t) => t.replace(/"PrimaryKey":\d+/, '"PrimaryKey":True')],
    ['raw newline in a string', (t) => t.replace('"WebhookName":"', '"WebhookName":"line\nbreak ')],
    ['raw tab in a string', (t) => t.replace('"WebhookName":"', '"WebhookName":"tab\there ')],
    ['raw NUL in a string', (t) => t.replace('"WebhookName":"', '"WebhookName":"nul\u0000 ')],
    ['bad escape \\x', (t) => t.replace('"WebhookName":"', '"WebhookName":"\\x41 ')],
    ['bad escape \\a', (t) => t.replace('"WebhookName":"', '"WebhookName":"\\a ')],
    ['short unicode escape', (t) => t.replace('"WebhookName":"', '"WebhookName":"\\u12G4 ')],
    ['missing colon', (t) => t.replace('"Event":', '"Event" ')],
    ['missing comma', (t) => t.replace(/,"(?=[A-Z])/, ' "')],
    ['two objects', (t) => `${t}${t}`],
    ['object then text', (t) => `${t} and more`],
    ['object then NUL', (t) => `${t}\u0000`],
    ['empty body', () => ''],
    ['whitespace only', () => ' \n\t\r '],
    ['opening brace only', () => '{'],
    ['closing brace only', () => '}'],
    ['key without value', (t) => `${t.slice(0, -1)},"x":}`],
    ['XML', () => '<?xml version="1.0"?><event><EventId>1</EventId></event>'],
    ['form encoded', () => 'EventId=1&Event=contact.changed'],
  ];
  for (let i = 0; i < 500; i++) {
    const [what, edit] = SYNTAX[i % SYNTAX.length]!;
    toParser('json-syntax', what, Buffer.from(edit(validText(r, tenant))), json(NOT_JSON));
  }

  const NOT_OBJECT: readonly ((t: string) => string)[] = [
    () => '[]',
    (t) => `[${t}]`,
    () => '"hello"',
    () => 'null',
    () => '123',
    () => '-0.5e3',
    () => 'true',
    () => 'false',
    (t) => JSON.stringify(t),
    (t) => ` \n[${t}, ${t}]\n `,
  ];
  for (let i = 0; i < 100; i++) {
    const body = NOT_OBJECT[i % NOT_OBJECT.length]!(validText(r, tenant));
    toParser(
      'not-an-object',
      `top-level ${body.slice(0, 12)}`,
      Buffer.from(body),
      json(/^body must be a JSON object$/),
    );
  }

  // One field of the webhook schema with a wrong type or value; the message must name it.
  const long = (n: number) => JSON.stringify('x'.repeat(n));
  const WRONG: Readonly<
    Record<(typeof REQUIRED_FIELDS)[number] | 'FieldValues', readonly string[]>
  > = {
    EventId: [
      '123',
      'null',
      'true',
      '[]',
      '{}',
      '""',
      '"not-a-guid"',
      '"8337ae4a1dd640fd8dc7a050664a0af7"',
      '"{8337ae4a-1dd6-40fd-8dc7-a050664a0af7}"',
      '"8337ae4a-1dd6-40fd-8dc7-a050664a0ag7"',
      '"8337ae4a-1dd6-40fd-8dc7-a050664a0af"',
      '0.5',
      '["8337ae4a-1dd6-40fd-8dc7-a050664a0af7"]',
    ],
    Timestamp: [
      '0',
      '1715680087',
      'null',
      '""',
      '"yesterday"',
      '"2025-13-01T00:00:00Z"',
      '"2025-05-14"',
      '"2025-05-14T25:00:00Z"',
      '"14/05/2025 10:48"',
      '[]',
      '{}',
      'true',
    ],
    Changes: [
      '"name"',
      'null',
      '5',
      '{}',
      '{"0":"name"}',
      '[1]',
      '[null]',
      '[["name"]]',
      '[{}]',
      'true',
      `[${long(257)}]`,
      '["name",false]',
      `[${Array.from({ length: 1001 }, () => '"a"').join(',')}]`,
    ],
    Event: [
      '5',
      'null',
      '""',
      '"contact"',
      '"contact changed"',
      '"contact."',
      '".changed"',
      `"${'a'.repeat(199)}.b"`,
      '["contact.changed"]',
      '{}',
      'true',
      '"contact.changed\\n"',
      '"contact.chånged"',
    ],
    Entity: ['5', 'null', '""', long(101), '[]', '{}', 'false'],
    PrimaryKey: [
      '"18"',
      'null',
      '-1',
      '1.5',
      'true',
      '[]',
      '{}',
      '1e400',
      '""',
      '9.1',
      '-0.5',
      '1e20',
      '[18]',
    ],
    ContextIdentifier: [
      '5',
      'null',
      '""',
      long(101),
      '[]',
      '{}',
      'true',
      `[${JSON.stringify(tenant)}]`,
    ],
    ChangedByAssociateId: ['"5"', 'null', '-5', '0.5', 'false', '[]', '{}', '1e400'],
    WebhookName: ['5', 'null', 'false', '[]', '{}', long(501)],
    FieldValues: ['[1,2]', '"x"', '5', 'true', '[]', '"{}"'],
  };
  const wrongFields = Object.keys(WRONG) as (keyof typeof WRONG)[];
  for (let i = 0; i < 1800; i++) {
    const field = wrongFields[i % wrongFields.length]!;
    const value = r.pick(WRONG[field]);
    const event = validEvent(r, tenant);
    let text: string;
    let how: string;
    if (r.chance(0.15)) {
      // A duplicated key: JSON.parse keeps the last one, which is the wrong one.
      text = `${JSON.stringify(event).slice(0, -1)},"${field}":${value}}`;
      how = 'duplicated key, last';
    } else {
      event[field] = '__BAD__';
      text = JSON.stringify(event).replace('"__BAD__"', value);
      how = 'value';
    }
    toParser(
      'wrong-type',
      `${field} ${how} ${value.slice(0, 40)}`,
      Buffer.from(text),
      json(FIELD([field])),
    );
  }

  for (let i = 0; i < 600; i++) {
    const event = validEvent(r, tenant);
    const removed =
      i < 18
        ? [REQUIRED_FIELDS[i % 9]!]
        : r.sample(REQUIRED_FIELDS, r.int(1, REQUIRED_FIELDS.length));
    for (const field of removed) delete event[field];
    toParser(
      'missing-field',
      `without ${removed.join(', ')}`,
      Buffer.from(JSON.stringify(event)),
      json(FIELD(removed)),
    );
  }

  // Huge arrays that still fit in the body limit.
  const HUGE: readonly (readonly [string, number, boolean])[] = [
    ['0', 100_000, true],
    ['7', 120_000, true],
    ['""', 80_000, true],
    ['"a"', 60_000, true],
    ['null', 48_000, true],
    ['[]', 80_000, true],
    ['{}', 80_000, true],
    ['true', 48_000, true],
    ['0', 100_000, false],
  ];
  for (let i = 0; i < 40; i++) {
    const [element, count, inChanges] = HUGE[i % HUGE.length]!;
    const n = count + r.int(0, 2000);
    const array = `[${Array.from({ length: n }, () => element).join(',')}]`;
    const event = validEvent(r, tenant);
    event.Changes = '__BAD__';
    const text = inChanges ? JSON.stringify(event).replace('"__BAD__"', array) : array;
    toParser(
      'huge-array',
      `${inChanges ? 'Changes' : 'top-level array'} of ${n} × ${element}`,
      Buffer.from(text),
      json(inChanges ? /^Changes(\[\d+\])?: / : /^body must be a JSON object$/),
    );
  }

  // Deep nesting: 10,000 levels, and just over the receiver's limit.
  const NESTS: readonly (readonly [string, (d: number, t: string) => string])[] = [
    ['arrays', (d) => `${'['.repeat(d)}${']'.repeat(d)}`],
    ['objects', (d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`],
    ['mixed', (d) => `${'[{"a":'.repeat(d / 2)}0${'}]'.repeat(d / 2)}`],
    ['unclosed arrays', (d) => '['.repeat(d)],
    [
      'in FieldValues',
      (d, t) => t.replace(/}$/, `,"FieldValues":{"x":${'['.repeat(d)}${']'.repeat(d)}}}`),
    ],
    [
      'in Changes',
      (d, t) => t.replace(/"Changes":\[/, `"Changes":[${'['.repeat(d)}${']'.repeat(d)},`),
    ],
  ];
  for (let i = 0; i < 60; i++) {
    const [what, build] = NESTS[i % NESTS.length]!;
    const depth = i < 48 ? 10_000 : r.pick([MAX_JSON_DEPTH + 2, 100, 1000, 20_000]);
    const event = validEvent(r, tenant);
    delete event.FieldValues;
    toParser(
      'deep-nesting',
      `${depth} levels of ${what}`,
      Buffer.from(build(depth, JSON.stringify(event))),
      json(/^body is nested deeper than \d+ levels$/),
    );
  }

  // Content types that are not JSON, with a valid signed body.
  const TYPES = [
    'text/plain',
    'text/plain; charset=utf-8',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'text/xml',
    'application/javascript',
    'application/jsonx',
    'application/x-json',
    'application/ndjson',
    'json',
    '',
    '*/*',
    'application/*',
    'text/html',
    'application/octet-stream',
    'image/png',
    'application/json-seq',
    ';',
    'application',
    '/json',
  ];
  for (let i = 0; i < 600; i++) {
    const omit = i % 10 === 0;
    let type =
      i < TYPES.length * 10
        ? TYPES[i % TYPES.length]!
        : r.string('abcdefghijklmnopqrstuvwxyz/+-.;= ', r.int(1, 40));
    if (/json/i.test(type) && !TYPES.includes(type)) type = 'text/plain';
    withHeaders(
      'content-type',
      omit ? 'no Content-Type' : `Content-Type ${JSON.stringify(type)}`,
      (body) => [
        ...(omit ? [] : [['content-type', type] as const]),
        ['x-superoffice-signature', sign(body, secret)],
      ],
      json(/^Content-Type must be application\/json$/, 415),
    );
  }
  const ENCODINGS = [
    'gzip',
    'deflate',
    'br',
    'x-gzip',
    'compress',
    'zstd',
    'GZIP',
    'gzip, identity',
    'identity, gzip',
    'chunked',
    'utf-8',
  ];
  for (let i = 0; i < 150; i++) {
    const encoding =
      i < 110
        ? ENCODINGS[i % ENCODINGS.length]!
        : r.string('abcdefghijklmnopqrstuvwxyz-', r.int(1, 20));
    withHeaders(
      'content-encoding',
      `Content-Encoding ${encoding}`,
      (body) => [...signed(body), ['content-encoding', encoding]],
      json(/^Content-Encoding .+ is not supported$/, 415),
    );
  }

  // Signatures.
  const SIG = /X-SuperOffice-Signature/;
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 300; i++) {
    withHeaders(
      'missing-signature',
      'no signature header',
      () => [JSON_TYPE],
      json(/^X-SuperOffice-Signature header is missing$/, 401),
      { path: r.pick(WEBHOOK_PATHS) },
    );
  }
  const GARBLE: readonly (readonly [string, (right: string) => string])[] = [
    ['empty', () => ''],
    ['whitespace', () => '   '],
    ['random base64 of 44 chars without padding', () => r.string(b64, 44)],
    ['random 43 chars + =', () => `${r.string(b64, 43)}=`],
    ['random short', () => r.string(b64, r.int(1, 42))],
    ['hex digest', (s) => Buffer.from(s, 'base64').toString('hex')],
    ['base64url without padding', (s) => Buffer.from(s, 'base64').toString('base64url')],
    ['sha256= prefix', (s) => `sha256=${s}`],
    ['Bearer prefix', (s) => `Bearer ${s}`],
    ['missing padding', (s) => s.slice(0, -1)],
    ['extra padding', (s) => `${s}=`],
    [
      'one byte flipped',
      (s) => {
        const d = Buffer.from(s, 'base64');
        const at = r.int(0, d.length - 1);
        d[at] = d[at]! ^ (1 << r.int(0, 7));
        return d.toString('base64');
      },
    ],
    [
      'last byte flipped',
      (s) => {
        const d = Buffer.from(s, 'base64');
        d[d.length - 1] = d[d.length - 1]! ^ 0x80;
        return d.toString('base64');
      },
    ],
    ['all zero digest', () => Buffer.alloc(32).toString('base64')],
    ['latin-1 noise', () => r.string('¡¢£¤¥¦§¨©ª«¬®¯°±²³µ¶·¸¹º»¼½¾¿ÀÆÐØÞßæðøþ', 44)],
    ['quoted', (s) => `"${s}"`],
    ['two values joined by a comma', (s) => `${s},${s}`],
    ['internal space', (s) => `${s.slice(0, 20)} ${s.slice(20)}`],
  ];
  for (let i = 0; i < 600; i++) {
    const [what, garble] = GARBLE[i % GARBLE.length]!;
    withHeaders(
      'garbled-signature',
      what,
      (body) => {
        const value = garble(sign(body, secret));
        return [JSON_TYPE, ['x-superoffice-signature', value]];
      },
      json(SIG, 401),
    );
  }
  for (let i = 0; i < 300; i++) {
    const order = i % 3;
    withHeaders(
      'duplicated-signature',
      ['right twice', 'right then wrong', 'wrong then right'][order]!,
      (body) => {
        const right = sign(body, secret);
        const wrong = sign(body, `${secret}-other`);
        const pair = [order === 2 ? wrong : right, order === 1 ? wrong : right];
        return [
          JSON_TYPE,
          ['x-superoffice-signature', pair[0]!],
          ['X-SuperOffice-Signature', pair[1]!],
        ];
      },
      json(SIG, 401),
    );
  }
  for (let i = 0; i < 300; i++) {
    const kind = i % 3;
    withHeaders(
      'overlong-signature',
      ['right signature repeated', 'long base64', 'right signature + suffix'][kind]!,
      (body) => {
        const right = sign(body, secret);
        const length = r.int(45, 8000);
        const value =
          kind === 0
            ? right.repeat(Math.ceil(length / 44))
            : kind === 1
              ? r.string(b64, length)
              : `${right}${r.string(b64, length)}`;
        return [JSON_TYPE, ['x-superoffice-signature', value]];
      },
      json(SIG, 401),
    );
  }
  const OTHER_BODY: readonly (readonly [string, (text: string) => string])[] = [
    ['another event', () => validText(r, tenant)],
    ['the body pretty-printed', (t) => JSON.stringify(JSON.parse(t), null, 2)],
    ['the body with a trailing newline', (t) => `${t}\n`],
    [
      'the body with a changed PrimaryKey',
      (t) => t.replace(/"PrimaryKey":(\d+)/, (_m, n: string) => `"PrimaryKey":${Number(n) + 1}`),
    ],
    ['the empty body', () => ''],
    ['the body as UTF-16', (t) => Buffer.from(t, 'utf16le').toString('latin1')],
  ];
  for (let i = 0; i < 800; i++) {
    const [what, other] = OTHER_BODY[i % OTHER_BODY.length]!;
    withHeaders(
      'signature-for-another-body',
      `signed ${what}`,
      (body) => {
        const text = body.toString('utf8');
        const signedText = other(text);
        const signedBytes =
          what === 'the body as UTF-16'
            ? Buffer.from(signedText, 'latin1')
            : Buffer.from(signedText);
        return [JSON_TYPE, ['x-superoffice-signature', sign(signedBytes, secret)]];
      },
      json(/^X-SuperOffice-Signature does not match the body$/, 401),
    );
  }
  const WRONG_SECRET: readonly (readonly [string, (body: Buffer) => string])[] = [
    ['a random secret', (b) => sign(b, r.string(b64, r.int(8, 40)))],
    ['the secret upper-cased', (b) => sign(b, secret.toUpperCase())],
    ['the secret with a space', (b) => sign(b, `${secret} `)],
    ['the secret truncated', (b) => sign(b, secret.slice(0, -1))],
    ['an empty secret', (b) => sign(b, '')],
    ['the token as secret', (b) => sign(b, token)],
    ['HMAC-SHA1', (b) => createHmac('sha1', secret).update(b).digest('base64')],
    ['HMAC-SHA512', (b) => createHmac('sha512', secret).update(b).digest('base64')],
    [
      'HMAC-SHA256 of the secret keyed by the body',
      (b) => createHmac('sha256', b).update(secret).digest('base64'),
    ],
  ];
  for (let i = 0; i < 500; i++) {
    const [what, make] = WRONG_SECRET[i % WRONG_SECRET.length]!;
    withHeaders(
      'wrong-secret',
      `signed with ${what}`,
      (body) => [JSON_TYPE, ['x-superoffice-signature', make(body)]],
      json(SIG, 401),
    );
  }

  // The legacy ?token= parameter, abused (no signature header unless said).
  const enc = encodeURIComponent;
  const TOKENS: readonly (readonly [string, () => string, boolean?])[] = [
    ['a wrong token', () => `token=${enc(r.string(b64, r.int(4, 40)))}`],
    ['an empty token', () => 'token='],
    ['a bare token key', () => 'token'],
    ['the token twice', () => `token=${enc(token)}&token=${enc(token)}`],
    ['a wrong and the right token', () => `token=x&token=${enc(token)}`],
    ['token[]', () => `token[]=${enc(token)}`],
    ['token[0]', () => `token[0]=${enc(token)}`],
    ['TOKEN', () => `TOKEN=${enc(token)}`],
    ['the token with NUL', () => `token=${enc(token)}%00`],
    ['the token with a space', () => `token=${enc(token)}+`],
    ['the token upper-cased', () => `token=${enc(token.toUpperCase())}`],
    ['the token truncated', () => `token=${enc(token.slice(0, -1))}`],
    ['a 4000-char token', () => `token=${r.string(b64.slice(0, 62), 4000)}`],
    ['bad percent-encoding', () => 'token=%E0%A4%A'],
    ['the secret as token', () => `token=${enc(secret)}`],
    ['the token double-encoded', () => `token=${enc(enc(`${token}/`))}`],
    ['a token= in the fragment-like tail', () => `x=1%26token%3D${enc(token)}`],
    ['the right token with a wrong signature', () => `token=${enc(token)}`, true],
    ['the right token with an empty signature', () => `token=${enc(token)}`, true],
  ];
  for (let i = 0; i < 600; i++) {
    const [what, query, withSignature] = TOKENS[i % TOKENS.length]!;
    const q = query();
    withHeaders(
      'query-token',
      what,
      (body) => {
        if (!withSignature) return [JSON_TYPE];
        const value = what.includes('empty') ? '' : sign(body, `${secret}!`);
        return [JSON_TYPE, ['x-superoffice-signature', value]];
      },
      json(/X-SuperOffice-Signature|token/, 401),
      { path: `${r.pick(WEBHOOK_PATHS)}?${q}` },
    );
  }

  // Wrong methods on the webhook paths (a valid, signed body where one may be sent).
  const METHODS = [
    'GET',
    'PUT',
    'PATCH',
    'DELETE',
    'OPTIONS',
    'HEAD',
    'TRACE',
    'PROPFIND',
    'LOCK',
    'MKCOL',
    'PURGE',
    'SEARCH',
    'REPORT',
  ];
  for (let i = 0; i < 300; i++) {
    const method = METHODS[i % METHODS.length]!;
    const noBody = method === 'HEAD' || method === 'TRACE' || method === 'GET';
    const body = Buffer.from(validText(r, tenant));
    withHeaders(
      'wrong-method',
      method,
      (b) => (noBody ? [] : signed(b)),
      method === 'HEAD'
        ? { status: [404], body: 'none' }
        : json(new RegExp(`^no route for ${method} /`), 404),
      { method, body: noBody ? Buffer.alloc(0) : body },
    );
  }

  // Wrong paths for a valid, signed (sometimes also token-carrying) event.
  const PATHS = [
    '/webhooks',
    '/webhooks/',
    '/webhook/superoffice',
    // `/webhooks/superoffice/{ContextIdentifier}` is the per-tenant route; below it, nothing.
    '/webhooks/superoffice/x/y',
    '/webhooks/superofficex',
    '/webhooks/super-office',
    '/connector/webhooks',
    '/connector',
    '/connector/webhook/1',
    '//webhooks/superoffice',
    '/webhooks//superoffice',
    '/webhooks/superoffice/..',
    '/webhooks/./superoffice',
    '/webhooks%2Fsuperoffice',
    '/webhooks/superoffic%65',
    '/',
    '/healthz',
    '/readyz',
    '/metrics',
    '/index.html',
    '/.env',
    '/api/v1/webhook',
    '/webhooks/superoffice.json',
    '/webhooks/superoffice%00',
    '/webhooks/superoffice;a=b',
    '/%2e%2e/webhooks/superoffice',
    '/webhooks/superoffice%20',
    '/webhooks/superoffice/%2e%2e',
  ];
  const isWebhookPath = (p: string) =>
    WEBHOOK_PATHS.includes(p.toLowerCase().replace(/\/$/, '') as (typeof WEBHOOK_PATHS)[number]);
  for (let i = 0; i < 500; i++) {
    let path = i < PATHS.length * 5 ? PATHS[i % PATHS.length]! : '';
    while (path === '' || isWebhookPath(path) || path.toLowerCase().startsWith('/admin')) {
      path = Array.from(
        { length: r.int(1, 4) },
        () => `/${r.string('abcdefghijklmnopqrstuvwxyz0123456789._~-', r.int(1, 12))}`,
      ).join('');
    }
    const withToken = r.chance(0.3);
    withHeaders('wrong-path', `POST ${path}`, signed, json(/^no route for POST \//, 404), {
      path: `${path}${withToken ? `?token=${enc(token)}` : ''}`,
    });
  }

  // Oversized bodies: declared, and chunked without a declared length.
  const headOf = (lines: readonly string[]) => lines.join('\r\n');
  for (let i = 0; i < 40; i++) {
    const length = i < 30 ? MAX_BODY_BYTES + 1 + r.int(0, 600_000) : r.pick([1e9, 1e12, 2 ** 53]);
    const sendAll = length <= 1_000_000;
    drafts.push({
      transport: 'raw',
      category: 'oversized-declared',
      label: `Content-Length ${length}${sendAll ? '' : ' (body not sent)'}`,
      head: headOf([
        `POST ${r.pick(WEBHOOK_PATHS)} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        `Content-Length: ${length}`,
        `X-SuperOffice-Signature: ${sign(String(length), secret)}`,
      ]),
      body: () => (sendAll ? [Buffer.alloc(length, 0x20)] : [Buffer.from('{"EventId":')]),
      expect: json(/256 KiB/, 413),
    });
  }
  for (let i = 0; i < 40; i++) {
    const total = MAX_BODY_BYTES + 1 + r.int(0, 400_000);
    const chunkSize = r.pick([1, 100, 4096, 16_384, 65_536, 200_000]);
    const seed = r.int(0, 2 ** 31);
    drafts.push({
      transport: 'raw',
      category: 'oversized-chunked',
      label: `chunked ${total} bytes in chunks of ${chunkSize}`,
      head: headOf([
        `POST ${r.pick(WEBHOOK_PATHS)} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ]),
      body: () => {
        const filler = new Rng(seed);
        const parts: Buffer[] = [];
        // Tiny chunks would make millions of parts; above 1 byte they are written as they are.
        const size = Math.max(chunkSize, 1024);
        for (let sent = 0; sent < total; sent += size) {
          const n = Math.min(size, total - sent);
          const chunk = Buffer.alloc(n, 0x20 + filler.int(0, 90));
          parts.push(Buffer.from(`${n.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
        }
        parts.push(Buffer.from('0\r\n\r\n'));
        return parts;
      },
      expect: json(/256 KiB/, 413),
    });
  }

  // Framing that Node's HTTP parser refuses (or lets through to a 4xx of the app).
  const body = validText(r, tenant);
  const FRAMING: readonly (readonly [string, string, string])[] = [
    [
      'two different Content-Lengths',
      `Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3`,
      '{}',
    ],
    [
      'Content-Length and Transfer-Encoding',
      `Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked`,
      '{}',
    ],
    [
      'bad chunk size',
      `Content-Type: application/json\r\nTransfer-Encoding: chunked`,
      'ZZ\r\n{}\r\n0\r\n\r\n',
    ],
    ['negative Content-Length', `Content-Type: application/json\r\nContent-Length: -1`, '{}'],
    ['non-numeric Content-Length', `Content-Type: application/json\r\nContent-Length: abc`, '{}'],
    [
      'Content-Length above 2^64',
      `Content-Type: application/json\r\nContent-Length: 99999999999999999999999`,
      '{}',
    ],
    [
      'Transfer-Encoding gzip only',
      `Content-Type: application/json\r\nTransfer-Encoding: gzip`,
      '{}',
    ],
    [
      'header name with a space',
      `Content-Type: application/json\r\nX Bad: 1\r\nContent-Length: 2`,
      '{}',
    ],
    [
      'NUL in a header value',
      `Content-Type: application/json\r\nX-SuperOffice-Signature: a\u0000b\r\nContent-Length: 2`,
      '{}',
    ],
    [
      'a 20 KiB signature header',
      `Content-Type: application/json\r\nX-SuperOffice-Signature: ${'QUFB'.repeat(5000)}\r\nContent-Length: 2`,
      '{}',
    ],
    [
      '100 KiB of headers',
      `Content-Type: application/json\r\n${Array.from({ length: 1000 }, (_, k) => `X-Junk-${k}: ${'j'.repeat(90)}`).join('\r\n')}\r\nContent-Length: 2`,
      '{}',
    ],
    [
      'obsolete line folding',
      `Content-Type: application/json\r\nX-SuperOffice-Signature: abc\r\n def\r\nContent-Length: 2`,
      '{}',
    ],
  ];
  const REQUEST_LINES: readonly (readonly [string, (path: string) => string])[] = [
    ['unknown method', (p) => `FOO ${p} HTTP/1.1`],
    ['lower-case method', (p) => `post ${p} HTTP/1.1`],
    ['HTTP/2.0 request line', (p) => `POST ${p} HTTP/2.0`],
    ['HTTP/9.9 request line', (p) => `POST ${p} HTTP/9.9`],
    ['no version', (p) => `POST ${p}`],
    ['a 20 KiB path', (p) => `POST ${p}/${'a'.repeat(20_000)} HTTP/1.1`],
    ['a space in the path', (p) => `POST ${p} x HTTP/1.1`],
  ];
  for (let i = 0; i < 100; i++) {
    const path = r.pick(WEBHOOK_PATHS);
    const useLine = i % 19 >= FRAMING.length;
    const [what, head, rest] = useLine
      ? (() => {
          const [label, line] = REQUEST_LINES[(i % 19) - FRAMING.length]!;
          return [
            label,
            `${line(path)}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}`,
            body,
          ] as const;
        })()
      : (() => {
          const [label, headers, payload] = FRAMING[i % 19]!;
          const host = i % 2 === 0;
          return [
            `${label}${host ? '' : ' (no Host)'}`,
            `POST ${path} HTTP/1.1${host ? '\r\nHost: 127.0.0.1' : ''}\r\n${headers}`,
            payload,
          ] as const;
        })();
    drafts.push({
      transport: 'raw',
      category: 'http-framing',
      label: what,
      head,
      body: () => [Buffer.from(rest, 'utf8')],
      expect: { status: [400, 401, 404, 413, 414, 415, 431], body: 'json-or-none' },
    });
  }

  // Slow bodies and slow headers (slowloris): a few, held until the sender's deadline.
  const slowBody = Buffer.from(validText(r, tenant));
  const slowSig = sign(slowBody, secret);
  const SLOW: readonly (readonly [string, string, Buffer[]])[] = [
    [
      'a signed body, one byte at a time',
      `POST ${WEBHOOK_PATHS[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-SuperOffice-Signature: ${slowSig}\r\nContent-Length: ${slowBody.length}\r\n\r\n`,
      [...slowBody].map((b) => Buffer.from([b])),
    ],
    [
      'a chunked body, one tiny chunk at a time',
      `POST ${WEBHOOK_PATHS[1]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      Array.from({ length: 200 }, () => Buffer.from('1\r\n \r\n')),
    ],
    [
      'the headers, one line at a time',
      `POST ${WEBHOOK_PATHS[0]} HTTP/1.1\r\n`,
      Array.from({ length: 200 }, (_, k) => Buffer.from(`X-Slow-${k}: ${k}\r\n`)),
    ],
    [
      'a declared body that stops after 10 bytes',
      `POST ${WEBHOOK_PATHS[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"EventId"`,
      [],
    ],
    [
      'a chunked body that never starts',
      `POST ${WEBHOOK_PATHS[1]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      [],
    ],
    [
      'the request line, one byte at a time',
      '',
      [...Buffer.from(`POST ${WEBHOOK_PATHS[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\n`)].map((b) =>
        Buffer.from([b]),
      ),
    ],
  ];
  for (const [label, head, drip] of SLOW) {
    drafts.push({
      transport: 'slow',
      category: 'slow-body',
      label,
      head,
      drip,
      intervalMs: 100,
      expect: { status: [400, 408, 413, 431], body: 'json-or-none' },
    });
  }

  return r.shuffle(drafts).map((draft, id) => ({ ...draft, id }));
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

export interface Outcome {
  readonly answer?: Answer;
  /** Why no answer came (the request failed or timed out). */
  readonly error?: string;
  /** Slow cases: how long the connection was held open without an answer. */
  readonly heldMs?: number;
}

export interface Target {
  readonly port: number;
  /** A keep-alive agent for the `http` cases. */
  readonly agent: Agent;
  /** How long a slow case trickles before it gives up (default 3 s). */
  readonly slowDeadlineMs?: number;
}

const ANSWER_TIMEOUT_MS = 15_000;

function sendHttp(c: HttpCase, target: Target): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of c.headers) {
      const key = name.toLowerCase();
      const current = headers[key];
      headers[key] =
        current === undefined ? value : [...(Array.isArray(current) ? current : [current]), value];
    }
    // Without it node:http frames a DELETE or OPTIONS body by closing the connection (no length),
    // which the receiver rightly reads as the start of a next request on a keep-alive connection.
    if (c.body && c.body.length > 0) headers['content-length'] ??= String(c.body.length);
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: c.method,
        path: c.path,
        headers,
        agent: target.agent,
        timeout: ANSWER_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            answer: {
              status: res.statusCode ?? 0,
              contentType: res.headers['content-type'],
              body: Buffer.concat(chunks),
            },
          }),
        );
        res.on('error', (error: Error) => resolve({ error: `response: ${error.message}` }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: `${error.message} (${error.code ?? 'no code'})` }),
    );
    req.end(c.body);
  });
}

/** Decodes a chunked body; undefined until its last chunk has arrived. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Parses one HTTP/1.1 response from raw bytes; undefined while incomplete. */
function parseResponse(data: Buffer, closed: boolean): Answer | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
  const header = (name: string) =>
    head
      .find((line) => line.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  const contentType = header('content-type');
  const rest = data.subarray(end + 4);
  if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
    const body = dechunk(rest);
    return body ? { status, contentType, body } : undefined;
  }
  const length = header('content-length');
  if (length !== undefined) {
    if (rest.length < Number(length)) return undefined;
    return { status, contentType, body: rest.subarray(0, Number(length)) };
  }
  return closed ? { status, contentType, body: rest } : undefined;
}

function sendRaw(c: RawCase, target: Target): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(target.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ error: `no answer within ${ANSWER_TIMEOUT_MS} ms` }),
      ANSWER_TIMEOUT_MS,
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const answer = parseResponse(Buffer.concat(chunks), false);
      if (answer) finish({ answer });
    });
    socket.on('close', () => {
      const answer = parseResponse(Buffer.concat(chunks), true);
      finish(answer ? { answer } : { error: 'connection closed without an answer' });
    });
    // Writing on after the receiver has answered and closed fails; the answer is what counts.
    socket.on('error', () => undefined);
    socket.write(`${c.head}\r\n\r\n`, 'latin1');
    for (const part of c.body()) socket.write(part);
  });
}

function sendSlow(c: SlowCase, target: Target): Promise<Outcome> {
  const deadline = target.slowDeadlineMs ?? 3000;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(target.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let next = 0;
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearInterval(drip);
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const drip = setInterval(() => {
      const piece = c.drip[next++];
      if (piece && !socket.destroyed) socket.write(piece);
    }, c.intervalMs);
    const timer = setTimeout(() => {
      const answer = parseResponse(Buffer.concat(chunks), true);
      finish({ ...(answer ? { answer } : {}), heldMs: Date.now() - started });
    }, deadline);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const answer = parseResponse(Buffer.concat(chunks), false);
      if (answer) finish({ answer, heldMs: Date.now() - started });
    });
    socket.on('close', () => {
      const answer = parseResponse(Buffer.concat(chunks), true);
      finish({ ...(answer ? { answer } : {}), heldMs: Date.now() - started });
    });
    socket.on('error', () => undefined);
    if (c.head) socket.write(c.head, 'latin1');
  });
}

/** Sends one case and waits for its answer (or, for a slow case, the deadline). */
export async function deliver(c: BadCase, target: Target): Promise<Outcome> {
  switch (c.transport) {
    case 'http':
      return sendHttp(c, target);
    case 'raw':
      return sendRaw(c, target);
    case 'slow':
      return sendSlow(c, target);
  }
}

/** Every credential-like value a case sends: signatures, tokens, Authorization values. */
export function credentialsSent(c: BadCase): string[] {
  const values: string[] = [];
  const lines =
    c.transport === 'http'
      ? c.headers.map(([name, value]) => `${name}: ${value}`)
      : c.head
          .split('\r\n')
          .concat(c.transport === 'slow' ? c.drip.map((b) => b.toString('latin1')) : []);
  for (const line of lines) {
    const match = /^(x-superoffice-signature|authorization):\s*(.*)$/i.exec(line.trim());
    if (match?.[2]) values.push(match[2].trim());
  }
  const path = c.transport === 'http' ? c.path : (/^\S+ (\S+)/.exec(c.head)?.[1] ?? '');
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  for (const [key, value] of new URLSearchParams(query))
    if (/token/i.test(key) && value) values.push(value);
  return values;
}

/**
 * What is wrong with the answer to a case (empty when it is as expected): a 4xx from the expected
 * set, and for JSON answers exactly `{error, message}` with a clear message that leaks nothing.
 */
export function judge(c: BadCase, outcome: Outcome, forbidden: readonly string[]): string[] {
  const problems: string[] = [];
  const answer = outcome.answer;
  if (c.transport === 'slow') {
    if (answer && (answer.status < 400 || answer.status >= 500))
      problems.push(`answered ${answer.status}`);
    return problems;
  }
  if (!answer) return [`no answer: ${outcome.error ?? 'unknown'}`];
  if (!c.expect.status.includes(answer.status))
    problems.push(`status ${answer.status}, expected ${c.expect.status.join('/')}`);
  const empty = answer.body.length === 0;
  if (c.expect.body === 'none') {
    if (!empty) problems.push('a body where none was expected');
    return problems;
  }
  if (empty) {
    if (c.expect.body === 'json') problems.push('an empty body');
    return problems;
  }
  if (!/^application\/json\b/.test(answer.contentType ?? ''))
    problems.push(`Content-Type ${answer.contentType ?? 'none'}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return [...problems, `body is not JSON: ${answer.body.toString('utf8').slice(0, 80)}`];
  }
  const keys = parsed !== null && typeof parsed === 'object' ? Object.keys(parsed).sort() : [];
  if (keys.join(',') !== 'error,message') return [...problems, `body keys ${keys.join(',')}`];
  const { error, message } = parsed as { error: unknown; message: unknown };
  if (typeof error !== 'string' || !(ERROR_KINDS as readonly string[]).includes(error))
    problems.push(`error ${String(error)}`);
  if (typeof message !== 'string' || message.trim() === '')
    return [...problems, 'an empty message'];
  if (message.length > 600) problems.push(`a ${message.length}-character message`);
  if (/\n\s*at |\bat \S+ \(.*:\d+:\d+\)|node:internal|\/dist\/|\.js:\d+/.test(message))
    problems.push(`a stack trace or internal path in the message: ${message.slice(0, 120)}`);
  for (const value of forbidden)
    if (message.includes(value)) problems.push('a secret in the message');
  if (c.expect.message && !c.expect.message.test(message))
    problems.push(
      `message ${JSON.stringify(message.slice(0, 120))} does not match ${String(c.expect.message)}`,
    );
  return problems;
}
