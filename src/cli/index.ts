import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { DomainError } from '../shared/errors';
import { toGlobalId } from '../shared/ids';
import { Role } from '../modules/team/role';
import { UserAdmin } from '../modules/user/user.service';
import { CliError, openRuntime, type CliRuntime } from './runtime';
import { registerImportCommand } from './import.command';
import { registerExportCommand } from './export.command';

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
  user.command('create')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>')
    .option('--password-stdin', 'read the password from standard input (or set CLAIMGRAPH_PASSWORD)')
    .action(action(async (runtime, options: { email: string; name: string; passwordStdin?: boolean }) => {
      const created = await new UserAdmin(runtime.database.dataSource).create(options.email, options.name, await passwordFrom(options));
      console.log(`created user ${created.email} (${toGlobalId('User', created.id)})`);
    }));
  user.command('set-password')
    .requiredOption('--email <email>')
    .option('--password-stdin', 'read the password from standard input (or set CLAIMGRAPH_PASSWORD)')
    .action(action(async (runtime, options: { email: string; passwordStdin?: boolean }) => {
      const password = await passwordFrom(options);
      if (!password) throw new CliError('Give the password on standard input with --password-stdin, or in CLAIMGRAPH_PASSWORD');
      await new UserAdmin(runtime.database.dataSource).setPassword(options.email, password);
      console.log(`password set for ${options.email}; their login sessions were ended`);
    }));

  const team = program.command('team').description('teams and members');
  team.command('create')
    .requiredOption('--slug <slug>')
    .requiredOption('--name <name>')
    .requiredOption('--owner <email>', 'the first OWNER (an existing user)')
    .option('--quorum <n>', 'verdicts needed to settle a claim', positiveInt)
    .action(action(async (runtime, options: { slug: string; name: string; owner: string; quorum?: number }) => {
      const owner = await runtime.actor({ as: options.owner });
      const created = await runtime.run(owner, (context) =>
        context.services.teams.create({ slug: options.slug, name: options.name, verdictQuorum: options.quorum ?? null }));
      console.log(`created team ${created.slug} (${created.nodeId}) owned by ${options.owner}`);
    }));
  team.command('add-member')
    .description('invite someone; they join when they accept (team accept)')
    .requiredOption('--team <slug>')
    .requiredOption('--email <email>', 'whom to invite')
    .requiredOption('--role <role>', 'OWNER, EDITOR, REVIEWER or VIEWER', role)
    .requiredOption('--as <email>', 'an OWNER of the team')
    .action(action(async (runtime, options: { team: string; email: string; role: Role; as: string }) => {
      const owner = await runtime.actor({ as: options.as });
      await runtime.run(owner, async (context) => {
        const found = await context.services.teams.getBySlug(options.team);
        await context.services.members.invite(found.nodeId, options.email, options.role);
      });
      console.log(`invited ${options.email} to ${options.team} as ${options.role}; they join with: team accept --team ${options.team} --as ${options.email}`);
    }));
  for (const answer of ['accept', 'decline'] as const) {
    team.command(answer)
      .description(`${answer} your pending invitation to a team`)
      .requiredOption('--team <slug>')
      .requiredOption('--as <email>', 'the invitee (an existing user)')
      .action(action(async (runtime, options: { team: string; as: string }) => {
        const invitee = await runtime.actor({ as: options.as });
        await runtime.run(invitee, async (context) => {
          const invitation = (await context.services.members.pendingInvitations()).find((pending) => pending.teamSlug === options.team);
          if (!invitation) throw new CliError(`${options.as} has no pending invitation to ${options.team}`);
          if (answer === 'accept') await context.services.members.accept(invitation.nodeId);
          else await context.services.members.decline(invitation.nodeId);
        });
        console.log(answer === 'accept' ? `${options.as} joined ${options.team}` : `${options.as} declined the invitation to ${options.team}`);
      }));
  }

  const token = program.command('token').description('personal API tokens');
  token.command('create')
    .requiredOption('--email <email>', 'the user the token acts as')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-in-days <days>', 'expiry (default: none)', positiveInt)
    .action(action(async (runtime, options: { email: string; name: string; expiresInDays?: number }) => {
      const actor = await runtime.actor({ as: options.email });
      const expiresAt = options.expiresInDays ? new Date(Date.now() + options.expiresInDays * 86_400_000) : null;
      const created = await runtime.run(actor, (context) => context.services.auth.createApiToken(options.name, expiresAt));
      // The secret alone on stdout, so `TOKEN=$(npm run -s cli -- token create ...)` works.
      console.error(`token ${created.apiToken.nodeId} for ${options.email}; store it now, it is not shown again`);
      console.log(created.token);
    }));
  token.command('revoke')
    .requiredOption('--email <email>')
    .requiredOption('--id <tokenId>')
    .action(action(async (runtime, options: { email: string; id: string }) => {
      const actor = await runtime.actor({ as: options.email });
      await runtime.run(actor, (context) => context.services.auth.revokeApiToken(options.id));
      console.log(`revoked ${options.id}`);
    }));
  registerImportCommand(program, action);
  registerExportCommand(program);
  return program;
}

if (require.main === module) {
  buildProgram().parseAsync(process.argv).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
