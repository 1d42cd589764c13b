// Types of the generator's exports, for its unit tests.
export function pascalName(methodName: string): string;
export function schemaToType(schema: unknown, indent?: string): string;
export function generate(spec: unknown): string;
