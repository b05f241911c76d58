import { describeBackendConformance } from '@pio/core/testing/conformance';
import { createTfjsBackend } from './create-tfjs-backend.js';

describeBackendConformance('tfjs-wasm', () => createTfjsBackend({ device: 'wasm' }));
