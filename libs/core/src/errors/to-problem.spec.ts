import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { AppError } from './app-error.js';
import { toProblem } from './to-problem.js';

describe('toProblem', () => {
  it('maps an AppError through the one code table, with field errors', () => {
    const { problem, unexpected } = toProblem(
      new AppError('validation_failed', 'invalid input', [{ field: 'client_name', message: 'too long' }]),
    );
    expect(unexpected).toBe(false);
    expect(problem).toEqual({
      type: 'https://wgfleet.dev/errors/validation_failed',
      title: 'Unprocessable Content',
      status: 422,
      code: 'validation_failed',
      error: 'invalid input',
      errors: [{ field: 'client_name', message: 'too long' }],
    });
  });

  it('carries extension members without letting them replace the standard ones', () => {
    const { problem } = toProblem(new AppError('port_in_use', 'taken', undefined, { conflicting_port_forward_id: 12, status: 200 }));
    expect(problem).toMatchObject({ status: 409, code: 'port_in_use', conflicting_port_forward_id: 12 });
  });

  it.each([
    [new NotFoundException('Cannot GET /x'), 404, 'not_found', 'Cannot GET /x'],
    [new BadRequestException('bad'), 400, 'bad_request', 'bad'],
    [new HttpException('Request body is too large', 413), 413, 'payload_too_large', expect.stringContaining('BODY_LIMIT_BYTES')],
    [new HttpException('Unsupported Media Type', 415), 415, 'unsupported_media_type', expect.stringContaining('application/json')],
  ])('maps Nest HTTP exceptions by status (%#)', (error, status, code, message) => {
    expect(toProblem(error)).toEqual({ problem: expect.objectContaining({ status, code, error: message }), unexpected: false });
  });

  it.each([['ECONNREFUSED'], ['57P01'], ['08006']])('turns a lost database (%s) into a 503', (code) => {
    const error = Object.assign(new Error('connect failed'), { code });
    expect(toProblem(error).problem).toMatchObject({ status: 503, code: 'database_unavailable' });
  });

  it('hides anything else behind a 500 that reveals nothing', () => {
    const { problem, unexpected } = toProblem(new Error('relation "secret_table" does not exist at /srv/app.js:1'));
    expect(unexpected).toBe(true);
    expect(problem).toMatchObject({ status: 500, code: 'internal_error' });
    expect(JSON.stringify(problem)).not.toContain('secret_table');
  });
});
