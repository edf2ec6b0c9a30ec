import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropAllRoutines } from '../src/db/sql-routines';
import { WRITE_PATH_FUNCTIONS } from './1764440000000-WritePath';

/**
 * Rules that live in the database move to `.sql` files beside their modules (src/db/sql-routines.ts
 * applies them after the migrations, whenever a file's content changes). This table keeps the text
 * of each version applied, so a version can be put back without the file that wrote it.
 */
export class SqlRoutines1764500000000 implements MigrationInterface {
  name = 'SqlRoutines1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE schema_routines (
        id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name        text NOT NULL,
        checksum    text NOT NULL,
        body        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX schema_routines_name_idx ON schema_routines (name, id);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAllRoutines(queryRunner);
    await queryRunner.query('DROP TABLE schema_routines');
    // down restores the verdict write that migration WritePath defines
    await queryRunner.query(WRITE_PATH_FUNCTIONS);
  }
}
