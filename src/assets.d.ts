/** Vite's `?url` imports: the file is emitted into dist and the import is its URL. */
declare module '*.wasm?url' {
  const url: string;
  export default url;
}
