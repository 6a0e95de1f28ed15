/**
 * The same shipped workflow loaded by two suites into one n8n would share its SCIM Trigger store (kept per
 * workflow and node id) and its tenant URL (the webhook id). `isolate` gives a suite its own copy: workflow ids get
 * the suite's tag, webhook ids are derived from the tag, and references between the copied workflows follow (an
 * error workflow's id, a SCIM Store's tenant URL naming a trigger's webhook id).
 */
import { createHash } from 'node:crypto';
import type { WorkflowFile } from '../../../dev/n8n/instance';

const uuidFrom = (seed: string) => {
	const hex = createHash('sha256').update(seed).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export function isolate<T extends WorkflowFile>(workflows: T[], tag: string): T[] {
	if (!/^[A-Za-z0-9]{1,8}$/.test(tag)) throw new Error(`isolate: the tag "${tag}" must be 1–8 letters or digits`);
	const ids = new Map(workflows.map((w) => [w.id, `${w.id}${tag}`]));
	const webhookIds = new Map(
		workflows.flatMap((w) => (w.nodes ?? []).flatMap((n) => (n.webhookId ? [[n.webhookId, uuidFrom(`${tag}:${n.webhookId}`)]] : []))),
	);
	return workflows.map((workflow) => {
		let text = JSON.stringify(workflow);
		for (const [from, to] of webhookIds) text = text.split(from).join(to);
		const copy = JSON.parse(text) as T & { settings?: { errorWorkflow?: string } };
		copy.id = ids.get(workflow.id)!;
		if (copy.settings?.errorWorkflow && ids.has(copy.settings.errorWorkflow))
			copy.settings.errorWorkflow = ids.get(copy.settings.errorWorkflow);
		return copy;
	});
}
