/** The functions of the mapping language that need more than a line: Replace, RandomString, NormalizeDiacritics, roles. */
import { randomInt } from 'node:crypto';
import { arg, type EvalContext, fail, type MappingValue, plain, text, type Thunk } from './values';

/** Entra's NormalizeDiacritics table, beyond what Unicode decomposition handles. */
const DIACRITIC_SPECIALS: Record<string, string> = {
	ß: 'ss',
	æ: 'ae',
	Æ: 'AE',
	ø: 'oe',
	Ø: 'OE',
	œ: 'oe',
	Œ: 'OE',
	ł: 'l',
	Ł: 'L',
	đ: 'd',
	Đ: 'D',
	ð: 'd',
	Ð: 'D',
	þ: 'th',
	Þ: 'TH',
	ı: 'i',
	ħ: 'h',
	Ħ: 'H',
};
export function normalizeDiacritics(s: string): string {
	return s
		.replace(/[ßæÆøØœŒłŁđĐðÐþÞıħĦ]/g, (c) => DIACRITIC_SPECIALS[c])
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '');
}

export function roleName(role: MappingValue): string | null {
	const p = plain(role);
	if (p && typeof p === 'object' && !Array.isArray(p) && !(p instanceof Date)) {
		const o = p as unknown as Record<string, unknown>;
		return String(o.displayName ?? o.value ?? o.name ?? o.id ?? '');
	}
	return text(p);
}

/** Entra's Replace: five modes, picked by which of its seven parameters are present. */
export function replace(args: Thunk[], ctx: EvalContext): MappingValue {
	const [source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template] = [0, 1, 2, 3, 4, 5, 6].map(
		(i) => text(arg(args, i, ctx)),
	);
	const replacementAttribute = replacementAttributeName ? text(ctx.attribute(replacementAttributeName)) : null;
	if (oldValue !== null && oldValue !== '' && template !== null) {
		return template.split(oldValue).join(source ?? '');
	}
	if (oldValue !== null && oldValue !== '') {
		if (source === null) return null;
		return source.split(oldValue).join(replacementValue ?? '');
	}
	if (regexPattern) {
		if (source === null) return null;
		let regex: RegExp;
		try {
			regex = new RegExp(regexPattern, 'g');
		} catch (error) {
			return fail(`invalid regexPattern "${regexPattern}": ${(error as Error).message}`);
		}
		const replacement = replacementValue ?? replacementAttribute ?? '';
		// .NET writes named group references as ${name}; JavaScript as $<name>. $1 works in both.
		if (!regexGroupName) return source.replace(regex, replacement.replace(/\$\{(\w+)\}/g, '$$<$1>'));
		return source.replace(regex, (...m) => {
			const whole = m[0] as string;
			const groups = m[m.length - 1] as Record<string, string> | undefined;
			const group = groups?.[regexGroupName];
			if (group === undefined) return whole;
			return whole.replace(group, replacement);
		});
	}
	return source;
}

export function randomString(
	length: number,
	minNumbers: number,
	minSpecial: number,
	minCapital: number,
	minLower: number,
	avoid: string,
): string {
	const keep = (chars: string) => [...chars].filter((c) => !avoid.includes(c)).join('');
	const sets = {
		digits: keep('0123456789'),
		special: keep('!#$%&()*+,-./:;<=>?@[]^_{|}~'),
		upper: keep('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
		lower: keep('abcdefghijklmnopqrstuvwxyz'),
	};
	if (minNumbers + minSpecial + minCapital + minLower > length) fail(`RandomString's minimums add up to more than its length ${length}`);
	const pick = (set: string) => (set ? set[randomInt(set.length)] : fail('RandomString: every character of a required class is avoided'));
	const chars: string[] = [
		...Array.from({ length: minNumbers }, () => pick(sets.digits)),
		...Array.from({ length: minSpecial }, () => pick(sets.special)),
		...Array.from({ length: minCapital }, () => pick(sets.upper)),
		...Array.from({ length: minLower }, () => pick(sets.lower)),
	] as string[];
	const all = sets.digits + sets.special + sets.upper + sets.lower;
	while (chars.length < length) chars.push(pick(all) as string);
	for (let i = chars.length - 1; i > 0; i--) {
		const j = randomInt(i + 1);
		[chars[i], chars[j]] = [chars[j], chars[i]];
	}
	return chars.join('');
}
