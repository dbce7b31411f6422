import type { EnrichContext, EnrichmentProvider } from '../provider';
import type { CompanyInput, EnrichmentResult, PersonInput } from '../result-schema';

/** A canonical vertical, the words that point to it, and the names a tenant's list may give it. */
interface VerticalRule {
  readonly name: string;
  readonly keywords: readonly string[];
  readonly aliases: readonly string[];
  readonly angle: string;
}

const RULES: readonly VerticalRule[] = [
  {
    name: 'Manufacturing',
    keywords: [
      'robot',
      'manufactur',
      'factory',
      'factories',
      'industrial',
      'automation',
      'machin',
      'production',
      'fabrication',
    ],
    aliases: ['manufacturing', 'industry', 'industrial'],
    angle: 'uptime on the production line',
  },
  {
    name: 'Software & IT',
    keywords: [
      'software',
      'saas',
      'cloud',
      'platform',
      'app',
      'apps',
      'digital',
      'data',
      'it services',
      'developer',
    ],
    aliases: ['software & it', 'software', 'it', 'technology', 'tech', 'saas'],
    angle: 'shipping faster without growing the team',
  },
  {
    name: 'Healthcare',
    keywords: [
      'clinic',
      'health',
      'hospital',
      'medical',
      'pharma',
      'patient',
      'diagnos',
      'outpatient',
      'care',
    ],
    aliases: ['healthcare', 'health care', 'health', 'medical'],
    angle: 'more time with patients and less paperwork',
  },
  {
    name: 'Retail',
    keywords: ['retail', 'store', 'shop', 'e-commerce', 'ecommerce', 'fashion', 'consumer'],
    aliases: ['retail', 'commerce', 'e-commerce'],
    angle: 'turning more visits into orders',
  },
  {
    name: 'Financial Services',
    keywords: [
      'bank',
      'finance',
      'financial',
      'insurance',
      'invest',
      'capital',
      'payment',
      'fintech',
      'accounting',
    ],
    aliases: ['financial services', 'finance', 'banking', 'insurance'],
    angle: 'compliance without slowing customers down',
  },
  {
    name: 'Energy',
    keywords: ['energy', 'power', 'solar', 'wind', 'oil', 'gas', 'hydro', 'grid', 'renewable'],
    aliases: ['energy', 'utilities', 'oil & gas'],
    angle: 'keeping assets productive and safe',
  },
  {
    name: 'Logistics',
    keywords: [
      'logistic',
      'freight',
      'shipping',
      'transport',
      'cargo',
      'warehouse',
      'fleet',
      'delivery',
    ],
    aliases: ['logistics', 'transport', 'transportation', 'shipping'],
    angle: 'on-time deliveries at lower cost per shipment',
  },
  {
    name: 'Education',
    keywords: ['school', 'university', 'education', 'training', 'academy', 'learning', 'course'],
    aliases: ['education', 'training', 'e-learning'],
    angle: 'better outcomes for learners',
  },
];

const UNCLASSIFIED = 'Unclassified';

/** Case- and whitespace-insensitive form of a name, as the Vertical mapping compares names. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').trim();
}

function haystack(company: CompanyInput): string {
  return normaliseName(
    [company.name, ...company.domains, company.website ?? '', company.description ?? ''].join(' '),
  );
}

/** Occurrences of each rule's keywords; ties go to the earlier rule, so the result is deterministic. */
export function scoreVerticals(company: CompanyInput): { rule: VerticalRule; score: number }[] {
  const text = haystack(company);
  return RULES.map((rule) => ({
    rule,
    score: rule.keywords.reduce(
      (n, keyword) =>
        n + (text.match(new RegExp(`\\b${keyword.replace(/[-&]/g, '\\$&')}`, 'g'))?.length ?? 0),
      0,
    ),
  })).sort((a, b) => b.score - a.score);
}

function firstSentence(text: string | undefined): string | undefined {
  const sentence = text
    ?.trim()
    .split(/(?<=[.!?])\s/)[0]
    ?.trim();
  return sentence ? sentence.replace(/[.!?]$/, '') : undefined;
}

/**
 * The offline, deterministic provider: keyword rules over name, domains and description, with the
 * vertical named as one of the tenant's own Vertical list items. The embedded default for the demo
 * and the tests; same input, same output.
 */
export class BuiltinProvider implements EnrichmentProvider {
  readonly name = 'builtin';

  enrichCompany(company: CompanyInput, context: EnrichContext): Promise<EnrichmentResult> {
    const [best] = scoreVerticals(company);
    const rule = best && best.score > 0 ? best.rule : undefined;
    const listed = rule
      ? context.verticals.find(
          (v) =>
            rule.aliases.includes(normaliseName(v)) ||
            normaliseName(v) === normaliseName(rule.name),
        )
      : undefined;
    const vertical = listed ?? rule?.name ?? UNCLASSIFIED;
    const what = firstSentence(company.description);
    const where = company.country ? ` based in ${company.country}` : '';
    const summary = rule
      ? `${company.name} is ${/^[aeiou]/i.test(vertical) ? 'an' : 'a'} ${vertical} company${where}.${what ? ` ${what}.` : ''}`
      : `${company.name}${where}: not enough public facts to classify it yet.${what ? ` ${what}.` : ''}`;
    const openers = rule
      ? [
          `${company.name} and ${rule.angle}: I have a short idea worth ten minutes.`,
          what
            ? `I read that ${company.name} works on "${what.toLowerCase()}" — how do you handle ${rule.angle}?`
            : `How does ${company.name} think about ${rule.angle} this year?`,
        ]
      : [`I would like to learn how ${company.name} works today — may I ask two quick questions?`];
    return Promise.resolve({ vertical, summary, openers });
  }

  personOpener(person: PersonInput, company: CompanyInput): Promise<string> {
    const [best] = scoreVerticals(company);
    const angle = best && best.score > 0 ? best.rule.angle : 'the priorities for this year';
    const role = person.jobTitle ?? person.position;
    return Promise.resolve(
      role
        ? `Hi ${person.firstName}, as ${role} at ${company.name} you are probably close to ${angle} — may I share one idea?`
        : `Hi ${person.firstName}, I would value your view at ${company.name} on ${angle}.`,
    );
  }
}
