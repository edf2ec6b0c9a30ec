import { MigrationInterface, QueryRunner } from 'typeorm';
import { TEXT_LIMITS } from '../src/shared/text-limits';

/**
 * Ingestion: language-aware full-text search over article text and claim quotes, trigram indexes
 * for repeat-claim matching and speaker deduplication, and the link from an imported candidate to
 * the already reviewed claim it repeats.
 */
export class Ingestion1764420000000 implements MigrationInterface {
  name = 'Ingestion1764420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;

      -- BCP 47 language -> text search configuration; 'simple' for languages Postgres has no stemmer for.
      CREATE FUNCTION claimgraph_search_config(language text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE split_part(lower(coalesce(language, '')), '-', 1)
          WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish'
          WHEN 'pt' THEN 'portuguese' WHEN 'it' THEN 'italian' WHEN 'nl' THEN 'dutch' WHEN 'ru' THEN 'russian'
          WHEN 'sv' THEN 'swedish' WHEN 'da' THEN 'danish' WHEN 'fi' THEN 'finnish' WHEN 'no' THEN 'norwegian'
          WHEN 'nb' THEN 'norwegian' WHEN 'hu' THEN 'hungarian' WHEN 'ro' THEN 'romanian' WHEN 'tr' THEN 'turkish'
          ELSE 'simple' END::regconfig
      $$;

      ALTER TABLE article_revisions ADD COLUMN search_config regconfig NOT NULL DEFAULT 'english';
      ALTER TABLE article_revisions ADD COLUMN search_tsv tsvector
        GENERATED ALWAYS AS (to_tsvector(search_config, body)) STORED;
      CREATE INDEX article_revisions_search_idx ON article_revisions USING gin (search_tsv);

      ALTER TABLE articles ADD COLUMN search_tsv tsvector
        GENERATED ALWAYS AS (to_tsvector(claimgraph_search_config(language),
          coalesce(title, '') || ' ' || coalesce(outlet, '') || ' ' || coalesce(byline, ''))) STORED;
      CREATE INDEX articles_search_idx ON articles USING gin (search_tsv);

      ALTER TABLE claims ADD COLUMN search_config regconfig NOT NULL DEFAULT 'english';
      ALTER TABLE claims ADD COLUMN search_tsv tsvector
        GENERATED ALWAYS AS (to_tsvector(search_config, quote_exact)) STORED;
      CREATE INDEX claims_search_idx ON claims USING gin (search_tsv);
      CREATE INDEX claims_quote_trgm_idx ON claims USING gin (quote_exact gin_trgm_ops) WHERE deleted_at IS NULL;

      -- set at import when a candidate repeats a claim the desk already reviewed
      ALTER TABLE claims ADD COLUMN repeat_of_id uuid REFERENCES claims (id);
      CREATE INDEX claims_repeat_of_idx ON claims (repeat_of_id) WHERE repeat_of_id IS NOT NULL;
      -- extraction's confidence and check-worthiness (null for claims marked by hand)
      ALTER TABLE claims ADD COLUMN extraction_confidence real CHECK (extraction_confidence BETWEEN 0 AND 1);
      ALTER TABLE claims ADD COLUMN checkworthiness real CHECK (checkworthiness BETWEEN 0 AND 1);
      ALTER TABLE claims ADD COLUMN via text CHECK (length(via) <= ${TEXT_LIMITS.via.max});

      CREATE INDEX sources_name_trgm_idx ON sources USING gin (normalized_name gin_trgm_ops);

      -- Revisions and claims are searched in their article's language, whoever inserts them.
      CREATE FUNCTION claimgraph_set_search_config() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_config := claimgraph_search_config((SELECT language FROM articles WHERE id = NEW.article_id));
        RETURN NEW;
      END $$;
      CREATE TRIGGER article_revisions_search_config BEFORE INSERT ON article_revisions
        FOR EACH ROW EXECUTE FUNCTION claimgraph_set_search_config();
      CREATE TRIGGER claims_search_config BEFORE INSERT ON claims
        FOR EACH ROW EXECUTE FUNCTION claimgraph_set_search_config();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER claims_search_config ON claims;
      DROP TRIGGER article_revisions_search_config ON article_revisions;
      DROP FUNCTION claimgraph_set_search_config();
      DROP INDEX sources_name_trgm_idx;
      DROP INDEX claims_quote_trgm_idx;
      ALTER TABLE claims DROP COLUMN via, DROP COLUMN checkworthiness, DROP COLUMN extraction_confidence,
        DROP COLUMN repeat_of_id, DROP COLUMN search_tsv, DROP COLUMN search_config;
      ALTER TABLE articles DROP COLUMN search_tsv;
      ALTER TABLE article_revisions DROP COLUMN search_tsv, DROP COLUMN search_config;
      DROP FUNCTION claimgraph_search_config(text);
    `);
  }
}
