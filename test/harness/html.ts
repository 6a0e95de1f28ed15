/**
 * Reading our HTML back with a real parser (htmlparser2, in node_modules through n8n-core): elements by tag and
 * class, their attributes and decoded text, as a browser would see them.
 */
import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';

export interface Page {
	/** Every element, in document order. */
	elements: Element[];
	/** Elements with this tag name and, if given, this class. */
	all(tag: string, className?: string): Element[];
	text(element: Element): string;
	attr(element: Element, name: string): string | undefined;
}

export function parsePage(html: string): Page {
	const doc = parseDocument(html, { lowerCaseAttributeNames: false });
	const elements = findAll(() => true, doc.children);
	const classes = (el: Element) => (getAttributeValue(el, 'class') ?? '').split(/\s+/);
	return {
		elements,
		all: (tag, className) => elements.filter((el) => el.name === tag && (!className || classes(el).includes(className))),
		text: (el) => textContent(el),
		attr: (el, name) => getAttributeValue(el, name),
	};
}
