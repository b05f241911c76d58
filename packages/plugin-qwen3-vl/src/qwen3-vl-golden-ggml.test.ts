import { createGgmlBackend } from '@pio/backend-ggml';
import { describeGoldenSuite } from './testing/golden-suite.js';

// The same golden cases and tolerances as on the other backends, on ggml in float32 (two threads).
describeGoldenSuite('the ggml backend', () => createGgmlBackend({ threads: 2 }));
