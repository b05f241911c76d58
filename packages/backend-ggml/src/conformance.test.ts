import { describeBackendConformance } from '@pio/core/testing/conformance';
import { createGgmlBackend } from './create-ggml-backend.js';

describeBackendConformance('ggml-cpu', () => createGgmlBackend({ device: 'cpu' }));
