/**
 * Run under ts-node, `require('…/ProvisionUser.node')` would load the codex file ProvisionUser.node.json, since Node
 * tries `.json` before the `.ts` extension ts-node adds. Moving `.json` last makes the node's source win, as in jest
 * and in the built package (where `.node.js` comes first). Imported first by bench/run.ts.
 */
import Module from 'node:module';

const extensions = (Module as unknown as { _extensions: Record<string, unknown> })._extensions;
const json = extensions['.json'];
delete extensions['.json'];
extensions['.json'] = json;
