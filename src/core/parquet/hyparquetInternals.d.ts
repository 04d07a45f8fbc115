/**
 * Types for the parts of hyparquet (pinned version, package.json) that decode one column chunk from
 * bytes already in memory, synchronously: the public reader is promise-based, while Dataset reads
 * records synchronously (ARCHITECTURE.md, "Parquet datasets").
 */
declare module 'hyparquet/src/column.js' {
  import type { DataReader, DecodedArray } from 'hyparquet';
  export function readColumn(
    reader: DataReader,
    select: { groupStart: number; selectStart: number; selectEnd: number; groupRows: number },
    decoder: Record<string, unknown>,
  ): { data: DecodedArray[]; skipped: number };
}
declare module 'hyparquet/src/assemble.js' {
  import type { DecodedArray, ParquetParsers, SchemaTree } from 'hyparquet';
  export function assembleNested(subcolumnData: Map<string, DecodedArray>, schema: SchemaTree, parsers: ParquetParsers, depth?: number): void;
}
declare module 'hyparquet/src/schema.js' {
  import type { SchemaTree } from 'hyparquet';
  export function getTreePath(tree: SchemaTree, path: string[]): SchemaTree[];
}
declare module 'hyparquet/src/convert.js' {
  import type { ParquetParsers } from 'hyparquet';
  export const DEFAULT_PARSERS: ParquetParsers;
}
