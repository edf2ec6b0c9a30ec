/**
 * The reporting verbs of English news prose and how each one carries its content:
 * - `clause`: takes a that-clause or a bare clause ("critics argue [that] the alliance could ...")
 * - `object`: takes a noun phrase that is itself the claim ("revealed plans to erect a statue")
 * - `as`: characterises something as something ("what Beijing describes as foreign interference")
 * `needsComplement` verbs are ordinary verbs too ("residents saw the damage"); they only report
 * speech or opinion when followed by "that" or "as".
 * Verbs of acting are not here even when they imply speech ("condemned the attack", "blamed her for
 * the protests", "claimed responsibility", "will announce a plan"): what they report is an act, which
 * the article asserts; only a verb whose complement is a proposition reports speech.
 */
export interface ReportingVerb {
  lemma: string;
  clause: boolean;
  object: boolean;
  as: boolean;
  needsComplement: boolean;
  /** Reports a request: "urged the council to act" says that the council should act. */
  directive?: boolean;
  form: 'base' | 'third' | 'past' | 'ing';
}

type Frame = Omit<ReportingVerb, 'lemma' | 'form'>;

const CLAUSE: Frame = { clause: true, object: false, as: false, needsComplement: false };
const CLAUSE_OBJECT: Frame = { clause: true, object: true, as: false, needsComplement: false };
const OBJECT: Frame = { clause: false, object: true, as: false, needsComplement: false };
const AS: Frame = { clause: false, object: true, as: true, needsComplement: true };
const CLAUSE_ONLY_WITH_THAT: Frame = { clause: true, object: false, as: false, needsComplement: true };
const DIRECTIVE: Frame = { clause: true, object: false, as: false, needsComplement: true, directive: true };

const LEXICON: Record<string, Frame> = {
  say: CLAUSE,
  tell: CLAUSE,
  add: CLAUSE,
  state: CLAUSE,
  explain: CLAUSE_OBJECT,
  argue: CLAUSE,
  claim: CLAUSE,
  insist: CLAUSE,
  warn: CLAUSE_OBJECT,
  stress: CLAUSE_OBJECT,
  emphasize: CLAUSE_OBJECT,
  emphasise: CLAUSE_OBJECT,
  assert: CLAUSE,
  affirm: CLAUSE_OBJECT,
  maintain: CLAUSE,
  contend: CLAUSE,
  believe: CLAUSE,
  suggest: CLAUSE_OBJECT,
  acknowledge: CLAUSE_OBJECT,
  admit: CLAUSE_OBJECT,
  concede: CLAUSE,
  confirm: CLAUSE_OBJECT,
  deny: CLAUSE_OBJECT,
  announce: CLAUSE_ONLY_WITH_THAT,
  declare: CLAUSE_OBJECT,
  reveal: CLAUSE_OBJECT,
  report: CLAUSE_OBJECT,
  note: CLAUSE_OBJECT,
  point: CLAUSE_ONLY_WITH_THAT,
  write: CLAUSE,
  tweet: CLAUSE,
  post: CLAUSE_ONLY_WITH_THAT,
  observe: CLAUSE,
  remark: CLAUSE,
  comment: CLAUSE,
  predict: CLAUSE_OBJECT,
  estimate: CLAUSE_OBJECT,
  allege: CLAUSE,
  conclude: CLAUSE,
  complain: CLAUSE,
  recall: CLAUSE_OBJECT,
  highlight: CLAUSE_OBJECT,
  underscore: CLAUSE_OBJECT,
  underline: CLAUSE_OBJECT,
  reiterate: CLAUSE_OBJECT,
  reply: CLAUSE,
  respond: CLAUSE_ONLY_WITH_THAT,
  answer: CLAUSE_ONLY_WITH_THAT,
  ask: DIRECTIVE,
  ascribe: OBJECT,
  attribute: OBJECT,
  urge: DIRECTIVE,
  encourage: DIRECTIVE,
  implore: DIRECTIVE,
  exhort: DIRECTIVE,
  caution: CLAUSE,
  vow: CLAUSE_OBJECT,
  pledge: CLAUSE_OBJECT,
  promise: CLAUSE_OBJECT,
  threaten: CLAUSE_OBJECT,
  testify: CLAUSE,
  disclose: CLAUSE_OBJECT,
  indicate: CLAUSE_ONLY_WITH_THAT,
  hint: CLAUSE_ONLY_WITH_THAT,
  signal: CLAUSE_ONLY_WITH_THAT,
  think: CLAUSE_ONLY_WITH_THAT,
  feel: CLAUSE_ONLY_WITH_THAT,
  fear: CLAUSE_ONLY_WITH_THAT,
  hope: CLAUSE_ONLY_WITH_THAT,
  expect: CLAUSE_ONLY_WITH_THAT,
  forecast: CLAUSE_OBJECT,
  agree: CLAUSE_ONLY_WITH_THAT,
  find: CLAUSE_ONLY_WITH_THAT,
  show: CLAUSE_ONLY_WITH_THAT,
  doubt: CLAUSE_ONLY_WITH_THAT,
  worry: CLAUSE_ONLY_WITH_THAT,
  accept: CLAUSE_ONLY_WITH_THAT,
  recommend: CLAUSE_OBJECT,
  // Praise and doubt voiced about something report an opinion in words ("questioned the timing").
  express: OBJECT,
  voice: OBJECT,
  question: OBJECT,
  praise: OBJECT,
  laud: OBJECT,
  hail: OBJECT,
  describe: AS,
  view: AS,
  see: AS,
  regard: AS,
  frame: AS,
  characterize: AS,
  characterise: AS,
  portray: AS,
  depict: AS,
  label: AS,
  brand: AS,
  paint: AS,
  cast: AS,
  term: AS,
  dub: AS,
  consider: AS,
  interpret: AS,
  call: { clause: false, object: true, as: false, needsComplement: false, directive: true },
};

const IRREGULAR: Record<string, Partial<Record<ReportingVerb['form'], string[]>>> = {
  say: { past: ['said'] },
  tell: { past: ['told'] },
  write: { past: ['wrote', 'written'] },
  think: { past: ['thought'] },
  see: { past: ['saw', 'seen'] },
  feel: { past: ['felt'] },
  find: { past: ['found'] },
  show: { past: ['showed', 'shown'] },
  cast: { past: ['cast'] },
};

const DOUBLES_FINAL_CONSONANT = new Set(['admit', 'dub', 'slam', 'label', 'signal', 'rebut']);

function inflect(lemma: string): Array<[string, ReportingVerb['form']]> {
  const forms: Array<[string, ReportingVerb['form']]> = [[lemma, 'base']];
  const consonantY = /[^aeiou]y$/.test(lemma);
  const stem = DOUBLES_FINAL_CONSONANT.has(lemma) ? lemma + lemma.at(-1) : lemma;
  if (consonantY) forms.push([`${lemma.slice(0, -1)}ies`, 'third']);
  else if (/(s|sh|ch|x|z|o)$/.test(lemma)) forms.push([`${lemma}es`, 'third']);
  else forms.push([`${lemma}s`, 'third']);
  const irregularPast = IRREGULAR[lemma]?.past;
  if (irregularPast) for (const form of irregularPast) forms.push([form, 'past']);
  else if (consonantY) forms.push([`${lemma.slice(0, -1)}ied`, 'past']);
  else if (lemma.endsWith('e')) forms.push([`${lemma}d`, 'past']);
  else {
    forms.push([`${stem}ed`, 'past']);
    if (stem !== lemma) forms.push([`${lemma}ed`, 'past']);
  }
  if (lemma.endsWith('e') && !lemma.endsWith('ee')) forms.push([`${lemma.slice(0, -1)}ing`, 'ing']);
  else {
    forms.push([`${stem}ing`, 'ing']);
    if (stem !== lemma) forms.push([`${lemma}ing`, 'ing']);
  }
  return forms;
}

const FORMS = new Map<string, ReportingVerb>();
for (const [lemma, frame] of Object.entries(LEXICON)) {
  for (const [form, kind] of inflect(lemma)) {
    if (!FORMS.has(form)) FORMS.set(form, { lemma, form: kind, ...frame });
  }
}

export function reportingVerb(word: string): ReportingVerb | undefined {
  return FORMS.get(word.toLowerCase());
}

/** Extra verbs that can attribute a quotation right after it ("'...,' he quipped"). */
export const QUOTE_ONLY_VERBS = new Set([
  'continued',
  'continues',
  'quipped',
  'joked',
  'exclaimed',
  'shouted',
  'proclaimed',
  'wondered',
  'sighed',
  'laughed',
  'cried',
  'pleaded',
  'mused',
  'snapped',
  'retorted',
  'interjected',
  // A written text quoted after its words: "“...,” the letter read", "“...,” the email began".
  'read',
  'reads',
  'began',
  'begins',
  'ended',
  'ends',
]);

/** Verbs that name or label rather than report: a short quote after them is a title, not a claim. */
export const NAMING_CUES = new Set([
  'called',
  'dubbed',
  'titled',
  'entitled',
  'named',
  'nicknamed',
  'so-called',
  'known',
  'labelled',
  'labeled',
  'branded',
  'billed',
  'styled',
  'termed',
]);
