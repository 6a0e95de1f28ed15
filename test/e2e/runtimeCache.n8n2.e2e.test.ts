/** The runtime cache repairs a broken n8n 2.x runtime: test/harness/e2e/runtimeCacheSuite.ts. */
import { runtimeCacheSuite } from '../harness/e2e/runtimeCacheSuite';
import { describeEachMajor } from '../harness/runtimes';

describeEachMajor(2, 'runtime cache for n8n %s', runtimeCacheSuite);
