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

/** The roles, highest first: each may do everything the roles after it may. */
export const ROLES_BY_RANK: readonly Role[] = [Role.OWNER, Role.EDITOR, Role.REVIEWER, Role.VIEWER];

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES_BY_RANK.indexOf(role) <= ROLES_BY_RANK.indexOf(required);
}
