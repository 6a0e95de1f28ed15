// Re-exported from here so that the plugin resolves inside this workspace, next to its n8n-workflow 2.x peer.
export { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
