import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/**
 * What a password must be (等保: length and complexity, no common or personal passwords). Strength is
 * judged by zxcvbn against its maintained lists of common passwords, names and keyboard patterns, with
 * the user's own login and name and the product's name as extra words a guesser would try first.
 */
export const PASSWORD_RULES = {
  minLength: 10,
  maxLength: 256,
  /** zxcvbn score 0–4; 3 = "safely unguessable: moderate protection from offline slow-hash attacks" */
  minScore: 3,
} as const;

// zxcvbn names what it found by a key; these are the words a user reads.
const FOUND: Record<string, string> = {
  simpleRepeat: '重复字符 repeated characters',
  extendedRepeat: '重复的片段 repeated patterns',
  sequences: '连续字符 a sequence like abc or 123',
  topTen: '最常见的密码之一 one of the ten most common passwords',
  topHundred: '最常见的密码之一 one of the hundred most common passwords',
  common: '常见密码 a common password',
  similarToCommon: '与常见密码相似 close to a common password',
  straightRow: '键盘上的一行 a row of keys',
  keyPattern: '键盘图案 a keyboard pattern',
  dates: '日期 a date',
  recentYears: '近年年份 a recent year',
  userInputs: '个人信息 personal details',
  namesByThemselves: '人名 a name',
  commonNames: '常见人名 a common name',
  wordByItself: '单个单词 a single word',
  pwned: '已泄露的密码 a leaked password',
};

const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
const PRODUCT_WORDS = ['zhihui', 'chengguan', 'admin', 'dispatcher', 'supervisor', 'leader', 'officer', 'password'];

/** Why `password` is refused for this user (zh + en, one sentence), or null when it is good. */
export function passwordProblem(password: string, user: { login: string; displayName?: string | null }): string | null {
  if (password.length < PASSWORD_RULES.minLength) {
    return `密码至少 ${PASSWORD_RULES.minLength} 个字符 the password must be at least ${PASSWORD_RULES.minLength} characters long`;
  }
  if (password.length > PASSWORD_RULES.maxLength)
    return `密码最多 ${PASSWORD_RULES.maxLength} 个字符 the password must be at most ${PASSWORD_RULES.maxLength} characters`;
  if (password.trim() === '') return '密码不能全是空格 the password cannot be only spaces';
  const lower = password.toLowerCase();
  const personal = [user.login, user.displayName ?? ''].map((s) => s.trim().toLowerCase()).filter((s) => s.length >= 3);
  if (personal.some((p) => lower.includes(p))) return "密码不能包含登录名或姓名 the password must not contain the login or the user's name";
  const result = zxcvbn.check(password, [...personal, ...PRODUCT_WORDS]);
  if (result.score < PASSWORD_RULES.minScore) {
    const warning = result.feedback.warning;
    const why = warning ? ` (${FOUND[warning] ?? warning})` : '';
    return `密码太容易被猜中 the password is too easy to guess${why}: use a longer phrase of unrelated words, or mix in digits and symbols`;
  }
  return null;
}
