import { Role, roleAtLeast } from '../modules/team/role';
import { DomainError, ErrorCode, notFound } from './errors';

/** The authenticated caller, as every service sees it. Services never read HTTP. */
export class Actor {
  constructor(
    readonly userId: string,
    /** team id -> role */
    readonly memberships: ReadonlyMap<string, Role>,
    /** How the caller authenticated, for logs and audit: 'dev-header', 'default-user', 'token', ... */
    readonly via: string,
    /** The API token or login session used, so logout can end exactly that session. */
    readonly tokenId: string | null = null,
  ) {}

  get teamIds(): string[] {
    return [...this.memberships.keys()];
  }

  roleIn(teamId: string): Role | null {
    return this.memberships.get(teamId) ?? null;
  }

  /** A member with a new team (after createTeam), without reloading from the database. */
  withMembership(teamId: string, role: Role): Actor {
    return new Actor(this.userId, new Map([...this.memberships, [teamId, role]]), this.via, this.tokenId);
  }
}

/**
 * The first check of every service method. Not a member: the object does not exist for you
 * (NOT_FOUND, the same answer as a missing id). A member whose role is too low: FORBIDDEN.
 */
export function requireRole(actor: Actor, teamId: string, minimum: Role, typeName: string): Role {
  const role = actor.roleIn(teamId);
  if (!role) throw notFound(typeName);
  if (!roleAtLeast(role, minimum)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `This needs the ${minimum} role or higher in the team; you are ${role}`, {
      requiredRole: minimum,
    });
  }
  return role;
}

/** Every operation but login and introspection needs a caller. */
export function requireActor(context: { session: { actor: Actor | null; authError?: string | null } }): Actor {
  const actor = context.session.actor;
  if (!actor) throw new DomainError(ErrorCode.UNAUTHENTICATED, context.session.authError ?? 'Authentication required');
  return actor;
}
