// `import(..., { with: { type: "file" } })` of the built compiler yields its path
// (a /$bunfs/ path inside a `bun build --compile` binary).
declare module "*/build/compiler.wasm.br" {
  const path: string;
  export default path;
}
