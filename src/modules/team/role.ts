import { registerEnumType } from 'type-graphql';

export enum Role {
  OWNER = 'OWNER',
  EDITOR = 'EDITOR',
  REVIEWER = 'REVIEWER',
  VIEWER = 'VIEWER',
}

registerEnumType(Role, {
  name: 'Role',
  description: "A member's role in a team; each role may do everything the roles below it may.",
  valuesConfig: {
    OWNER: { description: 'Manages members and roles, and everything an editor does.' },
    EDITOR: { description: 'Imports and edits articles and claims, manages sources, publishes.' },
    REVIEWER: { description: 'Writes verdicts, evidence and comments.' },
    VIEWER: { description: 'Reads.' },
  },
});

const RANK: Record<Role, number> = { OWNER: 4, EDITOR: 3, REVIEWER: 2, VIEWER: 1 };

export function roleAtLeast(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}
