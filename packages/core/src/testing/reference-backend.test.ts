import { describeBackendConformance } from './conformance.js';
import { createReferenceBackend } from './reference-backend/create-reference-backend.js';

describeBackendConformance('reference', () => createReferenceBackend());
