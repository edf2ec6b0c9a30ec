import { registerEnumType } from 'type-graphql';

export enum ClaimKind {
  DIRECT_QUOTE = 'DIRECT_QUOTE',
  REPORTED_SPEECH = 'REPORTED_SPEECH',
  ASSERTION = 'ASSERTION',
}
registerEnumType(ClaimKind, {
  name: 'ClaimKind',
  valuesConfig: {
    DIRECT_QUOTE: { description: 'Words in quotation marks.' },
    REPORTED_SPEECH: { description: 'Paraphrased or attributed content.' },
    ASSERTION: { description: 'Stated by the article itself.' },
  },
});

export enum Sourcing {
  SOURCED = 'SOURCED',
  ANONYMOUS = 'ANONYMOUS',
  UNSOURCED = 'UNSOURCED',
}
registerEnumType(Sourcing, {
  name: 'Sourcing',
  valuesConfig: {
    SOURCED: { description: 'A named person, organisation or document.' },
    ANONYMOUS: { description: 'Described but not named.' },
    UNSOURCED: { description: 'No source given.' },
  },
});

export enum ClaimStatus {
  UNREVIEWED = 'UNREVIEWED',
  IN_REVIEW = 'IN_REVIEW',
  SETTLED = 'SETTLED',
  DISPUTED = 'DISPUTED',
  NEEDS_REREVIEW = 'NEEDS_REREVIEW',
}
registerEnumType(ClaimStatus, {
  name: 'ClaimStatus',
  description: "Derived from the current verdicts and the team's quorum; never set directly.",
  valuesConfig: {
    UNREVIEWED: { description: 'No current verdict.' },
    IN_REVIEW: { description: "Fewer agreeing current verdicts than the team's quorum." },
    SETTLED: { description: 'Quorum reached and the verdicts agree.' },
    DISPUTED: { description: 'Current verdicts disagree, or an editor marked the claim disputed.' },
    NEEDS_REREVIEW: { description: 'A revision changed the words the current verdicts judged (see `judgedQuote`).' },
  },
});

export enum AnchorState {
  ANCHORED = 'ANCHORED',
  ORPHANED = 'ORPHANED',
}
registerEnumType(AnchorState, {
  name: 'AnchorState',
  valuesConfig: {
    ANCHORED: { description: 'The claim is placed on words of its revision.' },
    ORPHANED: { description: 'A revision removed or rewrote the words; the claim keeps its last anchor.' },
  },
});

export enum ClaimSort {
  POSITION = 'POSITION',
  UPDATED = 'UPDATED',
  CREATED = 'CREATED',
  STATUS = 'STATUS',
}
registerEnumType(ClaimSort, {
  name: 'ClaimSort',
  valuesConfig: {
    POSITION: { description: 'Article order (by article, then position in the text).' },
    UPDATED: { description: 'Most recently changed first.' },
    CREATED: { description: 'Newest first.' },
    STATUS: { description: 'Grouped by status (DISPUTED, NEEDS_REREVIEW, IN_REVIEW, UNREVIEWED, SETTLED), newest first within.' },
  },
});
