import type { Backend } from '../backend/backend.js';
import type { ModelSettingsChoice } from '../config/model-settings.js';
import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import type { ModelPluginMetadata } from '../plugin/plugin-metadata.js';
import type { PluginFactory } from '../plugin/plugin-factory.js';
import type { PluginPackage } from '../plugin/plugin-package.js';
import type { TrustLevel } from '../plugin/trust-level.js';
import type { PluginState } from './plugin-manager.js';

/** A loaded model held by an active plugin. */
export interface ActiveModel {
  readonly plugin: ModelPluginInterface;
  /** Real path of the model folder. */
  readonly modelPath: string;
  /** The path as asked for, resolved (`path.resolve`), to recognise repeated activations. */
  readonly requestedPath: string;
  readonly settings: ModelSettingsChoice;
  readonly backend: Backend;
}

/** A running execution, so deactivation can abort it and wait for it. */
export interface RunningExecution {
  readonly controller: AbortController;
  /** Settles (never rejects) when the plugin call settles. */
  readonly done: Promise<void>;
}

/** The manager's record of one plugin (internal). */
export interface PluginEntry {
  readonly name: string;
  /** On a model's entry (a copy of its plugin's entry with its own state): the model id. */
  readonly modelId?: string;
  /** Static description (from the manifest, or from the plugin for code registrations). */
  readonly metadata: ModelPluginMetadata;
  readonly origin: 'discovered' | 'directory' | 'registered';
  readonly pkg?: PluginPackage;
  readonly packageName?: string;
  /** Fixed trust level (code registrations without a package). */
  readonly trustLevel?: TrustLevel;
  /** The factory, once imported (or given). */
  factory?: PluginFactory;
  /** An instance made at registration and not used yet. */
  spare?: ModelPluginInterface;
  /** A plugin registered as an object: reused by every activation (re-initialized after cleanup). */
  readonly reusable?: ModelPluginInterface;
  state: PluginState;
  activation?: { readonly requestedPath: string; readonly promise: Promise<ModelPluginInterface>; readonly controller: AbortController };
  active?: ActiveModel;
  deactivation?: Promise<boolean>;
  readonly executions: Set<RunningExecution>;
}
