import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes its settings under the user folder: keep tests away from the real one. A fresh folder per test
// file, inside the run's folder (test/harness/runFolder.js removes it when the run ends).
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(process.env.N8N_TEST_RUN_FOLDER ?? tmpdir(), 'n8n-test-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ??= 'false';
// The instance key n8n's processes share: SCIM Trigger store references are signed with a key derived from it.
process.env.N8N_ENCRYPTION_KEY ??= 'n8n-nodes-provisioning-test-key';
