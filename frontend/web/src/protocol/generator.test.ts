import { describe, expect, it } from "vitest";
import { generate, pascalName, schemaToType } from "../../scripts/generate-client.mjs";

describe("generate-client", () => {
  it("names methods and notifications in PascalCase", () => {
    expect(pascalName("dump/open")).toBe("DumpOpen");
    expect(pascalName("rpc.discover")).toBe("RpcDiscover");
    expect(pascalName("$/progress")).toBe("Progress");
    expect(pascalName("notifications/dropped")).toBe("NotificationsDropped");
  });

  it("translates the schema subset the spec uses", () => {
    expect(schemaToType({ $ref: "#/components/schemas/HexU64" })).toBe("HexU64");
    expect(schemaToType({ type: "integer" })).toBe("number");
    expect(schemaToType({ type: ["string", "integer"] })).toBe("string | number");
    expect(schemaToType({ enum: ["begin", "end"] })).toBe('"begin" | "end"');
    expect(schemaToType({ const: true })).toBe("true");
    expect(schemaToType({ type: "array", items: { type: ["string", "null"] } })).toBe("(string | null)[]");
    expect(schemaToType({ oneOf: [{ type: "string" }, { $ref: "#/components/schemas/A" }] })).toBe("string | A");
    expect(
      schemaToType({ type: "object", required: ["a"], properties: { a: { type: "string" }, "b-c": { type: "number" } } }),
    ).toBe('{\n  a: string;\n  "b-c"?: number;\n}');
    expect(schemaToType({ type: "object", additionalProperties: { type: "string" } })).toBe(
      "{\n  [key: string]: string;\n}",
    );
    expect(schemaToType({})).toBe("unknown");
  });

  it("refuses a $ref outside components.schemas rather than guessing", () => {
    expect(() => schemaToType({ $ref: "http://example/x.json" })).toThrow(/unsupported \$ref/);
  });

  it("emits a method table, notifications and error codes", () => {
    const text = generate({
      info: { version: "9.9" },
      methods: [
        {
          name: "thing/get",
          params: [
            { name: "id", required: true, schema: { type: "string" } },
            { name: "depth", schema: { type: "integer" } },
          ],
          result: { name: "thing", schema: { type: "object", required: ["n"], properties: { n: { type: "integer" } } } },
        },
      ],
      "x-notifications": [
        { name: "thing/changed", direction: "server-to-client", params: { type: "object", properties: {} } },
        { name: "$/cancelRequest", direction: "client-to-server", params: { type: "object" } },
      ],
      components: { errors: { NotFound: { code: -32001, message: "not found" } } },
    });
    expect(text).toContain('export const PROTOCOL_VERSION = "9.9";');
    expect(text).toContain("export interface ThingGetParams {\n  id: string;\n  depth?: number;\n}");
    expect(text).toContain('"thing/get": { params: ThingGetParams; result: ThingGetResult };');
    expect(text).toMatch(/export interface ServerNotifications \{\n {2}"thing\/changed"/);
    expect(text).toMatch(/export interface ClientNotifications \{\n {2}"\$\/cancelRequest"/);
    expect(text).toContain("NotFound: -32001,");
  });
});
