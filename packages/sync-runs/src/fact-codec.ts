import { ENTRY_STATUSES, runFactSchema, type EntryStatus, type RunFact } from './entry';

/**
 * How a fact is stored as a member of its account's sorted set. Redis keeps a sorted set of at
 * most 128 members of at most 64 bytes each as one compact listpack (`zset-max-listpack-*`); one
 * longer member turns the whole set into a skiplist and a dict, about 1.2 KB for an account of two
 * facts instead of about 200 B (bench/RESULTS.md section 9). A fact as JSON was ~330 bytes, so the
 * member now leaves out what the key and the score already say, and the texts every skip repeats:
 *
 *   RS id US status US record US event US reason US detail US rest
 *
 * - RS (\x1e) starts the member; a member starting with `{` is a fact as JSON (written before this
 *   encoding, or a fact with a control character in a positional field), read as before.
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
const US = '\x1f';
const UUID_MARK = '\x1d';

/** Texts facts repeat, most of them on every skip; longest first (at most 28, \x01–\x1c). */
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

// One pass: the alternation tries the longer phrases first (PHRASES is sorted so).
const PHRASE = new RegExp(
  PHRASES.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
  'g',
);
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
  if (fields.some((f, i) => i > 0 && CONTROL.test(f)) || CONTROL.test(id)) {
    return JSON.stringify(fact);
  }
  fields.push(Object.keys(rest).length > 0 ? JSON.stringify(rest) : '');
  while (fields.length > 2 && fields[fields.length - 1] === '') fields.pop();
  return RS + squeeze(fields.join(US));
}

const STATUS_BY_LETTER = new Map<string, EntryStatus>(ENTRY_STATUSES.map((s) => [s[0]!, s]));

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
    const [packed = '', letter = '', record = '', event, reason, detail, rest] = expand(
      member.slice(1),
    ).split(US);
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
      record: record
        ? { entity: record[0] === 'p' ? 'person' : 'contact', id: Number(record.slice(1)) }
        : { entity: 'contact', id: accountId },
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
