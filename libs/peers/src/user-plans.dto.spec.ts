import type { ArgumentMetadata } from '@nestjs/common';
import { AppError, createValidationPipe } from '@wgfleet/core';
import { CreateUserDto } from './peers.dto.js';
import { isMbps, planColumnsOf, refuseEmptyBody, SetBandwidthDto, UpdateUserDto } from './user-plans.dto.js';

/** The app's own validation pipe, as a body of each DTO goes through it. */
const pipe = createValidationPipe();
async function fieldsRefused(metatype: ArgumentMetadata['metatype'], body: unknown): Promise<string[]> {
  try {
    await pipe.transform(body, { type: 'body', metatype });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.code).toBe('validation_failed');
    return (error.fieldErrors ?? []).map((e) => e.field);
  }
  return [];
}

describe('isMbps', () => {
  it.each([0.1, 0.125, 1, 8, 8.5, 99.999, 1000, 10000])('takes %p', (value) => {
    expect(isMbps(value)).toBe(true);
  });
  it.each([0, -0, -1, 0.09, 0.0999, 10000.001, 8.1234, 1e-7, Infinity, NaN, '8', true, null, [8], { mbps: 8 }])('refuses %p', (value) => {
    expect(isMbps(value)).toBe(false);
  });
});

describe('the bandwidth body (PUT /users/{id}/bandwidth, and a create\'s bandwidth)', () => {
  it.each([
    [{ download_mbps: 8, upload_mbps: 4 }],
    [{ download_mbps: 8 }],
    [{ upload_mbps: null }],
    [{ download_mbps: 0.1, upload_mbps: 10000 }],
    [{ download_mbps: 12.345 }],
  ])('takes %j', async (body) => {
    expect(await fieldsRefused(SetBandwidthDto, body)).toEqual([]);
  });

  it.each([
    [{ download_mbps: 0 }, 'download_mbps'],
    [{ download_mbps: -5 }, 'download_mbps'],
    [{ upload_mbps: '8' }, 'upload_mbps'],
    [{ upload_mbps: true }, 'upload_mbps'],
    [{ download_mbps: 10000.5 }, 'download_mbps'],
    [{ download_mbps: 0.05 }, 'download_mbps'],
    [{ upload_mbps: 1.2345 }, 'upload_mbps'],
    [{ upload_mbps: [4] }, 'upload_mbps'],
    [{ download_mbps: 8, burst: 1 }, 'burst'],
  ])('refuses %j naming %s', async (body, field) => {
    expect(await fieldsRefused(SetBandwidthDto, body)).toEqual([field]);
  });

  it('refuses {} naming both fields, before anything is written', () => {
    expect(() => refuseEmptyBody({}, ['download_mbps', 'upload_mbps'])).toThrow(
      expect.objectContaining({ code: 'validation_failed', fieldErrors: [expect.objectContaining({ field: 'download_mbps' }), expect.objectContaining({ field: 'upload_mbps' })] }),
    );
    expect(() => refuseEmptyBody({ upload_mbps: null }, ['download_mbps', 'upload_mbps'])).not.toThrow();
  });
});

describe('the PATCH /users/{id} body', () => {
  const monthly = { bytes: 50_000_000_000, period: 'monthly', reset_day: 1, action: 'block' };
  const throttled = { bytes: 1_000_000, period: 'total', action: 'throttle', throttle_mbps: 1 };

  it.each([
    [{ enabled: false }],
    [{ expires_at: '2027-01-31T23:59:59Z' }],
    [{ expires_at: '2020-01-01T00:00:00+02:00' }],
    [{ expires_at: null }],
    [{ data_limit: null }],
    [{ data_limit: monthly }],
    [{ data_limit: { ...monthly, reset_day: 28 } }],
    [{ data_limit: throttled }],
    // What GET shows can be sent back as it is: the inapplicable fields are null there.
    [{ data_limit: { bytes: 1_000_000, period: 'total', reset_day: null, action: 'block', throttle_mbps: null } }],
    [{ enabled: true, expires_at: null, data_limit: throttled }],
  ])('takes %j', async (body) => {
    expect(await fieldsRefused(UpdateUserDto, body)).toEqual([]);
  });

  it.each([
    [{ enabled: 'false' }, 'enabled'],
    [{ enabled: 0 }, 'enabled'],
    [{ enabled: null }, 'enabled'],
    [{ expires_at: '2027-01-31T23:59:59' }, 'expires_at'],
    [{ expires_at: '2027-02-30T00:00:00Z' }, 'expires_at'],
    [{ expires_at: 1798761599 }, 'expires_at'],
    [{ expires_at: 'tomorrow' }, 'expires_at'],
    [{ data_limit: 'unlimited' }, 'data_limit'],
    [{ data_limit: [] }, 'data_limit'],
    [{ data_limit: { ...monthly, bytes: 999_999 } }, 'data_limit.bytes'],
    [{ data_limit: { ...monthly, bytes: 1_500_000.5 } }, 'data_limit.bytes'],
    [{ data_limit: { ...monthly, bytes: '50000000000' } }, 'data_limit.bytes'],
    [{ data_limit: { ...monthly, bytes: 2 ** 64 } }, 'data_limit.bytes'],
    [{ data_limit: { ...monthly, bytes: undefined } }, 'data_limit.bytes'],
    [{ data_limit: { ...monthly, period: 'weekly' } }, 'data_limit.period'],
    [{ data_limit: { ...monthly, reset_day: undefined } }, 'data_limit.reset_day'],
    [{ data_limit: { ...monthly, reset_day: null } }, 'data_limit.reset_day'],
    [{ data_limit: { ...monthly, reset_day: 29 } }, 'data_limit.reset_day'],
    [{ data_limit: { ...monthly, reset_day: 0 } }, 'data_limit.reset_day'],
    [{ data_limit: { ...monthly, reset_day: 1.5 } }, 'data_limit.reset_day'],
    [{ data_limit: { ...throttled, reset_day: 1 } }, 'data_limit.reset_day'],
    [{ data_limit: { ...monthly, action: 'drop' } }, 'data_limit.action'],
    [{ data_limit: { ...monthly, throttle_mbps: 1 } }, 'data_limit.throttle_mbps'],
    [{ data_limit: { ...throttled, throttle_mbps: undefined } }, 'data_limit.throttle_mbps'],
    [{ data_limit: { ...throttled, throttle_mbps: 0 } }, 'data_limit.throttle_mbps'],
    [{ data_limit: { ...throttled, throttle_mbps: 0.0001 } }, 'data_limit.throttle_mbps'],
    [{ data_limit: { ...monthly, cap: 1 } }, 'data_limit.cap'],
    [{ enabled: true, download_mbps: 8 }, 'download_mbps'],
  ])('refuses %j naming %s', async (body, field) => {
    expect(await fieldsRefused(UpdateUserDto, body)).toEqual([field]);
  });

  it('says what a reset_day or a throttle_mbps is for when it is out of place or missing', async () => {
    const messages = async (body: object) => {
      try {
        await pipe.transform(body, { type: 'body', metatype: UpdateUserDto });
      } catch (error) {
        return (error as AppError).fieldErrors?.map((e) => e.message);
      }
      return [];
    };
    expect(await messages({ data_limit: { ...monthly, reset_day: undefined } })).toEqual(['data_limit.reset_day must be a whole day of the month from 1 to 28 when data_limit.period is "monthly"']);
    expect(await messages({ data_limit: { ...throttled, reset_day: 3 } })).toEqual([expect.stringMatching(/applies only when data_limit.period is "monthly"/)]);
    expect(await messages({ data_limit: { ...throttled, throttle_mbps: null } })).toEqual(['data_limit.throttle_mbps must be a number of Mbit/s from 0.1 to 10000 with at most three decimals when data_limit.action is "throttle"']);
    expect(await messages({ data_limit: { ...monthly, throttle_mbps: 2 } })).toEqual([expect.stringMatching(/applies only when data_limit.action is "throttle"/)]);
  });

  it('turns what was sent into columns, leaving out what was not', async () => {
    const body = await pipe.transform({ expires_at: '2027-02-01T01:00:00+02:00', data_limit: monthly }, { type: 'body', metatype: UpdateUserDto });
    expect(planColumnsOf(body)).toEqual({
      expiresAt: new Date('2027-01-31T23:00:00Z'),
      dataLimitBytes: 50_000_000_000,
      dataLimitPeriod: 'monthly',
      dataLimitResetDay: 1,
      dataLimitAction: 'block',
      dataLimitThrottleMbps: null,
    });
    expect(planColumnsOf(await pipe.transform({ enabled: false, data_limit: null }, { type: 'body', metatype: UpdateUserDto }))).toEqual({
      enabled: false,
      dataLimitBytes: null,
      dataLimitPeriod: null,
      dataLimitResetDay: null,
      dataLimitAction: null,
      dataLimitThrottleMbps: null,
    });
  });
});

describe('the plan fields of a create (POST /servers/{id}/users)', () => {
  it.each([
    [{ client_name: 'a', bandwidth: { download_mbps: 8, upload_mbps: 4 } }],
    [{ client_name: 'a', bandwidth: { upload_mbps: 2 }, enabled: false, expires_at: '2027-01-31T23:59:59Z', data_limit: { bytes: 5_000_000, period: 'total', action: 'block' } }],
  ])('takes %j', async (body) => {
    expect(await fieldsRefused(CreateUserDto, body)).toEqual([]);
  });

  it.each([
    [{ client_name: 'a', bandwidth: {} }, 'bandwidth'],
    [{ client_name: 'a', bandwidth: null }, 'bandwidth'],
    [{ client_name: 'a', bandwidth: 8 }, 'bandwidth'],
    [{ client_name: 'a', bandwidth: { download_mbps: 0 } }, 'bandwidth.download_mbps'],
    [{ client_name: 'a', bandwidth: { upload_mbps: 4, shape: 'htb' } }, 'bandwidth.shape'],
    [{ client_name: 'a', enabled: 'yes' }, 'enabled'],
    [{ client_name: 'a', expires_at: '31/01/2027' }, 'expires_at'],
    [{ client_name: 'a', data_limit: { bytes: 5_000_000, period: 'monthly', action: 'block' } }, 'data_limit.reset_day'],
  ])('refuses %j naming %s', async (body, field) => {
    expect(await fieldsRefused(CreateUserDto, body)).toEqual(expect.arrayContaining([field]));
  });

  it('sets the bandwidth columns of a create from its bandwidth object', async () => {
    const body = await pipe.transform({ client_name: 'a', bandwidth: { download_mbps: 8.5, upload_mbps: null } }, { type: 'body', metatype: CreateUserDto });
    expect(planColumnsOf(body)).toEqual({ downloadMbps: 8.5, uploadMbps: null });
  });
});
