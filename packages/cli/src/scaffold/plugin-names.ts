/** The spellings of a new plugin's name used across its files. */
export interface PluginNames {
  /** As typed, kebab-case: `my-model`. */
  readonly name: string;
  /** PascalCase: `MyModel`. */
  readonly pascal: string;
  /** camelCase: `myModel`. */
  readonly camel: string;
  /** The Hugging Face `model_type`: `my_model`. */
  readonly modelType: string;
  /** The Hugging Face architecture: `MyModelForCausalLM`. */
  readonly architecture: string;
  /** The npm package: `pio-plugin-my-model`. */
  readonly packageName: string;
}

/** Derives {@link PluginNames} from a kebab-case plugin name. */
export function pluginNames(name: string): PluginNames {
  const pascal = name
    .split('-')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return {
    name,
    pascal,
    camel: pascal[0]!.toLowerCase() + pascal.slice(1),
    modelType: name.replace(/-/g, '_'),
    architecture: `${pascal}ForCausalLM`,
    packageName: `pio-plugin-${name}`,
  };
}
