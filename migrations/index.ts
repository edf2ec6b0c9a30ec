import { Initial1764390000000 } from './1764390000000-Initial';

/** Every migration, oldest first. Listed explicitly so tsx, vitest and a build all load the same set. */
export const migrations = [Initial1764390000000];
