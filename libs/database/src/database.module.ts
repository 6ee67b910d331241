import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSourceOptions } from './data-source-options.js';
import { DatabaseHealth } from './database-health.js';

export interface DatabaseModuleOptions {
  url: string;
  poolSize: number;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...createDataSourceOptions(options),
          // Entities come from each module's TypeOrmModule.forFeature.
          autoLoadEntities: true,
          // Fail the start at once on a bad URL instead of retrying for half a minute.
          retryAttempts: 0,
        }),
      ],
      providers: [DatabaseHealth],
      exports: [DatabaseHealth],
    };
  }
}
