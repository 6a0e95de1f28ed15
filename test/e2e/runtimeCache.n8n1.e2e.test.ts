/** The runtime cache repairs a broken n8n 1.x runtime: test/harness/e2e/runtimeCacheSuite.ts. */
import { runtimeCacheSuite } from '../harness/e2e/runtimeCacheSuite';
import { describeEachMajor } from '../harness/runtimes';

describeEachMajor(1, 'runtime cache for n8n %s', runtimeCacheSuite);
