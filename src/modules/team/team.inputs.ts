import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IsInt, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { Team } from './team.entity';

@InputType()
export class CreateTeamInput {
  @Field(() => String, { description: 'Lowercase letters, digits and dashes; 1 to 64 characters.' })
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, { message: 'slug must be 1-64 lowercase letters, digits or dashes, not starting or ending with a dash' })
  slug: string;

  @Field(() => String)
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @Field(() => Int, { nullable: true, description: 'Current verdicts needed to settle a claim; default 2.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  verdictQuorum?: number | null;
}

@ObjectType()
export class CreateTeamPayload {
  @Field(() => Team) team: Team;
}

@InputType()
export class UpdateTeamInput {
  @Field(() => ID) teamId: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  verdictQuorum?: number | null;
}

@ObjectType()
export class UpdateTeamPayload {
  @Field(() => Team) team: Team;
}
