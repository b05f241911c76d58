import { packageBuild } from '../../tsup.base.ts';

// node-llama-cpp is imported at run time from wherever it is installed, never bundled
export default packageBuild({ external: ['node-llama-cpp'] });
