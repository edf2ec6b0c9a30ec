import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { authorize } from '../team/permissions';
import { fromGlobalId } from '../../shared/ids';
import { badInput, notFound } from '../../shared/errors';
import { versionedUpdate } from '../../shared/versioned-update';
import { paginate, type ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { checkText, optionalText } from '../../shared/text';
import { httpUrl } from '../../shared/values';
import { diff, insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import { Source } from './source.entity';
import type { CreateSourceInput, SourcesArgs, UpdateSourceInput } from './source.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

const SOURCE_FIELDS = ['kind', 'name', 'title', 'affiliation', 'url', 'anonymous', 'descriptor', 'version'] as const;

/** Lowercase, accents and punctuation gone, spaces folded: "Dr. José  Ramos" -> "dr jose ramos". */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

type Identity = Pick<Source, 'name' | 'anonymous' | 'descriptor'>;

function checkIdentity(identity: Identity): void {
  if (identity.anonymous) {
    if (!identity.descriptor) throw badInput('An anonymous source needs a descriptor (how the text describes it)', 'descriptor');
    if (identity.name) throw badInput('An anonymous source has no name; put what is known in descriptor', 'name');
  } else if (!identity.name) {
    throw badInput('A named source needs a name', 'name');
  }
}

export class SourceService {
  constructor(private readonly context: Context) {}

  async get(sourceId: string): Promise<Source> {
    return loadTeamRow(this.context, Source, sourceId, 'Source');
  }

  /** When `teamId` is given the source must belong to that team (a claim cannot cite another desk's source). */
  async getByGlobalId(globalId: string, field = 'id', teamId?: string): Promise<Source> {
    const source = await this.get(fromGlobalId(globalId, 'Source', field));
    if (teamId && source.teamId !== teamId) throw notFound('Source');
    return source;
  }

  async list(args: SourcesArgs): Promise<ConnectionResult<Source>> {
    const actor = requireActor(this.context);
    let teamIds = actor.teamIds;
    if (args.teamId) {
      const teamId = fromGlobalId(args.teamId, 'Team', 'teamId');
      authorize(actor, teamId, 'team.read', 'Team');
      teamIds = [teamId];
    }
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(Source, 'source').where('source.team_id = ANY(:teamIds)', { teamIds });
    if (args.search != null) {
      const words = normalizeName(checkText(args.search, 'search', { max: 200 }))
        .split(' ')
        .filter(Boolean);
      words.forEach((word, index) => {
        const pattern = `%${word.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
        query.andWhere(`(source.normalized_name LIKE :word${index} OR lower(source.descriptor) LIKE :word${index})`, { [`word${index}`]: pattern });
      });
    }
    return paginate(
      query,
      [
        { expression: `coalesce(source.normalized_name, '')`, direction: 'ASC', type: 'text' },
        { expression: 'source.id', direction: 'ASC', type: 'uuid' },
      ],
      args as ConnectionArgs,
    );
  }

  async create(input: CreateSourceInput): Promise<Source> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(input.teamId, 'Team', 'teamId');
    authorize(actor, teamId, 'source.write', 'Team');
    const name = optionalText(input.name, 'name', TEXT_LIMITS.sourceName.max);
    const values = {
      teamId,
      kind: input.kind,
      name,
      normalizedName: name ? normalizeName(name) : null,
      title: optionalText(input.title, 'title', TEXT_LIMITS.sourceName.max),
      affiliation: optionalText(input.affiliation, 'affiliation', TEXT_LIMITS.sourceName.max),
      url: httpUrl(input.url, 'url'),
      anonymous: input.anonymous ?? false,
      descriptor: optionalText(input.descriptor, 'descriptor', TEXT_LIMITS.descriptor.max),
      version: 1,
      createdBy: actor.userId,
    };
    checkIdentity(values);
    return this.context.db.transaction((manager) =>
      insertWithHistory(manager, Source, values, (created) => ({
        teamId,
        actorId: actor.userId,
        entityType: 'Source',
        entityId: created.id,
        action: 'CREATE',
        after: snapshot(created, SOURCE_FIELDS),
      })),
    );
  }

  async update(input: UpdateSourceInput): Promise<Source> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.sourceId, 'sourceId');
    authorize(actor, current.teamId, 'source.write', 'Source');
    const changes: Partial<Source> = {};
    if (input.kind != null) changes.kind = input.kind;
    if (input.name !== undefined) {
      changes.name = optionalText(input.name, 'name', TEXT_LIMITS.sourceName.max);
      changes.normalizedName = changes.name ? normalizeName(changes.name) : null;
    }
    if (input.title !== undefined) changes.title = optionalText(input.title, 'title', TEXT_LIMITS.sourceName.max);
    if (input.affiliation !== undefined) changes.affiliation = optionalText(input.affiliation, 'affiliation', TEXT_LIMITS.sourceName.max);
    if (input.url !== undefined) changes.url = httpUrl(input.url, 'url');
    if (input.anonymous != null) changes.anonymous = input.anonymous;
    if (input.descriptor !== undefined) changes.descriptor = optionalText(input.descriptor, 'descriptor', TEXT_LIMITS.descriptor.max);
    checkIdentity({ ...current, ...changes });
    return this.context.db.transaction(async (manager) => {
      const { before, after } = await versionedUpdate(manager, Source, 'Source', current.id, input.expectedVersion, changes);
      await recordHistory(manager, {
        teamId: after.teamId,
        actorId: actor.userId,
        entityType: 'Source',
        entityId: after.id,
        action: 'UPDATE',
        ...diff(before, after, SOURCE_FIELDS),
      });
      this.context.loaders.clear();
      return after;
    });
  }
}
