import { createTfjsBackend } from '@pio/backend-tfjs';
import { describeGoldenSuite } from './testing/golden-suite.js';

describeGoldenSuite('the tfjs wasm engine', () => createTfjsBackend({ device: 'wasm' }));
