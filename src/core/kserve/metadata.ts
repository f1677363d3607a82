/** Health and metadata bodies of the v2 protocol (`GET /v2`, `GET /v2/models/{name}`). */

/** `GET /v2`. */
export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

/** A tensor in model metadata; -1 marks a dynamic dimension (the batch axis). */
export interface MetadataTensor {
  name: string;
  datatype: string;
  shape: number[];
}

/** `GET /v2/models/{name}[/versions/{version}]`. */
export interface ModelMetadata {
  name: string;
  versions?: string[];
  platform: string;
  inputs: MetadataTensor[];
  outputs: MetadataTensor[];
}

/** Error bodies of every endpoint. */
export interface ErrorBody {
  error: string;
}
