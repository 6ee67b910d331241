import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { defaultText, HIDDEN_KEYS, SETTINGS, storedText, typedSetting, type SettingFacts } from './dashboard-settings.js';

/** What an `updateDashboardConfigurationItem` body leads to: an answer as is, or a value to store and then answer. */
export type SettingUpdate = { kind: 'answer'; result: WgdResult } | { kind: 'store'; section: string; key: string; text: string; data: unknown };

// Fixed settings' defaults are constants: the facts are never read for them.
const NO_FACTS = {} as SettingFacts;

/**
 * Upstream's `SetConfig` steps (notes §2.30, `dashboard.py:1888`), in its order where the order shows,
 * with these deliberate differences:
 * - the option name is lower-cased first, as configparser does when it stores it, so the hidden-key
 *   refusal and the checks cannot be dodged by case (upstream stores `AUTH_REQ=false` and
 *   `peer_global_DNS=<anything>`);
 * - where upstream crashes (HTML 500: a non-string key, a null or object value, a value its check
 *   cannot read), the answer is HTTP 400 with what to send;
 * - the password, TOTP, version, API-key switch and Email settings are not changeable (their rules say why).
 */
export function planSettingUpdate(body: unknown): SettingUpdate {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (!('section' in fields) || !('key' in fields) || !('value' in fields)) return answer(wgdFail('Invalid request.'));
  const { section, key, value } = fields;
  if (typeof key === 'string' && HIDDEN_KEYS.has(key.toLowerCase())) return answer({ status: false, message: null, data: null });
  if (typeof section !== 'string') {
    if (typeof section === 'object' && section !== null) throw new WgdHttpError(400, 'Please send section as a string, e.g. "Peers"');
    return answer(wgdFail('Section does not exist'));
  }
  const rules = SETTINGS.get(section);
  if (!rules) return answer(wgdFail('Section does not exist'));
  if (typeof key !== 'string') throw new WgdHttpError(400, `Please send key as a string naming an option of ${section}`);
  const option = key.toLowerCase();
  const rule = rules.get(option);
  if (!rule) return answer(wgdFail(`${key} does not exist under ${section}`));
  if (rule.refused !== undefined) return answer(wgdFail(rule.refused));

  const text = storedText(value);
  if (text === null) throw new WgdHttpError(400, 'Please send value as a string, a number, a boolean or a list of strings');
  if (rule.text && typeof value !== 'string') throw new WgdHttpError(400, `Please send the value of ${option} as a string`);
  // PostgreSQL text cannot hold NUL, and no setting needs one.
  if (text.includes('\u0000')) throw new WgdHttpError(400, 'Please send a value without NUL characters');

  if (rule.fixed !== undefined) {
    const shown = typedSetting(section, option, defaultText(rule, NO_FACTS));
    return answer(typedSetting(section, option, text) === shown ? wgdOk(shown) : wgdFail(rule.fixed));
  }
  const problem = rule.check?.(text) ?? null;
  if (problem !== null) return answer(wgdFail(problem));
  return { kind: 'store', section, key: option, text, data: typedSetting(section, option, text) };
}

function answer(result: WgdResult): SettingUpdate {
  return { kind: 'answer', result };
}
