import type { EntityManager } from 'typeorm';

/**
 * Work another module does in the same transaction as an owner's write (its own rows about
 * `subject`): how a change that spans two libs commits or rolls back as one.
 */
export type InTransaction<T> = (manager: EntityManager, subject: T) => Promise<void>;
