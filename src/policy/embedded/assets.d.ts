// `import(..., { with: { type: "file" } })` of the precompiled policy modules yields their path
// (a /$bunfs/ path inside a `bun build --compile` binary).
declare module '*/build/precompiled.wasm.zst' {
  const path: string;
  export default path;
}
