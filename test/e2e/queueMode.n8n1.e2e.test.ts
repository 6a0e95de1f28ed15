/** n8n 1.x in queue mode: test/harness/e2e/queueModeSuite.ts. */
import { queueModeSuite } from '../harness/e2e/queueModeSuite';
import { describeEachMajor } from '../harness/runtimes';

describeEachMajor(1, 'queue mode on n8n %s', queueModeSuite);
