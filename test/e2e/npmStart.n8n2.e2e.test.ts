/** `npm start` as a newcomer runs it, with the editor walkthrough, on n8n 2.x: test/harness/e2e/npmStartSuite.ts. */
import { npmStartSuite } from '../harness/e2e/npmStartSuite';
import { describeEachMajor } from '../harness/runtimes';

describeEachMajor(2, 'npm start with n8n %s', npmStartSuite);
