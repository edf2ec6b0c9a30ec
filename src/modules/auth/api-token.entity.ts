import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

export enum TokenKind {
  API = 'API',
  SESSION = 'SESSION',
}
registerEnumType(TokenKind, {
  name: 'TokenKind',
  valuesConfig: {
    API: { description: 'A personal API token for scripts; lives until it expires or is revoked.' },
    SESSION: { description: 'A login session of a front end.' },
  },
});

/** A credential. Only a SHA-256 of the secret is stored; `tokenHash` is never a GraphQL field. */
@Entity({ name: 'api_tokens' })
@ObjectType('ApiToken', { implements: Node, description: 'A credential (the secret itself is shown once, at creation).' })
export class ApiToken implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('ApiToken', this.id);
  }

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  @Field(() => TokenKind)
  kind: TokenKind;

  @Column({ type: 'text' })
  @Field(() => String)
  name: string;

  // not read back: the application's role has no SELECT on it (tokens are verified by claimgraph_authenticate)
  @Column({ name: 'token_hash', type: 'bytea', select: false })
  tokenHash: Buffer;

  @Column({ type: 'text' })
  @Field(() => String, { description: 'The first characters of the secret, to recognise it.' })
  prefix: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;
}
