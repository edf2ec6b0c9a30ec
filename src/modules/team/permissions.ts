import type { Actor } from '../../shared/actor';
import { requireRole } from '../../shared/actor';
import { ROLES_BY_RANK, Role, roleAtLeast } from './role';

/**
 * The permission matrix, written once: every service method authorises with one of these, and
 * README's table is generated from it (a test keeps the two equal). A role may do everything
 * the roles below it may (ROLES_BY_RANK).
 */
export const PERMISSIONS = {
  'team.read': { role: Role.VIEWER, description: "Read the team's articles, claims, sources, verdicts, comments, history; export reports" },
  'verdict.write': { role: Role.REVIEWER, description: 'Give, revise and withdraw their own verdicts' },
  'evidence.write': { role: Role.REVIEWER, description: 'Add evidence (and remove their own)' },
  'comment.write': { role: Role.REVIEWER, description: 'Comment and reply (edit and delete their own)' },
  'article.write': { role: Role.EDITOR, description: 'Create, import, edit and revise articles' },
  'claim.write': { role: Role.EDITOR, description: "Create, edit, delete claims; set speakers; remove anyone's evidence or comments" },
  'source.write': { role: Role.EDITOR, description: 'Create and edit sources' },
  'claim.review': { role: Role.EDITOR, description: 'Mark and resolve disputes; publish and unpublish the final verdict; assign reviewers' },
  'team.update': { role: Role.OWNER, description: "Change the team's name, verdict quorum, publishing organisation and public base URL" },
  'webhook.manage': { role: Role.OWNER, description: 'Manage webhook endpoints and read their delivery log' },
  'team.manageMembers': { role: Role.OWNER, description: 'Add and remove members, change roles (a team keeps at least one OWNER)' },
} as const satisfies Record<string, { role: Role; description: string }>;

export type Permission = keyof typeof PERMISSIONS;

/** The first line of every service method that touches a team's data. */
export function authorize(actor: Actor, teamId: string, permission: Permission, typeName: string): Role {
  return requireRole(actor, teamId, PERMISSIONS[permission].role, typeName);
}

export function can(role: Role | null, permission: Permission): boolean {
  return role !== null && roleAtLeast(role, PERMISSIONS[permission].role);
}

/** README's permission table. */
export function permissionTable(): string {
  const lines = [
    `| permission | what it allows | ${ROLES_BY_RANK.join(' | ')} |`,
    `|---|---|${ROLES_BY_RANK.map(() => ':-:').join('|')}|`,
    ...Object.entries(PERMISSIONS).map(
      ([name, { description }]) => `| \`${name}\` | ${description} | ${ROLES_BY_RANK.map((role) => (can(role, name as Permission) ? '✓' : '')).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}
