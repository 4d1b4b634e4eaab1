/**
 * The parse options for a schema that validates once per load (the config, device-profiles, the built-in pack):
 * zod compiles a fast path for each object schema on its first parse (generated code, through `new Function`), which
 * pays only when the schema then parses many times. Skipping it saves a scan about 40 ms of start-up
 * (bench/scan.mjs). Schemas for a stream of messages (the registry's, the request dispatcher's) keep it.
 */
export const PARSED_ONCE = { jitless: true } as const;
