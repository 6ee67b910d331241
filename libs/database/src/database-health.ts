import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pendingMigrations } from './run-migrations.js';

export interface DatabaseReadiness {
  database: 'up' | 'down';
  migrations: 'applied' | 'pending' | 'unknown';
  pending?: string[];
}

@Injectable()
export class DatabaseHealth {
  // Migrations never un-apply while the process runs: once seen applied, skip the query.
  private migrationsApplied = false;

  constructor(private readonly dataSource: DataSource) {}

  async readiness(): Promise<DatabaseReadiness> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      return { database: 'down', migrations: 'unknown' };
    }
    if (this.migrationsApplied) return { database: 'up', migrations: 'applied' };
    const pending = await pendingMigrations((sql) => this.dataSource.query(sql));
    this.migrationsApplied = pending.length === 0;
    return this.migrationsApplied ? { database: 'up', migrations: 'applied' } : { database: 'up', migrations: 'pending', pending };
  }
}
