import { createReferenceBackend } from '@pio/core/testing';
import { describeGoldenSuite } from './testing/golden-suite.js';

describeGoldenSuite('the reference backend', () => createReferenceBackend());
