import type * as z from 'zod';

/** One reply of an operation: its schema (none for an empty body) and media type. */
export interface ReplyDoc {
  description: string;
  schema?: z.ZodType;
  /** Defaults to the dialect's success media type. */
  mediaType?: string;
  /** Response header names the reply sets (documented as strings). */
  headers?: Readonly<Record<string, string>>;
}

/** What the OpenAPI document says about one route of the route table, beside the schemas the operation parses with. */
export interface OperationDoc {
  operationId: string;
  summary: string;
  description?: string;
  /** Query parameters: name -> schema (with `.describe()`), all optional unless the schema says otherwise. */
  query?: Readonly<Record<string, z.ZodType>>;
  /** The request body: the zod schema the operation parses it with, and the media types it accepts. */
  body?: { schema: z.ZodType; mediaTypes: readonly string[]; required?: boolean };
  /** Request header names the operation reads (documented as strings). */
  headers?: Readonly<Record<string, string>>;
  /** Success replies by status. */
  replies: Readonly<Record<number, ReplyDoc>>;
  /** Error statuses this operation answers beyond those every operation of its dialect may answer. */
  errors?: readonly number[];
}

/** A dialect's part of the document: its tag, its error shape, its operations keyed by route key (`GET /path`). */
export interface DialectDoc {
  tag: { name: string; description: string };
  /** Media type of successful JSON replies. */
  mediaType: string;
  error: { name: string; schema: z.ZodType; mediaType: string };
  /** Named schemas worth a component of their own (shared by several operations, or nested). */
  components?: Readonly<Record<string, z.ZodType>>;
  operations: Readonly<Record<string, OperationDoc>>;
}
