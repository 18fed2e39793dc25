import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "test/typed-example.ts", "native.d.ts", "index.d.ts"] },
  js.configs.recommended,
  { languageOptions: { ecmaVersion: 2023, sourceType: "commonjs", globals: globals.node } },
  { files: ["**/*.mjs", "eslint.config.mjs"], languageOptions: { sourceType: "module" } },
];
