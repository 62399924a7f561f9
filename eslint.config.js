// Lint rules that carry the project's boundaries: only src/cli may print.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "cdk.out/**", "src/generated/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "no-console": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit", message: "Set process.exitCode in src/cli instead." },
        { object: "process", property: "exitCode", message: "Only src/cli sets the exit code." },
        { object: "process", property: "stdout", message: "Only src/cli writes to stdout." },
        { object: "process", property: "stderr", message: "Only src/cli writes to stderr." },
      ],
    },
  },
  {
    // The CLI is the I/O edge: it may print and set the exit code (but never process.exit below bin/).
    files: ["src/cli/**/*.ts"],
    rules: {
      "no-console": "off",
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit", message: "Set process.exitCode instead." },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*.{js,mjs,ts}", "bin/**"],
    rules: {
      "no-console": "off",
      "no-restricted-properties": "off",
      "no-control-regex": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
