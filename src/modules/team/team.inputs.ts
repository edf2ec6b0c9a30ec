import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IsInt, IsOptional, IsUrl, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Team } from './team.entity';
import { TEXT_LIMITS } from '../../shared/text-limits';

/** http(s) URLs with a host; `localhost` and addresses allowed (a desk's own test set-up). */
const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

@InputType()
export class CreateTeamInput {
  @Field(() => String, { description: 'Lowercase letters, digits and dashes; 1 to 64 characters.' })
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, { message: 'slug must be 1-64 lowercase letters, digits or dashes, not starting or ending with a dash' })
  slug: string;

  @Field(() => String)
  @Length(1, TEXT_LIMITS.name.max)
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
  @Length(1, TEXT_LIMITS.name.max)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  verdictQuorum?: number | null;

  @Field(() => String, { nullable: true, description: "The publishing organisation's name; null clears it (the team name is used)." })
  @IsOptional()
  @Length(1, TEXT_LIMITS.organizationName.max)
  @Matches(/\S/, { message: 'organizationName must not be blank' })
  organizationName?: string | null;

  @Field(() => String, { nullable: true, description: "The organisation's home page (http or https); null clears it." })
  @IsOptional()
  @MaxLength(TEXT_LIMITS.url.max)
  @IsUrl(HTTP_URL, { message: 'organizationUrl must be an http or https URL' })
  organizationUrl?: string | null;

  @Field(() => String, { nullable: true, description: "The organisation's logo (http or https); null clears it." })
  @IsOptional()
  @MaxLength(TEXT_LIMITS.url.max)
  @IsUrl(HTTP_URL, { message: 'organizationLogoUrl must be an http or https URL' })
  organizationLogoUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Origin (and optional path) where this server's public pages are reached, without a trailing slash, e.g. https://checks.example.org; null clears it.",
  })
  @IsOptional()
  @MaxLength(TEXT_LIMITS.publicBaseUrl.max)
  @IsUrl(HTTP_URL, { message: 'publicBaseUrl must be an http or https URL' })
  @Matches(/^[^?#]*[^/?#]$/, { message: 'publicBaseUrl must not end with a slash or carry a query or fragment' })
  publicBaseUrl?: string | null;
}

@ObjectType()
export class UpdateTeamPayload {
  @Field(() => Team) team: Team;
}
