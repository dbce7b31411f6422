import { ENTRY_STATUSES, runFactSchema, type EntryStatus, type RunFact } from './entry';

/**
 * How a fact is stored as a member of its account's sorted set. Redis keeps a sorted set of at
 * most 128 members of at most 64 bytes each as one compact listpack (`zset-max-listpack-*`); one
 * longer member turns the whole set into a skiplist and a dict, about 1.2 KB for an account of two
 * facts instead of about 200 B (bench/RESULTS.md section 9). A fact as JSON was ~330 bytes, so the
 * member now leaves out what the key and the score already say, and the texts every skip repeats:
 *
 *   RS version id US status US record US event US reason US detail US rest
 *
 * - RS (\x1e) and the format's version (`1`) start the member; a member of another version is not
 *   read (skipped, as a malformed member always was). A member starting with `{` is a fact as JSON,
 *   read as before: written before this encoding, an enrichment's fact (below), or a fact with a
 *   control character or a lone UTF-16 surrogate in a text.
 * - Only `event` facts are encoded. An enrichment writes the same fact again on every attempt
 *   (RUNNING, FAILED will-retry); as JSON its `at` keeps each one a member of its own, so the run
 *   keeps the attempt history and the enrichment's first time. Encoded, without `at`, identical
 *   facts would collapse into one (ZADD only moves its score). An event's facts are one per status
 *   and EventId; one written twice (a job re-run after a crash) collapsing is what the reader's
 *   fold does anyway.
 * - tenant and accountId are the key's; `at` is the score (kept in `rest` unless it is the score's
 *   ISO form); `kind` follows from the id (`enrich:` ids are enrichments), else it is in `rest`.
 * - id: a lower-case UUID (an EventId) as \x1d + 22 characters of base64url, else as it is.
 * - status: its first letter, upper case when the job is the one the id names (`so-events` and
 *   the lower-cased EventId, `so-enrich` and the id after `enrich:`), lower case when not (then it
 *   is in `rest`, or the fact has none).
 * - record: empty for the account's own contact, else `c`/`p` and the id.
 * - event, reason, detail: empty when absent (an empty string goes in `rest`).
 * - rest: the other fields as JSON, empty when none.
 * Then each of PHRASES is replaced by one control character (\x01…): JSON never holds a raw
 * control character and positional fields with one are refused, so decoding is exact.
 * Lossless: decodeFact(encodeFact(f), ms) equals f, whatever f holds (fact-codec.test.ts).
 */

const RS = '\x1e';
const FORMAT_VERSION = '1';
const US = '\x1f';
const UUID_MARK = '\x1d';

/**
 * Texts facts repeat, most of them on every skip (at most 28, \x01–\x1c). A phrase's code is its
 * position: never reorder, insert or remove one within a version (the replacement regex sorts its
 * own alternation, longest first); a new table needs a new FORMAT_VERSION. fact-codec.test.ts pins
 * the stored bytes.
 */
const PHRASES = [
  ", the connector's API user",
  'changed by associate ',
  '"fieldsWritten":[{"key":"',
  '"providerLatencyMs":',
  '"calls":{"superoffice":',
  'updated_associate_id',
  'unsupported-entity',
  'unsupported-event',
  'irrelevant-change',
  'registration ping',
  '"accountName":"',
  'record-deleted',
  'contact.changed',
  'contact.created',
  'owner associate ',
  'relevant-change',
  'person.changed',
  'person.created',
  '"ownerName":"',
  'out-of-scope',
  ',"provider":',
  ',"patches":',
  'test-event',
  '","old":"',
  '","new":"',
  'changed: ',
  'updated',
  'echo',
] as const;
const CODES = PHRASES.map((_, i) => String.fromCharCode(1 + i));
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f]/;
// eslint-disable-next-line no-control-regex
const CODE = /[\x01-\x1c]/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const QUEUES = { event: 'so-events', enrichment: 'so-enrich' } as const;

// One pass: the alternation tries the longer phrases first.
const PHRASE = new RegExp(
  [...PHRASES]
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
  'g',
);
/** A lone surrogate: UTF-8 cannot hold it (it would come back as U+FFFD); JSON escapes it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const CODE_OF = new Map<string, string>(PHRASES.map((p, i) => [p, CODES[i]!]));

const squeeze = (text: string) => text.replace(PHRASE, (phrase) => CODE_OF.get(phrase) ?? phrase);

const expand = (text: string) =>
  text.replace(CODE, (code) => PHRASES[code.charCodeAt(0) - 1] ?? code);

function packId(id: string): string {
  if (!UUID.test(id)) return id;
  return UUID_MARK + Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');
}

function unpackId(text: string): string {
  if (!text.startsWith(UUID_MARK)) return text;
  const hex = Buffer.from(text.slice(1), 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The job a fact's id names: the one its writers attach. */
function impliedJob(kind: RunFact['kind'], id: string): { queue: string; id: string } {
  return kind === 'event'
    ? { queue: QUEUES.event, id: id.toLowerCase() }
    : { queue: QUEUES.enrichment, id: id.slice('enrich:'.length) };
}

const impliedKind = (id: string): RunFact['kind'] =>
  id.startsWith('enrich:') ? 'enrichment' : 'event';

/** A fact's member; `ms` is its score (Date.parse of its `at`). */
export function encodeFact(fact: RunFact, ms: number): string {
  if (fact.kind !== 'event') return JSON.stringify(fact);
  const { id, kind, tenant, accountId, at, status, record, event, reason, detail, job, ...more } =
    fact;
  void tenant;
  const rest: Record<string, unknown> = { ...more };
  if (kind !== impliedKind(id)) rest.kind = kind;
  if (new Date(ms).toISOString() !== at) rest.at = at;
  const implied = impliedJob(kind, id);
  const jobImplied = job !== undefined && job.queue === implied.queue && job.id === implied.id;
  if (job !== undefined && !jobImplied) rest.job = job;
  const text = (value: string | undefined, name: string): string => {
    if (value === '') rest[name] = value;
    return value ?? '';
  };
  const ownContact = record.entity === 'contact' && record.id === accountId;
  const letter = status[0]!;
  const fields = [
    packId(id),
    jobImplied ? letter : letter.toLowerCase(),
    ownContact ? '' : `${record.entity[0]}${record.id}`,
    text(event, 'event'),
    text(reason, 'reason'),
    text(detail, 'detail'),
  ];
  // A control character would be read as a separator or a phrase: such a fact stays JSON.
  // A lone surrogate would not survive UTF-8: such a fact stays JSON too.
  const unsafe = (f: string) => CONTROL.test(f) || LONE_SURROGATE.test(f);
  if (fields.some((f, i) => i > 0 && unsafe(f)) || unsafe(id)) return JSON.stringify(fact);
  fields.push(Object.keys(rest).length > 0 ? JSON.stringify(rest) : '');
  while (fields.length > 2 && fields[fields.length - 1] === '') fields.pop();
  return RS + FORMAT_VERSION + squeeze(fields.join(US));
}

const STATUS_BY_LETTER = new Map<string, EntryStatus>(ENTRY_STATUSES.map((s) => [s[0]!, s]));
// A status is stored as its first letter: two statuses sharing one would read as each other.
if (STATUS_BY_LETTER.size !== ENTRY_STATUSES.length)
  throw new Error(
    'fact-codec: two entry statuses share a first letter; give the codec a new version',
  );
const ENTITY_BY_LETTER = { c: 'contact', p: 'person' } as const;

/**
 * The fact a member holds, or undefined when it is not one (a malformed or unknown member is
 * skipped, as before). `tenant` and `accountId` are its key's, `ms` its score.
 */
export function decodeFact(
  member: string,
  ms: number,
  tenant: string,
  accountId: number,
): RunFact | undefined {
  try {
    if (!member.startsWith(RS)) {
      const parsed = runFactSchema.safeParse(JSON.parse(member));
      return parsed.success ? parsed.data : undefined;
    }
    if (member[1] !== FORMAT_VERSION) return undefined;
    const [packed = '', letter = '', record = '', event, reason, detail, rest] = expand(
      member.slice(2),
    ).split(US);
    const entity = record
      ? ENTITY_BY_LETTER[record[0] as keyof typeof ENTITY_BY_LETTER]
      : 'contact';
    if (entity === undefined) return undefined;
    const id = unpackId(packed);
    const status = STATUS_BY_LETTER.get(letter.toUpperCase());
    const more = rest ? (JSON.parse(rest) as Record<string, unknown>) : {};
    const kind = (more.kind as RunFact['kind'] | undefined) ?? impliedKind(id);
    const fact = {
      id,
      kind,
      tenant,
      accountId,
      at: new Date(ms).toISOString(),
      status,
      record: record ? { entity, id: Number(record.slice(1)) } : { entity, id: accountId },
      ...(event ? { event } : {}),
      ...(reason ? { reason } : {}),
      ...(detail ? { detail } : {}),
      ...(letter === status?.[0] ? { job: impliedJob(kind, id) } : {}),
      ...more,
    };
    const parsed = runFactSchema.safeParse(fact);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
