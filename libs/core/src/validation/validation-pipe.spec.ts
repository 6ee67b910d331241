import { Type } from 'class-transformer';
import { IsInt, IsString, ValidateNested } from 'class-validator';
import { AppError } from '../errors/app-error.js';
import { createValidationPipe } from './validation-pipe.js';

class Inner {
  @IsInt()
  size: number;
}

class Body {
  @IsString()
  name: string;

  @ValidateNested()
  @Type(() => Inner)
  inner: Inner;
}

async function refusal(value: unknown, type: 'body' | 'query' = 'body'): Promise<AppError> {
  try {
    await createValidationPipe().transform(value, { type, metatype: Body });
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the pipe took the input');
}

describe('the validation pipe on unknown fields', () => {
  it('names the fields a body takes when it holds one it does not', async () => {
    const error = await refusal({ name: 'a', inner: { size: 1 }, nmae: 'b' });
    expect(error.fieldErrors).toEqual([{ field: 'nmae', message: 'is not a known field; remove it (this body takes name, inner)' }]);
    expect(error.message).toBe('invalid input — nmae: is not a known field; remove it (this body takes name, inner)');
  });

  it('keeps the plain message for a nested object, and the other errors as they are', async () => {
    const error = await refusal({ name: 5, inner: { size: 1, sise: 2 } });
    expect(error.fieldErrors).toEqual([
      { field: 'name', message: 'name must be a string' },
      { field: 'inner.sise', message: 'is not a known field; remove it' },
    ]);
  });

  it('leaves a query alone (a query is not a body)', async () => {
    const error = await refusal({ name: 'a', inner: { size: 1 }, extra: '1' }, 'query');
    expect(error.fieldErrors).toEqual([{ field: 'extra', message: 'is not a known field; remove it' }]);
  });
});
