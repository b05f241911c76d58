import { packageBuild } from '../../tsup.base.ts';

// optional native dependencies stay imports (tsup only externalizes `dependencies` and `peerDependencies`)
export default packageBuild({ external: ['koffi', /^@node-llama-cpp\//] });
