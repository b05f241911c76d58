import { describeBackendConformance } from '@pio/core/testing/conformance';
import { createTfjsBackend } from './create-tfjs-backend.js';

describeBackendConformance('tfjs-cpu (plain JS)', () => createTfjsBackend({ device: 'js' }));
