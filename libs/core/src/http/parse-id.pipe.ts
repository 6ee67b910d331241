import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';

/** Ids in URLs are positive integers (the contract); anything else is a 422 naming the parameter. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (/^[1-9][0-9]{0,15}$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    throw new AppError('validation_failed', 'id must be a positive integer', [{ field: 'id', message: 'must be a positive integer' }]);
  }
}
