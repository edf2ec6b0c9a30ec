import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { DomainError } from '../shared/errors';
import { toGlobalId } from '../shared/ids';
import { Role } from '../modules/team/role';
import { UserAdmin } from '../modules/user/user.service';
import { CliError, openRuntime, type CliRuntime } from './runtime';
import { registerImportCommand } from './import.command';
import { registerClaimReviewImportCommand } from './claim-review-import.command';
import { registerExportCommand } from './export.command';
import Table from 'cli-table3';

/** The global ID of the user with this email, for the member commands. */
async function memberId(runtime: CliRuntime, email: string): Promise<string> {
  const userId = await runtime.authenticator.userIdByEmail(email);
  if (!userId) throw new CliError(`No user has the email ${email}`);
  return toGlobalId('User', userId);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function passwordFrom(options: { passwordStdin?: boolean }): Promise<string | null> {
  if (options.passwordStdin) return (await readStdin()).replace(/\r?\n$/, '');
  return process.env.CLAIMGRAPH_PASSWORD ?? null;
}

function role(value: string): Role {
  const upper = value.toUpperCase();
  if (!(upper in Role)) throw new InvalidArgumentError(`role must be one of ${Object.keys(Role).join(', ')}`);
  return upper as Role;
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number of 1 or more');
  return number;
}

/** Opens the runtime, runs the command, closes it; domain errors become one clear line. */
export function action<A extends unknown[]>(work: (runtime: CliRuntime, ...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    let runtime: CliRuntime | null = null;
    try {
      runtime = await openRuntime();
      await work(runtime, ...args);
    } catch (error) {
      if (error instanceof DomainError || error instanceof CliError) {
        console.error(`error: ${error.message}`);
        process.exitCode = 1;
      } else {
        throw error;
      }
    } finally {
      await runtime?.close();
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('claimgraph').description('claimgraph administration: users, teams, tokens, import, export');
  program.showHelpAfterError();

  const user = program.command('user').description('accounts');
  user
    .command('create')
    .description('create a user; the password from standard input (--password-stdin) or CLAIMGRAPH_PASSWORD, or none (JWT or token only)')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>')
    .option('--password-stdin', 'read the password from standard input (or set CLAIMGRAPH_PASSWORD)')
    .action(
      action(async (runtime, options: { email: string; name: string; passwordStdin?: boolean }) => {
        const created = await new UserAdmin(runtime.database.dataSource).create(options.email, options.name, await passwordFrom(options));
        console.log(`created user ${created.email} (${toGlobalId('User', created.id)})`);
      }),
    );
  user
    .command('set-password')
    .description("set a user's password and end their login sessions")
    .requiredOption('--email <email>')
    .option('--password-stdin', 'read the password from standard input (or set CLAIMGRAPH_PASSWORD)')
    .action(
      action(async (runtime, options: { email: string; passwordStdin?: boolean }) => {
        const password = await passwordFrom(options);
        if (!password) throw new CliError('Give the password on standard input with --password-stdin, or in CLAIMGRAPH_PASSWORD');
        await new UserAdmin(runtime.database.dataSource).setPassword(options.email, password);
        console.log(`password set for ${options.email}; their login sessions were ended`);
      }),
    );

  const team = program.command('team').description('teams and members');
  team
    .command('create')
    .description('create a team with its first OWNER')
    .requiredOption('--slug <slug>')
    .requiredOption('--name <name>')
    .requiredOption('--owner <email>', 'the first OWNER (an existing user)')
    .option('--quorum <n>', 'verdicts needed to settle a claim', positiveInt)
    .action(
      action(async (runtime, options: { slug: string; name: string; owner: string; quorum?: number }) => {
        const owner = await runtime.actor({ as: options.owner });
        const created = await runtime.run(owner, (context) =>
          context.services.teams.create({ slug: options.slug, name: options.name, verdictQuorum: options.quorum ?? null }),
        );
        console.log(`created team ${created.slug} (${created.nodeId}) owned by ${options.owner}`);
      }),
    );
  team
    .command('add-member')
    .description('invite someone; they join when they accept (team accept)')
    .requiredOption('--team <slug>')
    .requiredOption('--email <email>', 'whom to invite')
    .requiredOption('--role <role>', 'OWNER, EDITOR, REVIEWER or VIEWER', role)
    .requiredOption('--as <email>', 'an OWNER of the team')
    .action(
      action(async (runtime, options: { team: string; email: string; role: Role; as: string }) => {
        const owner = await runtime.actor({ as: options.as });
        await runtime.run(owner, async (context) => {
          const found = await context.services.teams.getBySlug(options.team);
          await context.services.members.invite(found.nodeId, options.email, options.role);
        });
        console.log(`invited ${options.email} to ${options.team} as ${options.role}; they join with: team accept --team ${options.team} --as ${options.email}`);
      }),
    );
  for (const answer of ['accept', 'decline'] as const) {
    team
      .command(answer)
      .description(`${answer} your pending invitation to a team`)
      .requiredOption('--team <slug>')
      .requiredOption('--as <email>', 'the invitee (an existing user)')
      .action(
        action(async (runtime, options: { team: string; as: string }) => {
          const invitee = await runtime.actor({ as: options.as });
          await runtime.run(invitee, async (context) => {
            const invitation = (await context.services.members.pendingInvitations()).find((pending) => pending.teamSlug === options.team);
            if (!invitation) throw new CliError(`${options.as} has no pending invitation to ${options.team}`);
            if (answer === 'accept') await context.services.members.accept(invitation.nodeId);
            else await context.services.members.decline(invitation.nodeId);
          });
          console.log(answer === 'accept' ? `${options.as} joined ${options.team}` : `${options.as} declined the invitation to ${options.team}`);
        }),
      );
  }

  team
    .command('set-role')
    .description("change a member's role (a team keeps at least one OWNER)")
    .requiredOption('--team <slug>')
    .requiredOption('--email <email>', 'the member')
    .requiredOption('--role <role>', 'OWNER, EDITOR, REVIEWER or VIEWER', role)
    .requiredOption('--as <email>', 'an OWNER of the team')
    .action(
      action(async (runtime, options: { team: string; email: string; role: Role; as: string }) => {
        const member = await memberId(runtime, options.email);
        await runtime.run(await runtime.actor({ as: options.as }), async (context) => {
          const found = await context.services.teams.getBySlug(options.team);
          await context.services.members.changeRole(found.nodeId, member, options.role);
        });
        console.log(`${options.email} is now ${options.role} of ${options.team}`);
      }),
    );
  team
    .command('remove-member')
    .description('remove a member from the team (a team keeps at least one OWNER)')
    .requiredOption('--team <slug>')
    .requiredOption('--email <email>', 'the member')
    .requiredOption('--as <email>', 'an OWNER of the team')
    .action(
      action(async (runtime, options: { team: string; email: string; as: string }) => {
        const member = await memberId(runtime, options.email);
        await runtime.run(await runtime.actor({ as: options.as }), async (context) => {
          const found = await context.services.teams.getBySlug(options.team);
          await context.services.members.remove(found.nodeId, member);
        });
        console.log(`${options.email} is no longer a member of ${options.team}`);
      }),
    );

  const token = program.command('token').description('personal API tokens');
  token
    .command('create')
    .description('create an API token; prints the secret once, alone on standard output')
    .requiredOption('--email <email>', 'the user the token acts as')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-in-days <days>', 'expiry (default: none)', positiveInt)
    .action(
      action(async (runtime, options: { email: string; name: string; expiresInDays?: number }) => {
        const actor = await runtime.actor({ as: options.email });
        const expiresAt = options.expiresInDays ? new Date(Date.now() + options.expiresInDays * 86_400_000) : null;
        const created = await runtime.run(actor, (context) => context.services.auth.createApiToken(options.name, expiresAt));
        // The secret alone on stdout, so `TOKEN=$(npm run -s cli -- token create ...)` works.
        console.error(`token ${created.apiToken.nodeId} for ${options.email}; store it now, it is not shown again`);
        console.log(created.token);
      }),
    );
  token
    .command('revoke')
    .description('revoke an API token by its id (see token list)')
    .requiredOption('--email <email>', "the token's owner")
    .requiredOption('--id <tokenId>', "the token's ID")
    .action(
      action(async (runtime, options: { email: string; id: string }) => {
        const actor = await runtime.actor({ as: options.email });
        await runtime.run(actor, (context) => context.services.auth.revokeApiToken(options.id));
        console.log(`revoked ${options.id}`);
      }),
    );
  token
    .command('list')
    .description("list a user's API tokens, newest first (never their secrets)")
    .requiredOption('--email <email>', "the tokens' owner")
    .action(
      action(async (runtime, options: { email: string }) => {
        const actor = await runtime.actor({ as: options.email });
        const tokens = await runtime.run(actor, (context) => context.services.auth.apiTokens({ first: 100 }));
        const table = new Table({ head: ['id', 'name', 'prefix', 'created', 'last used', 'expires', 'revoked'] });
        const when = (date: Date | null) => date?.toISOString() ?? '';
        for (const node of tokens.nodes) {
          table.push([node.nodeId, node.name, node.prefix, when(node.createdAt), when(node.lastUsedAt), when(node.expiresAt), when(node.revokedAt)]);
        }
        console.log(tokens.nodes.length ? table.toString() : `${options.email} has no API tokens`);
      }),
    );
  registerImportCommand(program, action);
  registerClaimReviewImportCommand(program, action);
  registerExportCommand(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
